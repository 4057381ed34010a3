"""Build realistic MergeResults without reading files: synthetic Submissions run through batch.assemble().

``standard_batch()`` is the scenario most report and inventory tests use: six OPDs of the Kaltara roster
(a tie, an incomplete one, a verified one, an index of exactly 2.645), a superseded copy, rejected files
with hostile names, findings with cells and hostile texts, applications and infrastructure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from fractions import Fraction

from pipeline import batch, layout
from pipeline.catalog import framework as fwmod
from pipeline.catalog import roster as rostermod
from pipeline.catalog.framework import Framework
from pipeline.catalog.roster import Opd, Roster
from pipeline.findings import Finding
from pipeline.model import Answer, AnswerColumns, Application, Infrastructure, Server, ServerCount, Site, Submission
from pipeline.text import col_letter

FW_ID = "permenpanrb-59-2020"
YEAR = 2026
HOSTILE = ('=HYPERLINK("http://x")', "+1", "@x", "-2")
LONG_TEXT = "panjang " * 5000  # 40,000 characters
CONTROL_TEXT = "bel\x07dan\ud800surrogat"

_COLS = {c.key: col_letter(i + 1) for i, c in enumerate(layout.ASSESSMENT_COLUMNS)}
COLUMNS = AnswerColumns(layout.SHEET_ASSESSMENT, _COLS["level"], _COLS["verified"], _COLS["evidence"])


def framework(fid: str = FW_ID) -> Framework:
    return fwmod.load(fid)


def roster_of(*codes: str | tuple[str, str] | tuple[str, str, str]) -> Roster:
    """A roster from codes, (code, name) or (code, name, kind) tuples."""
    opds = []
    for c in codes:
        code, name, kind = (c, f"Perangkat Daerah {c}", "dinas") if isinstance(c, str) else (*c, "dinas")[:3]
        opds.append(Opd(code, name, kind))
    return Roster(tuple(opds))


def levels_for_index(fw: Framework, target: Fraction, base: int = 3) -> dict[str, int]:
    """Deterministic levels whose exact index is ``target`` (raises ValueError when impossible)."""
    need = Fraction(target) * 100 - sum((base * i.weight for i in fw.indicators), Fraction(0))
    reach: dict[Fraction, tuple[tuple[str, int], ...]] = {Fraction(0): ()}
    for ind in fw.indicators:
        nxt = dict(reach)
        for delta, path in reach.items():
            for lv in fw.levels:
                d = delta + (lv - base) * ind.weight
                if d not in nxt:
                    nxt[d] = (*path, (ind.id, lv))
        reach = nxt
        if need in reach:
            break
    if need not in reach:
        raise ValueError(f"no levels give index {target}")
    levels = {i.id: base for i in fw.indicators}
    levels.update(dict(reach[need]))
    return levels


def answers(fw: Framework, levels: Mapping[str, int | None],
            verified: Mapping[str, int] | None = None) -> tuple[Answer, ...]:
    """Answers at the rows of the real template layout (first data row, then one row per indicator); their
    cells are in :data:`COLUMNS`."""
    return tuple(Answer(ind.id, levels[ind.id], (verified or {}).get(ind.id), layout.FIRST_DATA_ROW + n,
                        evidence=bool(levels[ind.id]))
                 for n, ind in enumerate(fw.indicators) if ind.id in levels)


def app(name: str, function: str = "", *, hosting: str = "", status: str = "aktif", url: str = "", row: int = 5,
        users: str = "Internal pemerintah", developer: str = "Vendor / pihak ketiga", integrated_with: str = "",
        problems: str = "", needs: str = "", fw: Framework | None = None) -> Application:
    labels = {s.key: s.label for s in (fw or framework()).services}
    label = labels.get(function, function.replace("lainnya: ", "Lainnya: ") if function else "")
    return Application(name, function, label, users, url, developer, hosting, integrated_with, status, problems, needs,
                       layout.SHEET_APPS, row)


def server(name: str, hosting: str, kind: str = "vm", vcpu: float | None = 4, ram: float | None = 8,
           storage: float | None = 100, year: int | None = 2022, runs: tuple[str, ...] = (), rent: int | None = None,
           row: int = 5) -> Server:
    return Server(name, hosting, "", kind, vcpu, ram, storage, "Linux", year, runs, "ya", "", rent, row, f"K{row}")


def site(name: str, provider: str, mbps: float | None, *, cost: int | None = None, outages: int | None = 0,
         intranet: str = "ya", users: int | None = 20, row: int = 5) -> Site:
    return Site(name, provider, mbps, cost, outages, intranet, users, layout.SHEET_NETWORK, row)


def legacy_site(provider: str, mbps: float | None) -> Site:
    """The one provider and bandwidth the previous template version asked on Infrastruktur."""
    return Site("", provider, mbps, None, None, "", None, layout.SHEET_INFRA, 6)


def apps(*specs: Application) -> list[Application]:
    """Applications with consecutive template rows (5, 6, ...) whatever rows the specs carry."""
    return [a._replace(row=layout.FIRST_DATA_ROW + n) for n, a in enumerate(specs)]


def submission(fw: Framework, code: str, levels: Mapping[str, int | None] | None = None, *, file: str | None = None,
               verified: Mapping[str, int] | None = None, date: dt.date | None = dt.date(2026, 3, 2),
               applications: Iterable[Application] = (), infra: Infrastructure | None = None,
               findings: Iterable[Finding] = (), content: str = "", year: int | None = YEAR,
               mtime: float = 1_767_225_600.0) -> Submission:
    """One read submission; ``levels`` default to level 3 everywhere; a None level is a blank answer."""
    file = file or f"{code}.xlsx"
    lv = dict(levels) if levels is not None else {i.id: 3 for i in fw.indicators}
    ans = answers(fw, lv, verified)
    found = list(findings)
    for a in ans:
        if a.level is None:
            found.append(Finding("level-blank", file, COLUMNS.sheet, f"{COLUMNS.level}{a.row}", detail=a.indicator))
    digest = hashlib.sha256(f"{file}|{content or code}|{sorted(lv.items(), key=str)}".encode()).hexdigest()
    return Submission(file=file, sha256=digest, size=20_000 + len(file), mtime=mtime, framework_id=fw.id,
                      template_version=layout.TEMPLATE_VERSION, opd_code=code, opd_raw=code, date_filled=date,
                      year=year, answers=ans, columns=COLUMNS, applications=tuple(applications),
                      infrastructure=infra or Infrastructure(), findings=tuple(found))


def rejected(file: str, code: str = "unknown-format", found: str = "") -> Submission:
    digest = hashlib.sha256(file.encode("utf-8", "surrogatepass")).hexdigest()
    return Submission(file=file, sha256=digest, size=len(file), mtime=0.0,
                      findings=(Finding(code, file, found=found),))


def assemble(subs: list[Submission], *, fw: Framework | None = None, roster: Roster | None = None,
             lang: str = "id", **kw: object) -> batch.MergeResult:
    return batch.assemble(fw or framework(), roster or rostermod.load(), subs, year=kw.pop("year", YEAR), lang=lang,
                          input_dir="input", **kw)


def standard_submissions(fw: Framework | None = None) -> list[Submission]:
    fw = fw or framework()
    ids = [i.id for i in fw.indicators]
    low = {i: 2 for i in ids}
    low.update({"1": None, "2": None, "47": None})  # three blank answers: incomplete
    high = {i: 5 for i in ids}
    high.update({"1": 4, "2": 4})
    diskominfo_apps = apps(
        app("Aplikasi SRIKANDI", "naskah-dinas", hosting="pdn", url="https://srikandi.arsip.go.id/", fw=fw,
            developer="Aplikasi umum nasional (berbagi pakai)"),
        app("E-Office Kaltara", "naskah-dinas", hosting="pusat-data-pemprov", url="https://eoffice.kaltaraprov.go.id/",
            developer="Dikembangkan sendiri", fw=fw),
        app("Portal Satu Data", "data-terbuka", hosting="cloud", url="data.kaltaraprov.go.id", fw=fw),
        app(HOSTILE[0], "lainnya: uji", hosting="lainnya: server pribadi", fw=fw, problems=LONG_TEXT),
        app(HOSTILE[1], "kinerja", hosting="vendor-luar-provinsi", status="tidak-aktif", fw=fw),
        app(HOSTILE[2], "", hosting="", fw=fw, needs=CONTROL_TEXT),
        app(HOSTILE[3], "jdih", hosting="ruang-server-opd", fw=fw),
    )
    diskominfo = submission(
        fw, "DISKOMINFO", levels_for_index(fw, Fraction("2.645")), applications=diskominfo_apps,
        infra=Infrastructure("ya", server_rows=(
            server("Web Portal", "pusat-data-pemprov", runs=("E-Office Kaltara",), row=5),
            server("Server Lama", "ruang-server-opd", "fisik", 8, 16, 500, 2015, (HOSTILE[3],), row=6),
            server("VPS Satu Data", "cloud", "cloud", None, 4, 80, 2021, ("Portal Satu Data",), 1_500_000, row=7)),
            sites=(site("Kantor Diskominfo", "Telkom", 200.0, cost=5_000_000, users=60),
                   site("UPTD Persandian", "Indihome", 10.0, outages=3, intranet="tidak", users=20, row=6))),
        findings=[
            Finding("vocabulary-unknown", "DISKOMINFO.xlsx", "Aplikasi", "G8", found=HOSTILE[0],
                    expected="Aktif, Tidak aktif"),
            Finding("level-coerced", "DISKOMINFO.xlsx", "Penilaian", "H7", found="3 - Terdefinisi", expected="3"),
            Finding("text-truncated", "DISKOMINFO.xlsx", "Aplikasi", "J8", found=LONG_TEXT, expected="32767"),
            Finding("control-characters", "DISKOMINFO.xlsx", "Aplikasi", "K10", found=CONTROL_TEXT),
        ])
    bpkad = submission(
        fw, "BPKAD", verified={"1": 2, "2": 4}, file="BPKAD_final.xlsx",
        applications=apps(
            app("Srikandi", "naskah-dinas", hosting="pdn", fw=fw, developer="Aplikasi umum nasional (berbagi pakai)"),
            app("Sistem E-Office", "naskah-dinas", hosting="ruang-server-opd", url="http://www.eoffice.kaltaraprov.go.id",
                fw=fw),
            app("SIPD", "penganggaran", hosting="kementerian", url="https://sipd.kemendagri.go.id/", fw=fw,
                developer="Aplikasi umum nasional (berbagi pakai)"),
            app("SIMDA Keuangan", "keuangan", hosting="ruang-server-opd", fw=fw),
        ),
        infra=Infrastructure("ya", server_rows=(
            server("SIMDA", "ruang-server-opd", "fisik", 16, 32, 1000, 2019, ("SIMDA Keuangan",), row=5),
            server("E-Office", "ruang-server-opd", "vm", 4, 8, 200, 2023, ("Sistem E-Office",), row=6),
            server("Arsip", "ruang-server-opd", "vm", 2, 4, 2000, 2020, row=7)),
            sites=(site("Kantor BPKAD", "Lintasarta", 100.0, users=80),)),
        findings=[Finding("evidence-missing", "BPKAD_final.xlsx", "Penilaian", "J10", "3", detail="6")])
    bkd_old = submission(fw, "BKD", file="BKD (lama).xlsx", date=dt.date(2026, 2, 1), content="old",
                         levels={i: 2 for i in ids})
    bkd = submission(
        fw, "BKD", date=dt.date(2026, 3, 5),
        applications=apps(app("S.I.M.P.E.G.", "kepegawaian", hosting="vendor-luar-provinsi", url="simpeg.example.com/",
                              fw=fw),
                          app("e-Kinerja", "kinerja", hosting="cloud", fw=fw)),
        infra=Infrastructure("tidak", servers=(ServerCount("cloud", 1, ""),), sites=(legacy_site("Telkom", 50.0),)))
    bappeda = submission(fw, "BAPPEDA", low, file="Bappeda.xlsx",
                         applications=apps(app("SIMPEG", "kepegawaian", hosting="ruang-server-opd", fw=fw),
                                           app("Aplikasi e-Planning", "perencanaan", hosting="cloud", fw=fw)),
                         infra=Infrastructure("tidak"))
    bapenda = submission(fw, "BAPENDA", high, verified={"3": 4},
                         applications=apps(app("SAMSAT Online", "layanan-publik", hosting="vendor-luar-provinsi",
                                               fw=fw)),
                         infra=Infrastructure("ya", servers=(ServerCount("ruang-server-opd", 4, ""),
                                                             ServerCount("pdn", 2, "")),
                                              sites=(legacy_site("Telkom", 300.0),)))
    bpbd = submission(fw, "BPBD", {i: 1 for i in ids}, date=None,
                      applications=apps(app("SIMPEG BPBD", "kepegawaian", hosting="ruang-server-opd", fw=fw)))
    return [
        bkd_old, diskominfo, bpkad, bkd, bappeda, bapenda, bpbd,
        rejected("rusak.xlsx", "corrupt-workbook", "truncated zip"),
        rejected(f"{HOSTILE[0]}.xlsx"),
        rejected("+1.xlsx"),
        rejected("~$BKD.xlsx", "office-lock-file"),
    ]


def standard_batch(lang: str = "id", **kw: object) -> batch.MergeResult:
    """The standard scenario (see the module docstring) assembled with the Kaltara roster."""
    fw = framework()
    return assemble(standard_submissions(fw), fw=fw, lang=lang, **kw)


def odd_code_batch() -> batch.MergeResult:
    """OPD codes that are not valid sheet names as they stand, or collide once cleaned."""
    fw = framework()
    codes = ["A/B", "A:B", "x" * 40, "'QUOTE'", "Data", "[BIRO]*?", "history"]
    ros = roster_of(*codes)
    subs = [submission(fw, c, file=f"opd{n}.xlsx", content=str(n)) for n, c in enumerate(codes)]
    return assemble(subs, fw=fw, roster=ros)


_LARGE_APPS = (  # (name, function, hosting, url): a pool shared across OPDs, so that groups form
    ("Aplikasi SRIKANDI", "naskah-dinas", "pdn", "https://srikandi.arsip.go.id/"),
    ("SIPD", "penganggaran", "kementerian", "https://sipd.kemendagri.go.id/"),
    ("SIMPEG", "kepegawaian", "ruang-server-opd", ""),
    ("E-Office Kaltara", "naskah-dinas", "pusat-data-pemprov", "https://eoffice.kaltaraprov.go.id/"),
    ("SIMDA Keuangan", "keuangan", "ruang-server-opd", ""),
    ("e-Kinerja", "kinerja", "cloud", ""),
    ("Portal Satu Data", "data-terbuka", "cloud", "data.kaltaraprov.go.id"),
    ("LAPOR!", "pengaduan", "kementerian", "https://www.lapor.go.id"),
    ("SAMSAT Online", "layanan-publik", "vendor-luar-provinsi", ""),
    ("JDIH", "jdih", "pusat-data-pemprov", "jdih.kaltaraprov.go.id"),
)
_LARGE_HOSTING = ("ruang-server-opd", "pusat-data-pemprov", "pdn", "cloud", "vendor-luar-provinsi")


def large_batch(n: int, *, fw: Framework | None = None, lang: str = "id", seed: int = 1) -> batch.MergeResult:
    """A realistic batch of ``n`` submitted OPDs, fast (no files): for profiling and scale tests.

    The roster holds ``n + n // 50 + 1`` OPDs (so some have not submitted); levels are pseudo-random
    (seeded, deterministic), about one OPD in ten has verified levels and one in twenty blank answers;
    each OPD reports 1-6 applications (partly from a shared pool, partly its own), servers, and a few
    findings; about 1% extra files are rejected and 1% are superseded by a newer copy.
    """
    import random

    fw = fw or fwmod.load(None)
    rnd = random.Random(seed)
    width = len(str(n + n // 50 + 1))
    codes = [f"OPD{k:0{width}d}" for k in range(n + n // 50 + 1)]
    ros = Roster(tuple(Opd(c, f"Dinas Uji Coba Nomor {k} Provinsi Kalimantan Utara", "dinas")
                       for k, c in enumerate(codes)))
    ids = [i.id for i in fw.indicators]
    labels = {s.key: s.label for s in fw.services}
    keys = list(labels)
    subs: list[Submission] = []
    for k, code in enumerate(codes[:n]):
        file = f"{code}.xlsx"
        levels: dict[str, int | None] = {i: rnd.randint(1, 5) for i in ids}
        if k % 20 == 7:
            for i in rnd.sample(ids, 2):
                levels[i] = None
        verified = {i: rnd.randint(1, 5) for i in rnd.sample(ids, 5)} if k % 10 == 3 else None
        specs = []
        for m in range(rnd.randint(1, 6)):
            if rnd.random() < 0.6:
                name, function, hosting, url = rnd.choice(_LARGE_APPS)
            else:
                function = rnd.choice(keys)
                name, hosting, url = f"Aplikasi {code} {m}", rnd.choice(_LARGE_HOSTING), ""
            if function not in labels:
                function = ""
            specs.append(Application(name, function, labels.get(function, ""), "Internal pemerintah", url,
                                     "Vendor / pihak ketiga", hosting, "", "aktif" if rnd.random() < 0.9
                                     else "tidak-aktif", "", "", layout.SHEET_APPS, layout.FIRST_DATA_ROW + m))
        servers = tuple(ServerCount(h, rnd.randint(1, 4), "") for h in rnd.sample(_LARGE_HOSTING, rnd.randint(0, 2)))
        infra = Infrastructure(rnd.choice(("ya", "tidak")), servers=servers, sites=(
            legacy_site(rnd.choice(("Telkom", "Lintasarta", "Icon+")), float(rnd.choice((20, 50, 100)))),))
        found = [Finding("evidence-missing", file, layout.SHEET_ASSESSMENT, f"J{5 + j}", "3", detail=ids[j])
                 for j in rnd.sample(range(len(ids)), rnd.randint(0, 4))]
        if k % 7 == 0:
            found.append(Finding("level-coerced", file, layout.SHEET_ASSESSMENT, "H7", found="3 - Terdefinisi",
                                 expected="3"))
        if k % 100 == 5:
            subs.append(submission(fw, code, {i: 2 for i in ids}, file=f"{code} (lama).xlsx", content="old",
                                   date=dt.date(2026, 2, 1)))
        subs.append(submission(fw, code, levels, file=file, verified=verified, applications=specs, infra=infra,
                               findings=found))
    for k in range(max(1, n // 100)):
        subs.append(rejected(f"rusak-{k}.xlsx", "corrupt-workbook", "truncated zip"))
    return batch.assemble(fw, ros, subs, year=YEAR, lang=lang, input_dir="input")
