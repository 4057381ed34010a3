"""Batch-level validation: consistency warnings and which submission of each OPD is kept."""

from __future__ import annotations

from collections import Counter

from pipeline import layout as L
from pipeline.findings import INCOMPLETE, OUTCOME_LABEL, WARNING, Finding
from pipeline.framework import Framework
from pipeline.models import FileOutcome, Submission


def consistency(fw: Framework, sub: Submission) -> list[Finding]:
    """Warnings that never change a score: claims without evidence, services without applications."""
    out: list[Finding] = []
    for ind in fw.indicators:
        a = sub.answers.get(ind.id)
        if a is None or a.level is None:
            continue
        if a.level > max(fw.level_min, 0) and not a.evidence:
            out.append(Finding("evidence-missing", sub.file, a.sheet, a.evidence_cell, str(a.level), detail=ind.id))
    active = {app.function for app in sub.applications if app.status != "tidak-aktif"}
    for svc in fw.services:
        levels = [(i, sub.answers[i].level) for i in svc.indicators if i in sub.answers
                  and sub.answers[i].level is not None]
        has_app = svc.key in active
        for iid, lv in levels:
            if lv >= 3 and not has_app:
                a = sub.answers[iid]
                out.append(Finding("service-without-application", sub.file, a.sheet, a.level_cell, str(lv),
                                   svc.label, iid))
        if has_app and levels and max(lv for _, lv in levels) <= 1:
            app = next(x for x in sub.applications if x.function == svc.key and x.status != "tidak-aktif")
            iid, lv = max(levels, key=lambda p: p[1])
            out.append(Finding("application-with-low-level", sub.file, app.sheet, app.cell, app.name,
                               svc.label, f"{iid} (level {lv})"))
    infra = sub.infrastructure
    if infra.has_server_room == "tidak":
        own = "ruang-server-opd"
        apps = [a.name for a in sub.applications if a.hosting == own]
        servers = sum(sc.count for sc in infra.servers if sc.location == own)
        if apps or servers:
            parts = ([f"aplikasi {', '.join(apps[:3])}"] if apps else []) + ([f"{servers} server"] if servers else [])
            out.append(Finding("server-room-inconsistent", sub.file, L.SHEET_INFRA, infra.server_room_cell,
                               " dan ".join(parts)))
    return out


def verdict(sub: Submission) -> str:
    """The check verdict of one file: accepted, accepted-with-notes, accepted-incomplete or rejected."""
    if sub.rejected:
        return "rejected"
    if sub.incomplete:
        return "accepted-incomplete"
    return "accepted-with-notes" if sub.has_warnings else "accepted"


def accepted_reason(sub: Submission, lang: str = "id") -> str:
    """A short reason for an accepted file: how many answers are unusable and how many notes it has."""
    counts = Counter(f.severity for f in sub.findings)
    en = lang == "en"
    parts = []
    if counts[INCOMPLETE]:
        parts.append(f"{counts[INCOMPLETE]} unusable answer(s), scored at the lowest level (incomplete)" if en else
                     f"{counts[INCOMPLETE]} jawaban tidak dapat dipakai, dinilai level terendah (tidak lengkap)")
    if counts[WARNING]:
        parts.append(f"{counts[WARNING]} warning(s)" if en else f"{counts[WARNING]} catatan")
    return "; ".join(parts) or OUTCOME_LABEL[lang]["accepted"]


def resolve(subs: list[Submission], lang: str = "id") -> tuple[list[Submission], list[FileOutcome]]:
    """Keep one submission per OPD; return (kept submissions, one outcome per file in input order).

    Rule (documented in the README): among the readable submissions of one OPD, a byte-identical
    copy (same SHA-256) of an earlier file is superseded as a duplicate; of the rest, the one with
    the newest "Tanggal Pengisian" is kept, then the newest file modification time, then the last
    file name in sort order. The others are superseded, naming the kept file.
    """
    en = lang == "en"
    by_opd: dict[str, list[Submission]] = {}
    for s in subs:
        if not s.rejected and s.opd_code:
            by_opd.setdefault(s.opd_code, []).append(s)
    superseded: dict[str, tuple[str, str]] = {}
    kept: list[Submission] = []
    for _code, group in sorted(by_opd.items()):
        first_of_hash: dict[str, Submission] = {}
        unique = []
        for s in group:
            if s.sha256 in first_of_hash:
                orig = first_of_hash[s.sha256]
                superseded[s.file] = (orig.file, ("byte-identical copy of " if en else "salinan identik dari ") + orig.file)
            else:
                first_of_hash[s.sha256] = s
                unique.append(s)
        best = max(unique, key=lambda s: (s.date_filled.toordinal() if s.date_filled else 0, int(s.mtime), s.file))
        kept.append(best)
        for s in unique:
            if s is best:
                continue
            if (s.date_filled or 0) != (best.date_filled or 0) and best.date_filled:
                why = (f"replaced by {best.file} (filled {best.date_filled:%d/%m/%Y})" if en else
                       f"digantikan {best.file} (diisi {best.date_filled:%d/%m/%Y}, lebih baru)")
            else:
                why = (f"replaced by {best.file} (newer file)" if en else f"digantikan {best.file} (berkas lebih baru)")
            superseded[s.file] = (best.file, why)
        for s in group:
            if s.file in superseded and superseded[s.file][0] in superseded:
                # the original of a duplicate was itself superseded: point at the kept file
                superseded[s.file] = (best.file, superseded[s.file][1])
    outcomes = []
    for s in subs:
        if s.file in superseded:
            by, why = superseded[s.file]
            outcomes.append(FileOutcome(s.file, s.sha256, s.size, "superseded", s.opd_code, why, by))
        elif s.rejected:
            errors = [f for f in s.findings if f.severity == "error"]
            reason = "; ".join(f.message(lang) for f in errors[:3])
            outcomes.append(FileOutcome(s.file, s.sha256, s.size, "rejected", s.opd_code, reason))
        else:
            outcome = "accepted-with-notes" if s.has_warnings else "accepted"
            outcomes.append(FileOutcome(s.file, s.sha256, s.size, outcome, s.opd_code, accepted_reason(s, lang)))
    kept.sort(key=lambda s: s.opd_code)
    return kept, outcomes
