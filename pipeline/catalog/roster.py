"""The OPD roster: codes, official names and aliases, and matching of typed OPD names.

The roster is a CSV file (columns ``kode,nama,jenis,alias,kode_lama``; aliases separated by ``;``; an
optional ``email`` column lists the OPD's e-mail addresses or domains, separated by ``;``, which tie a file
that arrived by e-mail to its OPD when the file itself cannot). ``kode_lama`` names the codes an OPD had in
earlier years (renamed: its old code; merged: each merged OPD's code, separated by ``;``; split: the OPD it
came from), so that earlier rekaps find it. The packaged sample is the Pemerintah Provinsi Kalimantan Utara;
a user passes their own with ``--roster FILE``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.errors import CatalogError

DEFAULT_ROSTER = Path(__file__).resolve().parent.parent / "data" / "roster-kaltara.csv"
REQUIRED_COLUMNS = ("kode", "nama")


@dataclass(frozen=True)
class Opd:
    code: str
    name: str
    kind: str = ""
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()  # addresses ("it@bkd.example.go.id") or domains ("bkd.example.go.id"), lower case
    former: tuple[str, ...] = ()  # kode_lama: its codes in earlier years

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

    _codes: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _senders: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _longest: int = field(default=1, init=False, repr=False, compare=False, hash=False)
    _heirs: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        keys: dict[str, Opd] = {}
        for opd in self.opds:
            for text in (opd.code, opd.name, opd.label, *opd.aliases):
                keys.setdefault(normalise(text), opd)
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "_codes", {opd.code: opd for opd in self.opds})
        object.__setattr__(self, "_senders", {e: opd for opd in self.opds for e in opd.emails})
        object.__setattr__(self, "_longest", max((k.count(" ") + 1 for k in keys), default=1))
        heirs: dict[str, tuple[Opd, ...]] = {}
        for opd in self.opds:
            for old in opd.former:
                heirs[old] = (*heirs.get(old, ()), opd)
        object.__setattr__(self, "_heirs", heirs)

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
        """The OPD a file name points to: the longest code, name or alias found in it as whole words."""
        words = normalise(stem).split()
        best: tuple[int, str] | None = None
        found: Opd | None = None
        # look up every run of consecutive words (bounded by the longest alias), not every alias
        for start in range(len(words)):
            for end in range(start + 1, min(len(words), start + self._longest) + 1):
                key = " ".join(words[start:end])
                opd = self._keys.get(key)
                if opd is not None and len(key) >= 3 and (best is None or (len(key), key) > best):
                    best, found = (len(key), key), opd
        return found

    def by_code(self, code: str) -> Opd | None:
        return self._codes.get(code)

    def by_sender(self, address: str) -> Opd | None:
        """The OPD an e-mail address belongs to: the address itself listed, else its domain or a parent domain."""
        address = address.strip().lower()
        if address in self._senders:
            return self._senders[address]
        domain = address.rpartition("@")[2]
        while domain:
            if domain in self._senders:
                return self._senders[domain]
            domain = domain.partition(".")[2]
        return None

    def successors(self, code: str, name: str = "") -> tuple[Opd, ...]:
        """The OPDs an earlier year's OPD (its code and name) is today: every OPD naming ``code`` in its
        ``kode_lama`` and the OPD with that code; when there is none, the OPD its name or an alias names."""
        found = [*self._heirs.get(code, ()), *filter(None, [self.by_code(code)])]
        if not found and name and (opd := self.match(name)) is not None:
            found.append(opd)
        return tuple(dict.fromkeys(found))


@lru_cache(maxsize=8)
def load(path: str | None = None) -> Roster:
    """Load a roster CSV; raise CatalogError naming the bad row."""
    p = Path(path) if path else DEFAULT_ROSTER
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError("error.roster-unreadable", path=str(p), error=str(exc)) from None
    reader = csv.DictReader(text.splitlines())
    cols = [c.strip().lower() for c in reader.fieldnames or []]
    for need in REQUIRED_COLUMNS:
        if need not in cols:
            raise CatalogError("error.roster-column", path=str(p), column=need)
    opds: list[Opd] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(reader, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k}
        code, name = row.get("kode", ""), row.get("nama", "")
        if not code and not name:
            continue
        if not code or not name:
            raise CatalogError("error.roster-both-required", path=str(p), line=n)
        if code in seen:
            raise CatalogError("error.roster-duplicate-code", path=str(p), line=n, code=repr(code), first=seen[code])
        seen[code] = n
        aliases, former = (tuple(a.strip() for a in row.get(k, "").split(";") if a.strip()) for k in ("alias",
                                                                                                  "kode_lama"))
        emails = tuple(e.strip().lower().lstrip("@") for e in row.get("email", "").split(";") if e.strip())
        opds.append(Opd(code, name, row.get("jenis", ""), aliases, emails, former))
    if not opds:
        raise CatalogError("error.roster-no-rows", path=str(p))
    roster = Roster(tuple(opds), str(p))
    # an alias naming two different OPDs would make matching ambiguous
    owners: dict[str, str] = {}
    for opd in opds:
        for text in (opd.code, opd.name, *opd.aliases):
            k = normalise(text)
            if k in owners and owners[k] != opd.code:
                raise CatalogError("error.roster-alias-clash", path=str(p), name=repr(text), a=owners[k], b=opd.code)
            owners[k] = opd.code
    senders: dict[str, str] = {}
    for opd in opds:  # an address or domain of two OPDs would tie a file to either
        for e in opd.emails:
            if senders.setdefault(e, opd.code) != opd.code:
                raise CatalogError("error.roster-email-clash", path=str(p), email=repr(e), a=senders[e], b=opd.code)
    return roster
