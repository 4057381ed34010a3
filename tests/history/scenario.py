"""Three years of rekaps made by the real pipeline (questionnaires filled from the real template, read, scored
and written by ``batch.merge``): 2024 on PermenPANRB 5/2018, 2025 and 2026 on 59/2020. BAPPEDA is renamed
BAPPERIDA in 2025; DISPORA and DISPAR merge into DISPARPORA in 2026; BKD stops reporting in 2026; DISHUB is
new in 2026. The levels are kept, so that tests compute every figure again from them on their own."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pipeline import batch, fill
from pipeline.catalog import framework as fwmod
from pipeline.catalog import roster as rostermod
from pipeline.template import write_template
from pipeline.workers import Workers

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = {2024: "permenpanrb-5-2018", 2025: "permenpanrb-59-2020", 2026: "permenpanrb-59-2020"}
NAMES = {"DISKOMINFO": "Dinas Komunikasi dan Informatika", "BPKAD": "Badan Pengelolaan Keuangan dan Aset Daerah",
         "BAPPEDA": "Badan Perencanaan Pembangunan Daerah",
         "BAPPERIDA": "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
         "DISPORA": "Dinas Pemuda dan Olahraga", "DISPAR": "Dinas Pariwisata",
         "DISPARPORA": "Dinas Pariwisata, Pemuda dan Olahraga", "DINKES": "Dinas Kesehatan",
         "BKD": "Badan Kepegawaian Daerah", "DISHUB": "Dinas Perhubungan"}
ROSTERS = {  # code -> kode_lama, per year
    2024: {"DISKOMINFO": "", "BPKAD": "", "BAPPEDA": "", "DISPORA": "", "DISPAR": "", "DINKES": "", "BKD": ""},
    2025: {"DISKOMINFO": "", "BPKAD": "", "BAPPERIDA": "BAPPEDA", "DISPORA": "", "DISPAR": "", "DINKES": "",
           "BKD": ""},
    2026: {"DISKOMINFO": "", "BPKAD": "", "BAPPERIDA": "BAPPEDA", "DISPARPORA": "DISPORA;DISPAR", "DINKES": "",
           "BKD": "", "DISHUB": ""},
}
SUBMITTING = {2024: list(ROSTERS[2024]), 2025: list(ROSTERS[2025]),
              2026: ["DISKOMINFO", "BPKAD", "BAPPERIDA", "DISPARPORA", "DINKES", "DISHUB"]}


def weights(fid: str) -> tuple[dict[str, Fraction], dict[str, str], dict[str, Fraction]]:
    """Indicator weights, each indicator's domain and the domain weights, read from the catalog file itself."""
    data = json.loads((ROOT / "pipeline" / "catalogs" / f"{fid}.json").read_text(encoding="utf-8"))
    aspect_domain = {a["id"]: a["domain"] for a in data["aspects"]}
    w = {i["id"]: Fraction(i["weight"]) for i in data["indicators"]}
    dom = {i["id"]: aspect_domain[i["aspect"]] for i in data["indicators"]}
    return w, dom, {d["id"]: Fraction(d["weight"]) for d in data["domains"]}


def index_of(fid: str, levels: dict[str, int]) -> Fraction:
    w, _, _ = weights(fid)
    return sum((levels[i] * w[i] for i in w), Fraction(0)) / 100


def domains_of(fid: str, levels: dict[str, int]) -> dict[str, Fraction]:
    w, dom, dw = weights(fid)
    return {d: sum((levels[i] * w[i] for i in w if dom[i] == d), Fraction(0)) / dw[d] for d in dw}


@dataclass
class Years:
    root: Path  # rosters, templates, input-<year>/ folders and output/
    folder: Path  # the output folder holding every year's rekap
    rosters: dict[int, Path]
    levels: dict[int, dict[str, dict[str, int]]]  # year -> OPD -> indicator -> level
    results: dict[int, batch.MergeResult]

    def rekap(self, year: int) -> Path:
        return self.folder / f"rekap-spbe-{year}.xlsx"


def roster_file(folder: Path, year: int, codes: dict[str, str] | None = None) -> Path:
    path = folder / f"roster-{year}.csv"
    rows = ["kode,nama,jenis,alias,kode_lama"]
    rows += [f'{c},"{NAMES[c]}",dinas,,{old}' for c, old in (codes or ROSTERS[year]).items()]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def build(root: Path, workers: Workers, seed: int = 15) -> Years:
    rng = random.Random(seed)
    out = root / "output"
    rosters, levels, results = {}, {}, {}
    for year in (2024, 2025, 2026):
        fid = FRAMEWORK[year]
        fw = fwmod.load(fid)
        rosters[year] = roster_file(root, year)
        ros = rostermod.load(str(rosters[year]))
        template = write_template(fw, ros, root / f"template-{year}.xlsx", year=year)
        inbox = root / f"input-{year}"
        levels[year] = {}
        for code in SUBMITTING[year]:
            lv = {i.id: rng.randint(fw.level_min, fw.level_max) for i in fw.indicators}
            levels[year][code] = lv
            names = {"35a": "Perizinan", "35b": "Pengaduan", "35c": "Informasi"} if year == 2024 else None
            fill.fill_questionnaire(template, inbox / f"{code}.xlsx", opd=ros.by_code(code).label, levels=lv,
                                    service_names=names, identity={"year": year, "date_filled": dt.date(year, 3, 2)})
        results[year] = batch.merge(inbox, out / f"rekap-spbe-{year}.xlsx", framework=fid, roster=str(rosters[year]),
                                    year=year, workers=workers)
    return Years(root, out, rosters, levels, results)
