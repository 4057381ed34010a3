"""Generate N realistic filled questionnaires from the real template, fast, for the benchmark.

A handful of *base* workbooks are filled with openpyxl through :func:`pipeline.fill.fill_questionnaire`
(so they are exactly what the template and the filler produce), with marker values where a
submission differs: the OPD name and respondent (text markers ``@@OPD@@``, ``@@CODE@@``), every
level (a numeric marker ``9000kk`` for indicator number ``kk``, or a text marker ``@@Lkk@@`` for a
dropdown choice such as ``3 - Terdefinisi``) and the verified levels (``8000kk``). Each base part
holding markers is split once into literal chunks and marker slots; a submission is then the
joined chunks with its own values, zipped. That costs ~2 ms a file instead of ~100 ms with
openpyxl, and every file is still a valid workbook.

Bases differ the way real submissions do: numeric levels or dropdown texts, inline strings (as
openpyxl writes) or a shared-string table (as Excel writes), applications and infrastructure of
different sample OPDs (``tools/make_samples.py``), one with Diskominfo-verified levels. About 1%
of the files (at least one of each kind) are faulty: a truncated zip, a PDF renamed ``.xlsx``,
free-text levels, and an incomplete questionnaire.

A generated set is cached under ``bench/out/set-v<GEN_VERSION>-n<N>/`` (the ``input/`` folder, the
roster CSV and a ``manifest.json``); bump :data:`GEN_VERSION` when the generator changes.

:func:`mail_sets` gives the same set as OPDs e-mail it: ``input-eml/`` (one saved message per
questionnaire, from its OPD's address, with a PDF of evidence beside it; the faulty files stay faulty
attachments) and ``input-mbox/`` (all those messages in one mailbox), for the cost of e-mail intake.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import multiprocessing as mp
import random
import re
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline import fill
from pipeline.catalog import framework as fwmod
from pipeline.catalog import roster as rostermod

GEN_VERSION = 3
ROOT = Path(__file__).resolve().parent.parent  # the clone the benchmark runs from (any install of the package)
KALTARA_ROSTER = ROOT / "pipeline" / "data" / "roster-kaltara.csv"
FAULT_KINDS = ("corrupt-zip", "pdf-renamed", "free-text-levels", "incomplete")
_MARKER = re.compile(rb"@@([A-Z]+)(\d*)@@|<v>([98])000(\d\d)</v>")
_SST_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_ZIP_DATE = (2026, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")
_INLINE = re.compile(rb'(<c [^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.S)


def _samples() -> object:
    """tools/make_samples.py as a module (not a package): its profiles give realistic inventories."""
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "tools" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@dataclass(frozen=True)
class BaseSpec:
    """One base workbook: where its inventory comes from and how levels are written."""

    name: str
    profile: str  # key of make_samples.PROFILES
    text_levels: bool  # dropdown text ("3 - Terdefinisi") instead of a number
    shared_strings: bool  # Excel-style shared-string table instead of openpyxl's inline strings
    verified: bool = False
    fault: str = ""  # "", "free-text-levels" or "incomplete"


BASES = (
    BaseSpec("num-inline-diskominfo", "DISKOMINFO", text_levels=False, shared_strings=False),
    BaseSpec("num-sst-bpkad-verified", "BPKAD", text_levels=False, shared_strings=True, verified=True),
    BaseSpec("text-sst-bappeda", "BAPPEDA", text_levels=True, shared_strings=True),
    BaseSpec("text-inline-dinkes", "DINKES", text_levels=True, shared_strings=False),
    BaseSpec("num-sst-dpmptsp", "DPMPTSP", text_levels=False, shared_strings=True),
    BaseSpec("text-sst-disdikbud", "DISDIKBUD", text_levels=True, shared_strings=True),
)
FAULTY_BASES = (
    BaseSpec("fault-free-text", "INSPEKTORAT", text_levels=False, shared_strings=True, fault="free-text-levels"),
    BaseSpec("fault-incomplete", "DISHUB", text_levels=False, shared_strings=False, fault="incomplete"),
)
FREE_TEXT = {"1": "Level 3", "2": "Terdefinisi", "3": " 2 ", "4": "3,0", "5": "Tingkat 2", "6": "２", "7": "tiga?"}
INCOMPLETE_BLANK = ("20", "21", "22", "23")


@dataclass(frozen=True)
class Base:
    """A base workbook split for substitution: parts as literal chunks and (marker, number) slots."""

    spec: BaseSpec
    parts: tuple[tuple[str, tuple[bytes | tuple[str, int], ...]], ...]


def _to_shared_strings(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Move every inline string into a shared-string table, as Excel stores text cells."""
    table: dict[bytes, int] = {}

    def repl(m: re.Match[bytes]) -> bytes:
        idx = table.setdefault(m.group(3), len(table))
        return m.group(1) + b't="s"' + m.group(2) + b"><v>" + str(idx).encode() + b"</v></c>"

    out = dict(parts)
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            out[name] = _INLINE.sub(repl, data)
    sst = b"".join(b"<si>" + s + b"</si>" for s in table)
    out["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (len(table), len(table)) + sst + b"</sst>")
    ct = out["[Content_Types].xml"]
    if b"sharedStrings" not in ct:
        out["[Content_Types].xml"] = ct.replace(
            b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_CT}"/></Types>'.encode())
    rels = out["xl/_rels/workbook.xml.rels"]
    if b"sharedStrings" not in rels:
        out["xl/_rels/workbook.xml.rels"] = rels.replace(
            b"</Relationships>",
            f'<Relationship Id="rIdSst1" Type="{_SST_REL}" Target="sharedStrings.xml"/></Relationships>'.encode())
    return out


def _split(data: bytes) -> tuple[bytes | tuple[str, int], ...]:
    chunks: list[bytes | tuple[str, int]] = []
    pos = 0
    for m in _MARKER.finditer(data):
        chunks.append(data[pos:m.start()])
        if m.group(1) is not None:
            chunks.append((m.group(1).decode(), int(m.group(2) or 0)))
        else:
            chunks.append(("N" if m.group(3) == b"9" else "V", int(m.group(4))))
        pos = m.end()
    chunks.append(data[pos:])
    return tuple(chunks)


def make_base(spec: BaseSpec, folder: Path) -> Base:
    """Fill one base workbook from the real template with openpyxl, then split it at its markers."""
    fw = fwmod.load()
    ms = _samples()
    date = ms.PROFILES[spec.profile][2]
    levels: dict[str, object] = {}
    for k, ind in enumerate(fw.indicators):
        levels[ind.id] = f"@@L{k:02d}@@" if spec.text_levels else 900000 + k
    if spec.fault == "free-text-levels":
        levels.update(FREE_TEXT)
    if spec.fault == "incomplete":
        for iid in INCOMPLETE_BLANK:
            levels.pop(iid)
        levels["24"] = "belum tahu"
    verified = {ind.id: 800000 + k for k, ind in enumerate(fw.indicators)} if spec.verified else None
    path = fill.fill_questionnaire(  # the current template, or the previous version for make_samples.LEGACY OPDs
        ms.template_for(spec.profile, folder), folder / f"base-{spec.name}.xlsx", opd="@@OPD@@", levels=levels,
        verified=verified,
        explanations={i.id: "Sudah diterapkan; lihat dokumen terlampir." for i in fw.indicators},
        evidence={i.id: f"@@CODE@@-ind{i.id}.pdf" for i in fw.indicators}, service_names=ms.SERVICE_NAMES,
        identity={"date_filled": date, "respondent": "Petugas SPBE @@CODE@@"},
        **ms.inventory(spec.profile))
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    # openpyxl stamps the time of saving: fixed, so that the same set gives the same bytes
    parts["docProps/core.xml"] = _MODIFIED.sub(b"<dcterms:modified\\1>2026-01-01T00:00:00Z</dcterms:modified>",
                                               parts["docProps/core.xml"])
    if spec.shared_strings:
        parts = _to_shared_strings(parts)
    return Base(spec, tuple((name, _split(data)) for name, data in parts.items()))


def render(base: Base, values: dict[tuple[str, int], bytes]) -> bytes:
    """The bytes of one .xlsx: the base with its markers replaced by ``values``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, chunks in base.parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)  # fixed: the same set gives the same bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, b"".join(c if isinstance(c, bytes) else values[c] for c in chunks))
    return buf.getvalue()


# ---------------------------------------------------------------- roster and plan


@dataclass(frozen=True)
class Plan:
    """One file to write: its name, OPD and base (or a byte-level fault)."""

    index: int
    filename: str
    code: str
    label: str
    base: str  # base name, or "corrupt-zip" / "pdf-renamed"
    mean: float


def roster_rows(n: int) -> list[dict[str, str]]:
    """Kaltara roster when it has enough OPDs, else a synthetic national roster of ``n`` OPDs."""
    with KALTARA_ROSTER.open(encoding="utf-8-sig") as fh:
        kaltara = list(csv.DictReader(fh))
    if n <= len(kaltara):
        return kaltara
    return [{"kode": f"OPD-{i:05d}", "nama": f"{kaltara[(i - 1) % len(kaltara)]['nama']} Satuan {i:05d}",
             "jenis": kaltara[(i - 1) % len(kaltara)].get("jenis", ""), "alias": "",
             "email": f"opd-{i:05d}.bench.example"} for i in range(1, n + 1)]


def plan(n: int, rows: Sequence[dict[str, str]]) -> list[Plan]:
    """Assign each of ``n`` files an OPD, a base and a mean level; ~1% (at least 4) are faulty."""
    rng = random.Random(20261129 + n)
    n_faulty = max(len(FAULT_KINDS), round(n * 0.01))
    faulty = {(k + 1) * n // (n_faulty + 1): FAULT_KINDS[k % len(FAULT_KINDS)] for k in range(n_faulty)}
    fault_base = {"free-text-levels": FAULTY_BASES[0].name, "incomplete": FAULTY_BASES[1].name}
    out = []
    for i in range(n):
        row = rows[i % len(rows)]
        code, name = row["kode"], row["nama"]
        kind = faulty.get(i, "")
        base = fault_base.get(kind, kind) or BASES[i % len(BASES)].name
        out.append(Plan(i, f"Kuesioner SPBE 2026 - {code}.xlsx", code, f"{code} - {name}", base,
                        rng.uniform(0.3, 4.7)))
    return out


# ---------------------------------------------------------------- writing


_BASES: dict[str, Base] = {}
_CHOICES: list[list[bytes]] = []
_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def _init(bases: dict[str, Base]) -> None:
    fw = fwmod.load()
    _BASES.clear()
    _BASES.update(bases)
    _CHOICES[:] = [[escape(f"{lv} - {fw.level_name(ind.capability, lv)}").encode() for lv in fw.levels]
                   for ind in fw.indicators]


def _write_one(args: tuple[Plan, str]) -> None:
    p, folder = args
    out = Path(folder) / p.filename
    fw = fwmod.load()
    rng = random.Random(p.index)
    if p.base == "pdf-renamed":
        out.write_bytes(_PDF + rng.randbytes(20_000))
        return
    values: dict[tuple[str, int], bytes] = {("OPD", 0): escape(p.label).encode(), ("CODE", 0): escape(p.code).encode()}
    for k, _ind in enumerate(fw.indicators):
        lv = max(fw.level_min, min(fw.level_max, round(rng.gauss(p.mean, 0.7))))
        ver = lv - 1 if k % 4 == 3 and lv > fw.level_min else lv
        values["N", k] = b"<v>%d</v>" % lv
        values["V", k] = b"<v>%d</v>" % ver
        values["L", k] = _CHOICES[k][lv - fw.level_min]
    if p.base == "corrupt-zip":
        data = render(_BASES[BASES[0].name], values)
        out.write_bytes(data[: len(data) // 2])  # an attachment cut off in transfer
        return
    out.write_bytes(render(_BASES[p.base], values))


def generate(n: int, out_root: Path, *, workers: int = 2, force: bool = False) -> tuple[Path, Path, dict]:
    """Generate (or reuse) a set of ``n`` files. Returns (input folder, roster CSV, manifest)."""
    target = out_root / f"set-v{GEN_VERSION}-n{n}"
    manifest_path = target / "manifest.json"
    if manifest_path.exists() and not force:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        return target / "input", target / "roster.csv", manifest
    if target.exists():
        shutil.rmtree(target)
    (target / "bases").mkdir(parents=True)
    folder = target / "input"
    folder.mkdir()
    rows = roster_rows(n)
    roster_path = target / "roster.csv"
    with roster_path.open("w", encoding="utf-8", newline="") as fh:
        fields = ["kode", "nama", "jenis", "alias", "email"]
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows({k: r.get(k, "") for k in fields} for r in rows)
    rostermod.load(str(roster_path))  # fail here, not in the benchmark, if the roster is invalid
    bases = {spec.name: make_base(spec, target / "bases") for spec in (*BASES, *FAULTY_BASES)}
    plans = plan(n, rows)
    jobs = [(p, str(folder)) for p in plans]
    if workers > 1 and n >= 200:
        with mp.get_context("fork").Pool(workers, initializer=_init, initargs=(bases,)) as pool:
            for _ in pool.imap_unordered(_write_one, jobs, chunksize=64):
                pass
    else:
        _init(bases)
        for job in jobs:
            _write_one(job)
    counts: dict[str, int] = {}
    for p in plans:
        counts[p.base] = counts.get(p.base, 0) + 1
    manifest = {"n": n, "gen_version": GEN_VERSION, "files": counts,
                "faulty": sum(v for k, v in counts.items() if k in FAULT_KINDS or k.startswith("fault-")),
                "bytes": sum(f.stat().st_size for f in folder.iterdir()), "roster_opds": len(rows)}
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder, roster_path, manifest


# ---------------------------------------------------------------- the same set, e-mailed


def mail_sets(n: int, out_root: Path, *, force: bool = False) -> tuple[Path, Path, Path]:
    """The set of ``n`` as saved e-mails. Returns (one .eml per file folder, one .mbox folder, roster CSV)."""
    import datetime as dt
    import sys

    sys.path.insert(0, str(ROOT))
    from tools import mailmake

    folder, roster_path, _ = generate(n, out_root, force=force)
    target = folder.parent
    eml_dir, mbox_dir, done = target / "input-eml", target / "input-mbox", target / "mail.json"
    if done.exists() and not force:
        return eml_dir, mbox_dir, roster_path
    for d in (eml_dir, mbox_dir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir()
    emails = {r["kode"]: r.get("email", "") for r in csv.DictReader(roster_path.open(encoding="utf-8"))}
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    messages = []
    for i, path in enumerate(sorted(folder.iterdir())):
        code = path.stem.rsplit(" - ", 1)[-1]
        domain = emails.get(code) or "opd.bench.example"
        data = mailmake.eml(f"Petugas SPBE {code} <spbe@{domain}>", f"Kuesioner SPBE 2026 - {code}",
                            start + dt.timedelta(minutes=7 * i), [(path.name, path.read_bytes()),
                                                                   (f"Data dukung {code}.pdf", _PDF)])
        (eml_dir / f"{path.stem}.eml").write_bytes(data)
        messages.append(data)
    (mbox_dir / "Kotak masuk SPBE.mbox").write_bytes(mailmake.mbox(messages))
    done.write_text(json.dumps({"n": n, "messages": len(messages)}), encoding="utf-8")
    return eml_dir, mbox_dir, roster_path
