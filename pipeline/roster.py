"""The OPD roster: codes, official names and aliases, and matching of typed OPD names.

The roster is a CSV file (columns ``kode,nama,jenis,alias``; aliases separated by ``;``). The
packaged sample is the Pemerintah Provinsi Kalimantan Utara; a user passes their own with
``--roster FILE``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.errors import CatalogError

DEFAULT_ROSTER = Path(__file__).parent / "data" / "roster-kaltara.csv"
REQUIRED_COLUMNS = ("kode", "nama")


@dataclass(frozen=True)
class Opd:
    code: str
    name: str
    kind: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The dropdown text in the questionnaire: 'CODE - Official name'."""
        return f"{self.code} - {self.name}"


def normalise(text: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive key for matching names."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Roster:
    opds: tuple[Opd, ...]
    path: str = ""
    _keys: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        keys: dict[str, Opd] = {}
        for opd in self.opds:
            for text in (opd.code, opd.name, opd.label, *opd.aliases):
                keys.setdefault(normalise(text), opd)
        object.__setattr__(self, "_keys", keys)

    def match(self, text: str) -> Opd | None:
        """The OPD named by ``text`` (code, name, 'CODE - name' or alias), or None."""
        key = normalise(text)
        if not key:
            return None
        if key in self._keys:
            return self._keys[key]
        # "DISKOMINFO - something else": the code before a dash decides
        head = normalise(re.split(r"\s[-–—]\s|:", str(text), maxsplit=1)[0])
        return self._keys.get(head)

    def find_in_filename(self, stem: str) -> Opd | None:
        """The OPD a file name points to, when one code or alias appears in it as whole words."""
        key = f" {normalise(stem)} "
        hits = {opd.code: opd for k, opd in self._keys.items() if len(k) >= 3 and f" {k} " in key}
        if len(hits) == 1:
            return next(iter(hits.values()))
        # prefer the longest alias when several overlap (e.g. 'biro organisasi' vs 'biro')
        if hits:
            best = max(((k, opd) for k, opd in self._keys.items() if len(k) >= 3 and f" {k} " in key),
                       key=lambda kv: len(kv[0]))
            return best[1]
        return None

    def by_code(self, code: str) -> Opd | None:
        for opd in self.opds:
            if opd.code == code:
                return opd
        return None


@lru_cache(maxsize=8)
def load(path: str | None = None) -> Roster:
    """Load a roster CSV; raise CatalogError naming the bad row."""
    p = Path(path) if path else DEFAULT_ROSTER
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"roster file {p}: cannot be read ({exc}).") from None
    reader = csv.DictReader(text.splitlines())
    cols = [c.strip().lower() for c in reader.fieldnames or []]
    for need in REQUIRED_COLUMNS:
        if need not in cols:
            raise CatalogError(f"roster file {p}: column '{need}' is missing (columns: kode,nama,jenis,alias).")
    opds: list[Opd] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(reader, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k}
        code, name = row.get("kode", ""), row.get("nama", "")
        if not code and not name:
            continue
        if not code or not name:
            raise CatalogError(f"roster file {p}, line {n}: both 'kode' and 'nama' are required.")
        if code in seen:
            raise CatalogError(f"roster file {p}, line {n}: code {code!r} is already used on line {seen[code]}.")
        seen[code] = n
        aliases = tuple(a.strip() for a in row.get("alias", "").split(";") if a.strip())
        opds.append(Opd(code, name, row.get("jenis", ""), aliases))
    if not opds:
        raise CatalogError(f"roster file {p}: no OPD rows.")
    roster = Roster(tuple(opds), str(p))
    # an alias naming two different OPDs would make matching ambiguous
    owners: dict[str, str] = {}
    for opd in opds:
        for text in (opd.code, opd.name, *opd.aliases):
            k = normalise(text)
            if k in owners and owners[k] != opd.code:
                raise CatalogError(f"roster file {p}: name or alias {text!r} is used by both {owners[k]} and {opd.code}.")
            owners[k] = opd.code
    return roster
