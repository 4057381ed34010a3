"""Command-line interface: options, a call to :mod:`pipeline.batch`, the report object printed, an exit code.

Exit codes: 0 success; 1 a file was rejected (check), --strict failed (merge) or a fatal error
(bad catalog, roster or targets file; an output that cannot be written, is being written by another run,
or would be replaced by nothing); 2 usage error (an output path that is a folder or under a file). Each
fatal error's exit code is its class's ``exit_code`` (:mod:`pipeline.errors`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from pipeline import clikit, i18n, settings, workers
from pipeline.errors import OutputPathError, PipelineError
from pipeline.text import visible

LANG = click.option("--lang", type=clikit.Choice(i18n.LANGS), default=i18n.DEFAULT_LANG, show_default=True,
                    help="Bahasa pesan dan rekap: id (Indonesia) atau en (Inggris).")
FRAMEWORK = click.option("--framework", type=clikit.Text(), default=None,
                         help="Id katalog kerangka atau berkas katalog (bawaan permenpanrb-5-2018).")
ROSTER = click.option("--roster", default=None, type=clikit.PathArg("file", exists=True, as_text=True),
                      help="Berkas CSV daftar OPD (kode,nama,jenis,alias; opsional email, kode_lama).")


def _fatal(exc: PipelineError, lang: str = i18n.DEFAULT_LANG) -> click.ClickException:
    """The error as one sentence, with its documented exit code (2: a usage error)."""
    if exc.exit_code == 2:
        return clikit.Usage(visible(exc.message(lang)), lang)
    return clikit.Failure(visible(exc.message(lang)), lang, exc.exit_code)


def _echo(lines: list[str]) -> None:
    """Print lines; what they hold from files (names, texts) never acts on the terminal."""
    for line in lines:
        click.echo(visible(line))


@click.group(cls=clikit.Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="spbe-pipeline", message="%(prog)s %(version)s",
                      help=i18n.text("cli.version-option"))
def main() -> None:
    """spbe: evaluasi SPBE perangkat daerah dari kuesioner Excel.

    \b
    Urutan kerja / workflow:
      spbe template        buat kuesioner kosong untuk dikirim ke OPD
      spbe check input/    periksa berkas kiriman OPD
      spbe merge           gabungkan, nilai, dan tulis rekap ke output/
    """


@main.group(invoke_without_command=True)
@click.pass_context
def frameworks(ctx: click.Context) -> None:
    """Daftar katalog kerangka evaluasi yang tersedia.

    Contoh: spbe frameworks
    """
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.catalog import framework as fwmod

    try:
        _echo([line for fid in fwmod.available() for line in _framework_lines(fwmod.load(fid))])
    except PipelineError as exc:
        raise _fatal(exc) from None


@frameworks.command("show")
@click.argument("framework_id", type=clikit.Text())
def frameworks_show(framework_id: str) -> None:
    """Tampilkan pohon domain, aspek dan indikator satu katalog beserta bobotnya.

    Contoh: spbe frameworks show permenpanrb-59-2020
    """
    from pipeline.catalog import framework as fwmod

    try:
        _echo(_framework_tree(fwmod.load(framework_id)))
    except PipelineError as exc:
        raise _fatal(exc) from None


@main.command()
@FRAMEWORK
@ROSTER
@click.option("--year", type=clikit.Int(), default=None, help="Isi awal tahun evaluasi.")
@click.option("--deadline", type=clikit.Text(), default=None, help="Batas waktu pengiriman yang tertulis di lembar Petunjuk.")
@click.option("--contact", type=clikit.Text(), default=None, help="Narahubung Diskominfo (e-mail, telepon) di lembar Petunjuk.")
@click.option("-o", "--output", "output", type=clikit.PathArg("file"), default=None,
              help="Berkas keluaran (bawaan: templates/blank_questionnaire.xlsx di folder kerja).")
def template(framework: str | None, roster: str | None, year: int | None, deadline: str | None,
             contact: str | None, output: Path | None) -> None:
    """Buat kuesioner kosong yang diisi OPD.

    Contoh: spbe template -o kuesioner_spbe_2026.xlsx --year 2026 --deadline "15 Maret 2026"
    """
    from pipeline.catalog import framework as fwmod
    from pipeline.catalog import roster as rostermod
    from pipeline.template import write_template

    output = output or Path("templates") / "blank_questionnaire.xlsx"
    try:
        fw, ros = fwmod.load(framework), rostermod.load(roster)
        path = write_template(fw, ros, output, year=year, deadline=deadline, contact=contact)
    except PipelineError as exc:
        raise _fatal(exc) from None
    except OSError as exc:
        raise clikit.Failure(i18n.text("error.template-write", path=output, error=exc.strerror), i18n.DEFAULT_LANG) from None
    click.echo(i18n.text("cli.template-written", path=path, framework=fw.short_name, n=len(fw.indicators),
                         opds=len(ros.opds)))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=clikit.PathArg(exists=True))
@FRAMEWORK
@ROSTER
@LANG
@click.option("--quiet", "-q", is_flag=True, help="Hanya satu baris hasil per berkas.")
def check(paths: tuple[Path, ...], framework: str | None, roster: str | None, lang: str, quiet: bool) -> None:
    """Periksa berkas kuesioner (atau folder) dan laporkan setiap temuan.

    Kode keluar 0 bila semua berkas diterima, 1 bila ada yang ditolak.

    Contoh: spbe check input/ kuesioner_bkd.xlsx
    """
    workers.prestart(workers.PRELOAD_READ)  # its start-up overlaps the loading of the rest
    from pipeline import batch

    try:
        report = batch.check(list(paths), framework=framework, roster=roster)
    except PipelineError as exc:
        raise _fatal(exc, lang) from None
    _echo(_check_lines(report, lang, quiet))
    sys.exit(report.exit_code)


@main.command()
@click.option("-i", "--input", "input_dir", type=clikit.PathArg("folder"),
              default=Path("input"), help="Folder berkas kiriman OPD (bawaan input/).")
@click.option("-o", "--output", "output", type=clikit.Text(), default=None,
              help="Berkas rekap (bawaan output/rekap-spbe-<tahun>.xlsx); diakhiri / : folder tempat rekap itu.")
@FRAMEWORK
@ROSTER
@click.option("--targets", default=None, type=clikit.PathArg("file", exists=True, as_text=True),
              help="Berkas JSON target untuk analisis kesenjangan.")
@click.option("--plan", default=None, type=clikit.PathArg("file", exists=True, as_text=True),
              help="Berkas JSON parameter perencanaan ruang server (bawaan: lihat README).")
@click.option("--year", type=clikit.Int(), default=None, help="Tahun evaluasi (bawaan: tahun yang paling banyak tertulis di berkas).")
@click.option("--band-rule", type=clikit.Choice(["unrounded", "rounded"]), default=None,
              help="Predikat dari indeks tanpa pembulatan (praktik 2024) atau indeks 2 desimal (2023).")
@LANG
@click.option("--strict", is_flag=True, help="Gagal (kode keluar 1) bila ada berkas ditolak atau penilaian tidak lengkap.")
@click.option("--per-opd-files/--no-per-opd-files", default=None,
              help="Tulis juga satu buku kerja analisis per OPD di folder <rekap>-opd-<hash>/ di samping rekap "
                   "(otomatis di atas 100 OPD).")
@click.option("--history", "history_dir", type=clikit.PathArg("folder", exists=True), default=None,
              help="Folder rekap tahun-tahun sebelumnya (bawaan: rekap-spbe-<tahun>.xlsx di folder keluaran).")
@click.option("--no-history", is_flag=True, help="Tanpa riwayat tahun sebelumnya (tanpa lembar Tren).")
@click.option("--workers", "n_workers", type=clikit.Int(), default=None,
              help=f"Jumlah proses pekerja (bawaan: jumlah inti, paling banyak {settings.WORKERS}).")
@click.option("--allow-empty", is_flag=True, help="Tulis rekap tanpa OPD yang dinilai walaupun menimpa rekap lama.")
def merge(input_dir: Path, output: str | None, framework: str | None, roster: str | None, targets: str | None,
          plan: str | None, year: int | None, band_rule: str | None, lang: str, strict: bool,
          per_opd_files: bool | None, history_dir: Path | None, no_history: bool, n_workers: int | None,
          allow_empty: bool) -> None:
    """Periksa, gabungkan dan nilai semua berkas di input/ menjadi satu rekap peringkat.

    Contoh: spbe merge --input input --year 2026
    """
    if history_dir is not None and no_history:
        raise clikit.Usage(i18n.text("cli.history-both", lang), lang)
    workers.prestart(workers.PRELOAD_MERGE)  # its start-up overlaps the loading of the rest
    from pipeline import batch

    try:
        path, folder = _output(output)
        with _progress(lang) as progress, workers.Workers(n_workers, preload=workers.PRELOAD_MERGE) as pool:
            result = batch.merge(input_dir, path, framework=framework, roster=roster, targets=targets, plan=plan,
                                 year=year, band_rule=band_rule, lang=lang, per_opd_files=per_opd_files,
                                 history=not no_history and (history_dir or True), workers=pool,
                                 on_progress=progress, output_folder=folder, allow_empty=allow_empty)
    except PipelineError as exc:
        raise _fatal(exc, lang) from None
    _echo(result.summary_lines(lang))
    failure = result.strict_failure(lang) if strict else None
    if failure:
        raise clikit.Failure(visible(failure), lang)


def _output(value: str | None) -> tuple[Path | None, Path | None]:
    """``-o``: (the workbook, None), or (None, the folder) when it ends with a slash; a folder without one is
    refused (the workbook would replace a folder)."""
    if value is None:
        return None, None
    if value.endswith(("/", os.sep)):
        return None, Path(value)
    if Path(value).is_dir():
        raise OutputPathError("error.output-is-folder", path=value)
    if Path(value).suffix.lower() != ".xlsx":  # Excel refuses a workbook named .csv or .xls
        raise OutputPathError("error.output-not-xlsx", path=value)
    return Path(value), None


class _progress:
    """click's progress bar on stderr as an ``on_progress(done, total)`` callback, shown from the first file."""

    def __init__(self, lang: str) -> None:
        self.label = i18n.text("cli.reading", lang)
        self.bar = None

    def __enter__(self) -> Callable[[int, int], None]:
        def update(done: int, total: int) -> None:
            if self.bar is None:
                self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True)
                self.bar.__enter__()
            self.bar.update(done - self.bar.pos)

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


# ---------------------------------------------------------------- rendering


def _check_lines(report: object, lang: str, quiet: bool) -> list[str]:
    """What ``spbe check`` prints: a verdict line per file, its findings, the tally."""
    from pipeline.findings import outcome_label, severity_label
    from pipeline.validate import EVIDENCE_RECEIVED, OPENED, REJECTED, SUPERSEDED, verdict

    lines = []
    superseded = {o.file: o for o in report.outcomes if o.outcome == SUPERSEDED}
    for s in report.submissions:
        lines.append(f"{outcome_label(verdict(s), lang)}: {s.file}" + (f" [{s.opd_code}]" if s.opd_code else ""))
        if s.file in superseded:
            lines.append(f"  -> {superseded[s.file].reason(lang)}")
        for f in [] if quiet else sorted(s.findings, key=lambda x: x.sort_key()):
            lines.append(f"  - {severity_label(f.severity, lang)}{' ' + f.location if f.location else ''} "
                         f"[{f.code}] {f.message(lang)}")
            lines.append(f"      -> {f.hint(lang)}")
    v = report.verdicts
    accepted = v["accepted"] + v["accepted-with-notes"]
    tally = i18n.text("cli.check-summary", lang, total=accepted + v["accepted-incomplete"] + v[REJECTED],
                      accepted=accepted, incomplete=v["accepted-incomplete"], rejected=v[REJECTED])
    if v[OPENED] or v[EVIDENCE_RECEIVED]:
        tally += i18n.text("cli.check-containers", lang, opened=v[OPENED], evidence=v[EVIDENCE_RECEIVED])
    if superseded:
        tally += i18n.text("cli.check-superseded", lang, n=len(superseded))
    return [*lines, *([] if quiet else [""]), tally]


def _framework_lines(fw: object) -> list[str]:
    from pipeline.catalog.framework import DEFAULT_FRAMEWORK

    mark = i18n.text("cli.default") if fw.id == DEFAULT_FRAMEWORK else ""
    return [f"{fw.id}{mark}", f"    {fw.regulation}",
            "    " + i18n.text("cli.framework-line", n_domains=len(fw.domains), n_aspects=len(fw.aspects),
                               n_indicators=len(fw.indicators), lo=fw.level_min, hi=fw.level_max)]


def _framework_tree(fw: object) -> list[str]:
    """``spbe frameworks show``: domains, aspects and indicators with exact weights, bands, notes."""
    from pipeline.catalog.framework import exact

    def w(value: object) -> str:
        text = exact(value)
        return f"{text} ≈ {float(value):.4f}" if "/" in text else text

    out = [f"{fw.id}: {fw.regulation}", i18n.text("cli.framework-scale", lo=fw.level_min, hi=fw.level_max,
                                                  rule=fw.band_rule)]
    for d in fw.domains:
        out.append(f"{d.id} {d.name}  [{w(d.weight)}%]")
        for a in fw.aspects_of(d.id):
            out.append(f"  {a.id} {a.name}  [{w(a.weight)}%] ({i18n.text('cli.capability.' + a.capability)})")
            out.extend(f"    {i.id:>4} {i.name}  [{w(i.weight)}%]" for i in fw.indicators_of(a.id))
    out.append(i18n.text("cli.bands"))
    index = i18n.text("cli.index")
    for b in reversed(fw.bands):
        top = "<=" if b is fw.bands[-1] else "<"
        out.append(f"  {b.name}: {exact(b.min)} <= {index} {top} {exact(b.max)}")
    out.extend(i18n.text("cli.note", note=note) for note in fw.confidence_notes)
    return out


if __name__ == "__main__":
    main()
