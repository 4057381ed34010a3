"""Build the packaged framework catalogs from the reference YAML (developer tool).

Run from the repository root: ``python tools/build_catalogs.py ../shared/reference``.
The pipeline never reads the reference folder at run time; it reads only the JSON
catalogs this script writes into ``pipeline/catalogs/``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "pipeline" / "catalogs"

EXACT = {3.3333: "20/6"}

# Application functions (Aplikasi sheet dropdown) mapped to each catalog's service indicators.
SERVICES_2018 = [
    ("naskah-dinas", "Naskah dinas / persuratan", ["25"]),
    ("kepegawaian", "Kepegawaian", ["26"]),
    ("perencanaan", "Perencanaan", ["27"]),
    ("penganggaran", "Penganggaran", ["28"]),
    ("keuangan", "Keuangan", ["29"]),
    ("kinerja", "Kinerja", ["30"]),
    ("pengadaan", "Pengadaan barang/jasa", ["31"]),
    ("pengaduan", "Pengaduan publik", ["32"]),
    ("jdih", "JDIH (dokumentasi hukum)", ["33"]),
    ("wbs", "Whistle-blowing system (WBS)", ["34"]),
    ("layanan-publik", "Layanan publik", ["35a", "35b", "35c"]),
]
SERVICES_2020 = [
    ("perencanaan", "Perencanaan", ["32"]),
    ("penganggaran", "Penganggaran", ["33"]),
    ("keuangan", "Keuangan", ["34"]),
    ("pengadaan", "Pengadaan barang/jasa", ["35"]),
    ("kepegawaian", "Kepegawaian", ["36"]),
    ("naskah-dinas", "Naskah dinas / kearsipan dinamis", ["37"]),
    ("barang-milik-daerah", "Barang milik daerah", ["38"]),
    ("pengawasan-internal", "Pengawasan internal", ["39"]),
    ("akuntabilitas-kinerja", "Akuntabilitas kinerja organisasi", ["40"]),
    ("kinerja", "Kinerja pegawai", ["41"]),
    ("pengaduan", "Pengaduan pelayanan publik", ["42"]),
    ("data-terbuka", "Data terbuka", ["43"]),
    ("jdih", "JDIH (dokumentasi hukum)", ["44"]),
    ("layanan-publik", "Layanan publik sektor", ["45", "46", "47"]),
]

META = {
    "permenpanrb-5-2018": {
        "regulation": "Peraturan Menteri PANRB Nomor 5 Tahun 2018 tentang Pedoman Evaluasi SPBE",
        "short": "PermenPANRB 5/2018",
        "services": SERVICES_2018,
        "level0_name": "Belum Ada",
        "confidence": [
            "Bobot domain 17/28/55 dikonfirmasi dua sumber; bobot aspek dan indikator berasal dari satu "
            "sumber (basis data aplikasi evaluasi Kota Denpasar) dan mereproduksi nilai tercatat Denpasar.",
            "Indikator 35 dinilai untuk 3 layanan publik (35a/35b/35c), masing-masing berbobot 20/6.",
            "Nama level untuk kerangka 2018 disimpulkan dari pola kerangka 2020 (tidak ada teks 2018 yang "
            "menamainya); level 5 layanan mungkin bernama 'Optimalisasi'.",
            "Pita predikat berasal dari kode aplikasi dan berita, sama dengan kerangka 2020.",
        ],
    },
    "permenpanrb-59-2020": {
        "regulation": "Peraturan Menteri PANRB Nomor 59 Tahun 2020 tentang Pemantauan dan Evaluasi SPBE",
        "short": "PermenPANRB 59/2020",
        "services": SERVICES_2020,
        "level0_name": None,
        "confidence": [
            "Struktur, bobot, rumus dan pita predikat dikonfirmasi dua sumber atau lebih (teks regulasi "
            "Tabel 7-13, laporan evaluasi KemenPANRB 2023/2024).",
            "Laporan 2023/2024 mencetak 3,50% untuk indikator 42-47; itu salah cetak, regulasi menyebut 3,00.",
            "Aturan batas pita berbeda antar tahun terbit: 2023 memakai indeks dibulatkan 2 desimal, 2024 "
            "memakai indeks tanpa pembulatan (bawaan).",
        ],
    },
}


def weight_text(value: float, indicator: dict) -> str:
    if "weight_exact" in indicator:
        return str(indicator["weight_exact"])
    if value in EXACT:
        return EXACT[value]
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text


def build(ref: Path, year: str) -> dict:
    fw = yaml.safe_load((ref / f"framework-{year}.yaml").read_text(encoding="utf-8"))
    crit = {str(c["id"]): c for c in yaml.safe_load((ref / f"criteria-{year}.yaml").read_text(encoding="utf-8"))}
    meta = META[fw["framework"]]
    lo, hi = fw["level_scale"]["min"], fw["level_scale"]["max"]
    names = {}
    for scale, rows in fw["capability_levels"].items():
        names[scale] = {}
        for row in rows:
            name = str(row["name"])
            if row["level"] == 0:
                name = meta["level0_name"]
            name = name.replace(" (possibly Optimalisasi)", "")
            names[scale][str(row["level"])] = name
    bands = []
    for b in fw["predikat"]:
        low = b.get("min", lo)
        high = b.get("max", b.get("max_exclusive"))
        bands.append({"name": b["name"], "min": f"{low}", "max": f"{high}"})
    bands.sort(key=lambda b: float(b["min"]))
    aspects = {a["id"]: a for a in fw["aspects"]}
    indicators = []
    for ind in fw["indicators"]:
        iid = str(ind["id"])
        c = crit[iid]
        levels = {str(k): str(v) for k, v in sorted(c["levels"].items())}
        slot = c.get("service_slot") or c.get("sector_slot")
        indicators.append(
            {
                "id": iid,
                "aspect": ind["aspect"],
                "name": c["name"] if year == "2018" else ind["name"],
                "weight": weight_text(ind["weight"], ind),
                "question": c["question"].strip(),
                "explanation": c["explanation"].strip(),
                "evidence": c["evidence"].strip(),
                "levels": levels,
                "service_slot": slot,
                "source_note": c.get("source_note"),
            }
        )
    return {
        "id": fw["framework"],
        "title": fw["title"],
        "regulation": meta["regulation"],
        "short_name": meta["short"],
        "cycles": fw["cycles"],
        "levels": {"min": lo, "max": hi},
        "level_names": names,
        "band_rule": "unrounded",
        "bands": bands,
        "domains": [{"id": d["id"], "name": d["name"], "weight": weight_text(d["weight"], d)} for d in fw["domains"]],
        "aspects": [
            {
                "id": a["id"],
                "domain": a["domain"],
                "name": a["name"],
                "weight": weight_text(a["weight"], a),
                "capability": a["capability"],
            }
            for a in aspects.values()
        ],
        "indicators": indicators,
        "services": [{"key": k, "label": lab, "indicators": ids} for k, lab, ids in meta["services"]],
        "sources": [line.strip("# ").rstrip() for line in (ref / f"framework-{year}.yaml").read_text(encoding="utf-8").splitlines() if line.startswith("#")],
        "confidence_notes": meta["confidence"],
    }


def main() -> None:
    ref = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference")
    for year in ("2018", "2020"):
        cat = build(ref, year)
        path = OUT / f"{cat['id']}.json"
        path.write_text(json.dumps(cat, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
