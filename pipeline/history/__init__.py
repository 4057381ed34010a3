"""The history stage: earlier years' rekaps read, checked and matched to today's OPDs (after scoring).

``spbe merge`` looks for the earlier ``rekap-spbe-<year>.xlsx`` in the output folder (or every workbook of
a folder given with ``--history``), reads each one's Data sheet in a worker (:mod:`.read`), keeps one
rekap per earlier year, matches every OPD in it to today's roster and computes what the report shows: a
:class:`History`. The report only reads it. Nothing here raises for a bad file: every problem is a
finding (shown in Validasi), and the rekap or the OPD it concerns is left out.

OPD identity across years (:meth:`pipeline.catalog.roster.Roster.successors`): an earlier OPD is every
OPD that names its code in ``kode_lama`` and the OPD with its code, else the OPD its name or an alias
names; one that matches none is listed, never guessed. An OPD made of several earlier ones (a merger)
takes, per year, the mean of their figures; an earlier OPD that became several (a split) gives its figures
to each. A rekap whose OPDs mostly match no OPD of the roster is another roster's (another province's).

Across catalogs the index and predikat compare directly (same scale, same bands); indicators only through
a crosswalk (:mod:`pipeline.catalog.crosswalk`), domains not at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pipeline import settings
from pipeline.catalog import crosswalk
from pipeline.catalog import framework as fwmod
from pipeline.findings import Finding
from pipeline.history import read
from pipeline.scoring.index import predikat_of
from pipeline.scoring.rank import competition_ranks
from pipeline.workers import Workers

if TYPE_CHECKING:
    from pipeline.batch import MergeResult

NAME = re.compile(r"rekap-spbe-(\d{4})", re.IGNORECASE)  # how merge names a rekap (a copy's name goes on)
_LOCK = re.compile(r"^(?:~\$|\.~lock\.)(.+?)#?$")  # Excel's and LibreOffice's lock files
NEW, STOPPED = "new", "stopped"


class Source(NamedTuple):
    """One earlier rekap looked at: what it is and whether it was used (why not: its findings)."""

    file: str
    year: int | None
    framework: str  # catalog id ("" when unreadable)
    version: int | None
    opds: int
    used: bool


class Province(NamedTuple):
    """The province in one year: OPDs scored, mean index and predikat, domain means (None: another catalog's)."""

    year: int
    framework: str  # catalog id
    count: int
    mean: Fraction | None  # None: no OPD scored
    predikat: str
    domains: dict[str, Fraction] | None


class Row(NamedTuple):
    """One OPD of the Tren sheet (a roster OPD with a figure in some year)."""

    code: str
    name: str
    status: str  # NEW (scored now, no earlier figure), STOPPED (an earlier figure, not scored now) or ""
    points: tuple[tuple[Fraction, str] | None, ...]  # (index, predikat) per year of History.years
    change_last: Fraction | None  # since the last earlier year
    change_first: Fraction | None  # since its first year
    rank_then: int | None  # in the last earlier year (None: no figure, or a merger's mean)
    rank_now: int | None
    origins: tuple[tuple[int, tuple[str, ...], bool], ...]  # (year, earlier codes, split) where not its own code


class Memory(NamedTuple):
    """One indicator of this year's catalog on a gap sheet: last year's level and printed target."""

    level: Fraction | None  # None: not comparable (no counterpart in last year's catalog)
    target: Fraction | None  # None: not comparable, or a format-1 rekap (no targets)


@dataclass(frozen=True)
class History:
    """Everything the report shows of earlier years; ``years`` ends with this year."""

    folder: str
    sources: tuple[Source, ...] = ()
    findings: tuple[Finding, ...] = ()
    years: tuple[int, ...] = ()
    province: tuple[Province, ...] = ()  # per year of ``years``
    rows: tuple[Row, ...] = ()  # sorted by change since the last earlier year
    unmatched: tuple[tuple[int, str, str, Fraction], ...] = ()  # (year, code, name, index)
    memory: dict[str, tuple[Memory, ...] | None] | None = None  # scored OPD -> per indicator (None: no figure)

    @property
    def used(self) -> tuple[int, ...]:
        """The earlier years used."""
        return self.years[:-1]

    def row(self, code: str) -> Row | None:
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, Row]:
        return {r.code: r for r in self.rows}


def candidates(folder: Path, year: int, *, every: bool, output: Path | None = None) -> tuple[list[Path], list[Path]]:
    """The earlier rekaps in ``folder`` (``every``: every workbook there) and the lock files beside them."""
    files, locks = [], []
    for p in sorted(folder.iterdir() if folder.is_dir() else [], key=lambda p: p.name):
        m = NAME.match(p.name)
        if not p.is_file() or (output is not None and p.resolve() == output.resolve()):
            continue
        if _LOCK.match(p.name):
            locks.append(p)
        elif p.suffix.lower() in (".xlsx", ".xlsm") and (m or every) and not (m and int(m[1]) >= year):
            files.append(p)
    return files, locks


def load(folder: Path, result: MergeResult, workers: Workers, *, every: bool = False,
         output: Path | None = None) -> History:
    """Read, check and match the earlier rekaps in ``folder``; the :class:`History` of ``result``.

    Args:
        folder: where the earlier rekaps are (the output folder, or ``--history DIR``).
        result: this year's merged batch (its year, catalog, roster, scores).
        workers: the pool that reads the rekaps.
        every: read every workbook in ``folder``, not only those named ``rekap-spbe-<year>``.
        output: this run's own output file (never read as history).
    """
    files, locks = candidates(folder, result.year, every=every, output=output)
    tasks = [read.Task(str(p), p.name, result.framework.path or result.framework.id) for p in files]
    rekaps = [r if isinstance(r, read.Rekap) else read.Rekap(t.rel, "", findings=(
        Finding("history-unreadable", t.rel, found=r.reason),)) for t, r in
        zip(tasks, workers.map(read.read_one, tasks, settings.HISTORY_TIMEOUT_S), strict=True)]
    findings = [f for r in rekaps for f in r.findings]
    for lock in locks:
        target = _LOCK.match(lock.name)[1]
        hit = next((p.name for p in files if p.name == target or p.name.endswith(target)), None)
        if hit:
            findings.append(Finding("history-open-in-excel", hit, found=lock.name))
    by_year: dict[int, list[read.Rekap]] = {}
    for r in rekaps:
        if r.year is not None and r.year < result.year:
            by_year.setdefault(r.year, []).append(r)
    used: list[tuple[read.Rekap, dict[str, tuple[str, ...]]]] = []
    unmatched = []
    for year in sorted(by_year):
        group = by_year[year]
        if len(group) > 1:
            findings += [Finding("history-year-twice", r.file, found=str(year),
                                 detail=", ".join(o.file for o in group if o is not r)) for r in group]
            continue
        rekap = group[0]
        if not rekap.opds:  # every OPD left out (its findings say why): nothing of that year to show
            continue
        match = {o.code: tuple(x.code for x in result.roster.successors(o.code, o.name)) for o in rekap.opds}
        lost = [o for o in rekap.opds if not match[o.code]]
        if len(lost) * 2 > len(rekap.opds):
            findings.append(Finding("history-other-roster", rekap.file, found=str(len(lost)),
                                    expected=str(len(rekap.opds))))
            continue
        findings += [Finding("history-opd-unmatched", rekap.file, found=o.code, expected=o.name, detail=str(year))
                     for o in lost]
        unmatched += [(year, o.code, o.name, o.index) for o in lost]
        used.append((rekap, match))
    chosen = {r.file for r, _ in used}
    sources = tuple(Source(r.file, r.year, r.framework, r.version, len(r.opds), r.file in chosen) for r in rekaps)
    if not used:
        return History(str(folder), sources, tuple(findings))
    return _trend(result, used, History(str(folder), sources, tuple(findings), unmatched=tuple(unmatched)))


def _mean(values: Sequence[Fraction | int]) -> Fraction:
    return Fraction(sum(values)) / len(values)


def _trend(result: MergeResult, used: list[tuple[read.Rekap, dict[str, tuple[str, ...]]]], base: History) -> History:
    """The figures of every roster OPD per year, the province per year and the gap sheets' memory."""
    fw, ros = result.framework, result.roster
    years = (*(r.year for r, _ in used), result.year)
    frameworks = {r.framework: fw if r.framework == fw.id else fwmod.load(r.framework) for r, _ in used}
    # per year: today's OPD code -> the earlier OPDs it is made of
    parts: list[dict[str, list[read.OpdYear]]] = []
    ranks: list[dict[str, int]] = []
    province: list[Province] = []
    for rekap, match in used:
        made: dict[str, list[read.OpdYear]] = {}
        for o in rekap.opds:
            for code in match[o.code]:
                made.setdefault(code, []).append(o)
        parts.append(made)
        order = competition_ranks([o.index for o in rekap.opds])
        ranks.append({o.code: n for o, n in zip(rekap.opds, order, strict=True)})
        yfw = frameworks[rekap.framework]
        mean = _mean([o.index for o in rekap.opds])
        domains = {d.id: _mean([o.domains[d.id] for o in rekap.opds]) for d in fw.domains} \
            if rekap.framework == fw.id else None
        province.append(Province(rekap.year, rekap.framework, len(rekap.opds), mean, predikat_of(yfw, mean), domains))
    s = result.summary
    province.append(Province(result.year, fw.id, len(result.scores), s.mean_index if s else None,
                             s.predikat if s else "", dict(s.domain_means) if s and s.count else None))
    heirs_of = {}  # (year index, earlier code) -> how many of today's OPDs it became
    for k, made in enumerate(parts):
        for olds in made.values():
            for o in olds:
                heirs_of[k, o.code] = heirs_of.get((k, o.code), 0) + 1
    now_rank = {x.opd: x.rank for x in result.ranking}
    rows = []
    for opd in ros.opds:
        points: list[tuple[Fraction, str] | None] = []
        origins = []
        for k, made in enumerate(parts):
            olds = made.get(opd.code, [])
            if not olds:
                points.append(None)
                continue
            mean = _mean([o.index for o in olds])
            yfw = frameworks[used[k][0].framework]
            points.append((mean, olds[0].predikat if len(olds) == 1 else predikat_of(yfw, mean)))
            if [o.code for o in olds] != [opd.code]:
                origins.append((years[k], tuple(o.code for o in olds), any(heirs_of[k, o.code] > 1 for o in olds)))
        score = result.scores.get(opd.code)
        points.append((score.index, score.predikat) if score else None)
        if not any(points):
            continue
        earlier = [p for p in points[:-1] if p]
        last = parts[-1].get(opd.code, [])
        status = NEW if score and not earlier else STOPPED if not score and earlier else ""
        rows.append(Row(opd.code, opd.name, status, tuple(points),
                        score.index - points[-2][0] if score and points[-2] else None,
                        score.index - earlier[0][0] if score and earlier else None,
                        ranks[-1][last[0].code] if len(last) == 1 else None, now_rank.get(opd.code),
                        tuple(origins)))
    rows.sort(key=lambda r: (r.change_last is None, -(r.change_last or 0), r.name.casefold(), r.code))
    return History(base.folder, base.sources, base.findings, years, tuple(province), tuple(rows), base.unmatched,
                   _memory(result, parts[-1], used[-1][0].framework))


def _memory(result: MergeResult, made: dict[str, list[read.OpdYear]],
            earlier: str) -> dict[str, tuple[Memory, ...] | None]:
    """Per scored OPD and indicator: the last earlier year's level and target (means over a merger's parts)."""
    fw = result.framework
    pairs = crosswalk.between(earlier, fw)
    out: dict[str, tuple[Memory, ...] | None] = {}
    for code in result.scores:
        olds = made.get(code)
        if not olds:
            out[code] = None
            continue
        rows = []
        for ind in fw.indicators:
            src = pairs.get(ind.id)
            if not src:
                rows.append(Memory(None, None))
                continue
            level = _mean([o.levels[i] for o in olds for i in src])
            targets = [o.targets.get(i) for o in olds for i in src]
            rows.append(Memory(level, _mean(targets) if None not in targets else None))
        out[code] = tuple(rows)
    return out
