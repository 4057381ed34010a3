"""Reading one typed value: a level, a dropdown choice, a date, a whole number (as OPD staff type them).

Every function is pure and returns what it read plus how (clean, coerced or unusable); the caller
reports findings with the cell.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from pipeline import layout as L
from pipeline.catalog.framework import Framework
from pipeline.i18n import Num
from pipeline.intake.raw import BOOL, EMPTY, ERRORVAL, NUMBER, RawCell
from pipeline.text import fold

# ---------------------------------------------------------------- dates and numbers

_MONTHS = {m: i for i, m in enumerate(
    ["januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november",
     "desember"], start=1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS.update({"agt": 8, "okt": 10, "des": 12, "mar": 3, "may": 5, "aug": 8, "oct": 10, "dec": 12})


def parse_date(cell: RawCell) -> dt.date | None:
    if cell.kind == NUMBER:
        serial = float(cell.value)
        if 20000 < serial < 80000:  # 1954..2119: an Excel date serial (1900 system)
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))
        return None
    text = str(cell.value).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
        if m:
            d, mo, y = int(m[1]), int(m[2]), int(m[3])
        else:
            m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})", text)
            if not m or m[2].casefold() not in _MONTHS:
                return None
            d, mo, y = int(m[1]), _MONTHS[m[2].casefold()], int(m[3])
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def parse_int(text: str) -> int | None:
    t = text.strip().replace(".", "").replace(",", "") if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text.strip()) else text
    try:
        f = float(str(t).strip().replace(",", "."))
    except ValueError:
        return None
    return int(f) if f.is_integer() else None


# ---------------------------------------------------------------- levels

_DASHES = "-–—‐‑−"


_LEVEL_CHOICES: dict[tuple[str, str, str], tuple[dict[str, int], dict[str, int]]] = {}


def _level_choices(fw: Framework, capability: str) -> tuple[dict[str, int], dict[str, int]]:
    """({folded level name: level}, {dropdown text "3 - Terpadu...": level}) of a capability, once per catalog."""
    key = (fw.id, fw.fingerprint, capability)
    if key not in _LEVEL_CHOICES:
        _LEVEL_CHOICES[key] = ({fold(fw.level_name(capability, lv)): lv for lv in fw.levels},
                               {L.level_choice(fw, capability, lv): lv for lv in fw.levels})
    return _LEVEL_CHOICES[key]


def parse_level(cell: RawCell | None, fw: Framework, capability: str) -> tuple[int | None, str, str]:
    """Read one level cell. Returns (level or None, finding code or "", what was expected/read as).

    The code is "" for a clean answer (a whole number or an exact dropdown choice), "level-coerced"
    when the answer was read after normalising it, or the code of the problem.
    """
    lo, hi = fw.level_min, fw.level_max
    scale = f"{lo}-{hi}"
    if cell is None or (cell.value is None and cell.formula is None) or cell.kind == EMPTY and cell.formula is None:
        return None, "level-blank", ""
    if cell.formula is not None:
        return None, "level-formula", ""
    if cell.kind == ERRORVAL:
        return None, "level-error-value", ""
    if cell.kind == BOOL:
        return None, "level-unparseable", scale
    if cell.kind == NUMBER:
        v = float(cell.value)
        if not v.is_integer() or not lo <= v <= hi:
            return None, "level-out-of-range", f"{lo}-{hi}"
        return int(v), "", ""
    raw = str(cell.value)
    if not raw.strip():
        return None, "level-blank", ""
    names, choices = _level_choices(fw, capability)
    if raw in choices:
        return choices[raw], "", ""
    text = unicodedata.normalize("NFKC", raw).strip()
    for d in _DASHES:
        text = text.replace(d, "-")
    low = text.casefold()
    m = re.fullmatch(r"(?:level|tingkat|lvl|lv|l)?\s*[:.\-]?\s*(-?\d+)(?:[.,]0*)?\.?", low)
    if m is None:
        m2 = re.fullmatch(r"(?:level|tingkat)?\s*(-?\d+)\s*[-:.)]?\s*(.+)", low)
        if m2 and not re.search(r"\d", m2[2]):
            n, name = int(m2[1]), fold(m2[2])
            if name in names and names[name] != n:
                return None, "level-unparseable", scale
            m = m2
        elif fold(low) in names:
            lv = names[fold(low)]
            return lv, "level-coerced", str(lv)
        else:
            num = re.fullmatch(r"-?\d+[.,]\d+", low)
            if num:
                return None, "level-out-of-range", f"{lo}-{hi}"
            return None, "level-unparseable", scale
    n = int(m[1])
    if not lo <= n <= hi:
        return None, "level-out-of-range", f"{lo}-{hi}"
    return n, "level-coerced", str(n)


# ---------------------------------------------------------------- vocabularies


@lru_cache(maxsize=32)
def _vocab_index(vocab: L.Vocab) -> tuple[dict[str, tuple[str, str]], tuple[tuple[re.Pattern, str, str], ...]]:
    exact: dict[str, tuple[str, str]] = {}
    for key, label, _ in vocab:
        exact.setdefault(fold(label), (key, label))
        exact.setdefault(fold(key), (key, label))
    synonyms = tuple((re.compile(rf"(^| ){re.escape(fold(s))}( |$)"), key, label)
                     for key, label, syn in vocab for s in syn)
    return exact, synonyms


def match_vocab(text: str, vocab: L.Vocab) -> tuple[str, str, bool]:
    """Normalise a dropdown answer. Returns (key, label, exact); key "lainnya: <text>" when unknown.

    Exact labels and keys match silently; spellings from the vocabulary's synonyms, or a synonym
    contained in the text as whole words, match with exact=False (a coercion the caller reports).
    """
    t = fold(text)
    if not t:
        return "", "", True
    exact, synonyms = _vocab_index(vocab)
    if t in exact:
        return (*exact[t], True)
    if t.startswith(("lainnya", "lain lain", "other")):
        rest = re.sub(r"^(lainnya|lain lain|other)\s*[:\-]?\s*", "", text.strip(), flags=re.IGNORECASE)
        return (f"lainnya: {rest}" if rest else "lainnya"), (f"Lainnya: {rest}" if rest else "Lainnya"), True
    for pattern, key, label in synonyms:
        if pattern.search(t):
            return key, label, False
    return f"lainnya: {text.strip()}", f"Lainnya: {text.strip()}", False


def function_vocab(fw: Framework) -> L.Vocab:
    """The Aplikasi sheet's function dropdown of a catalog: its services, with the spellings people use."""
    syn = {
        "naskah-dinas": ("naskah dinas", "persuratan", "surat", "e-office", "srikandi", "tte", "arsip", "kearsipan",
                         "disposisi"),
        "kepegawaian": ("kepegawaian", "simpeg", "sapk", "siasn", "pegawai", "asn", "absensi", "presensi"),
        "perencanaan": ("perencanaan", "e-planning", "sipd perencanaan", "renja", "musrenbang"),
        "penganggaran": ("penganggaran", "anggaran", "e-budgeting", "sipd", "rka"),
        "keuangan": ("keuangan", "simda", "sp2d", "akuntansi", "bku", "siskeudes", "bendahara"),
        "kinerja": ("kinerja", "e-kinerja", "skp", "sakip", "e-sakip", "lakip"),
        "pengadaan": ("pengadaan", "spse", "lpse", "e-procurement", "sirup", "e-katalog", "tender"),
        "pengaduan": ("pengaduan", "lapor", "span lapor", "aspirasi", "keluhan"),
        "jdih": ("jdih", "dokumentasi hukum", "produk hukum", "peraturan"),
        "wbs": ("wbs", "whistle", "whistleblowing", "whistle blowing"),
        "layanan-publik": ("layanan publik", "pelayanan publik", "perizinan", "izin", "sicantik", "oss"),
        "barang-milik-daerah": ("barang milik daerah", "bmd", "aset", "simbada", "sima"),
        "pengawasan-internal": ("pengawasan", "audit", "siswaskeudes", "pengawasan internal"),
        "akuntabilitas-kinerja": ("akuntabilitas", "sakip", "e-sakip"),
        "data-terbuka": ("data terbuka", "open data", "satu data", "portal data"),
    }
    return tuple((s.key, s.label, syn.get(s.key, ())) for s in fw.services)


# ---------------------------------------------------------------- quantities (the Server and Jaringan tables)

_SCALES: dict[str, dict[str, float]] = {  # unit -> the words typed after a number and what they multiply it by
    "core": {"": 1, "core": 1, "cores": 1, "vcpu": 1, "cpu": 1, "inti": 1},
    "gb": {"": 1, "gb": 1, "g": 1, "gib": 1, "tb": 1000, "t": 1000, "tib": 1000, "mb": 0.001},
    "mbps": {"": 1, "mbps": 1, "mb": 1, "m": 1, "gbps": 1000, "kbps": 0.001},
    "rp": {"": 1, "ribu": 1e3, "rb": 1e3, "k": 1e3, "juta": 1e6, "jt": 1e6, "miliar": 1e9},
    "count": {"": 1, "kali": 1, "x": 1, "orang": 1, "pengguna": 1, "pegawai": 1},
    "year": {"": 1},
}
_SHOW = {"core": "{} vCPU", "gb": "{} GB", "mbps": "{} Mbps", "rp": "Rp {}", "count": "{}", "year": "{}"}
_EXAMPLE = {"core": "8", "gb": "16", "mbps": "50", "rp": "2500000", "count": "2", "year": "2019"}  # a plain number
_QTY = re.compile(r"(?:rp\.?|idr)?\s*(\d[\d.,]*)\s*([a-z]*)\.?\s*(?:,-|\.-)?\s*(?:(?:/|per)\s*(?:bulan|bln))?")


def _decimal(text: str) -> float:
    """A number as typed in Indonesia or elsewhere: "2.500.000", "2,500,000", "1,5", "1.5", "2.500.000,50"."""
    if "," in text and "." in text:  # both: the last one is the decimal separator
        point = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if point == "," else ",", "").replace(point, ".")
    elif re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):  # thousands groups
        text = text.replace(".", "").replace(",", "")
    return float(text.replace(",", "."))


def _shown(value: float) -> str:
    """A number as Python writes it, thousands grouped ("2,500,000", "0.512"): a Num shows it in the user's language."""
    return f"{int(value):,}" if value == int(value) else f"{value:,.6g}"


def parse_quantity(cell: RawCell | None, key: str, year: int) -> tuple[float | None, str, str]:
    """Read one number of the Server or Jaringan table (``key`` of :data:`layout.QUANTITIES`).

    Returns (value or None, finding code or "", what was expected or read as): "" for a number cell
    or a plain number typed as text; "number-coerced" when it was read from text such as "16 GB",
    "1,5 TB" or "Rp 2.500.000" (converted to the column's unit); "number-invalid" when it cannot
    be read; "value-implausible" when it is outside the column's plausible range (a year after
    ``year``, the evaluation year). A value is None unless the code is "" or "number-coerced".
    """
    unit, lo, hi = L.QUANTITIES[key]
    hi = hi or year
    if cell is None or (cell.value is None and cell.formula is None) or (cell.kind == EMPTY and cell.formula is None):
        return None, "", ""
    coerced = False
    if cell.formula is not None or cell.kind in (ERRORVAL, BOOL):
        return None, "number-invalid", _EXAMPLE[unit]
    if cell.kind == NUMBER:
        value = float(cell.value)
    else:
        text = unicodedata.normalize("NFKC", str(cell.value)).strip().casefold()
        m = _QTY.fullmatch(text)
        scale = _SCALES[unit].get(m[2]) if m else None
        try:
            value = _decimal(m[1]) * scale if scale is not None else None
        except ValueError:
            value = None
        if value is None:
            return None, "number-invalid", _EXAMPLE[unit]
        coerced = not re.fullmatch(r"\d+", text)
    if unit == "rp":
        value = float(round(value))
    elif unit in ("core", "count", "year") and value != int(value):
        return None, "number-invalid", _EXAMPLE[unit]
    if not lo <= value <= hi:
        return None, "value-implausible", Num(f"{_shown(lo)}-{_shown(hi)}")
    return value, "number-coerced" if coerced else "", Num(_SHOW[unit].format(_shown(value)))
