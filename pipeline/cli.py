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

clikit.HELP_ARGS["workers"] = settings.WORKERS

LANG = click.option("--lang", type=clikit.Choice(i18n.LANGS), default=i18n.DEFAULT_LANG, envvar="SPBE_LANG",
                    help="help.lang")
FRAMEWORK = click.option("--framework", type=clikit.Text(), default=None,
                         help="help.framework")
ROSTER = click.option("--roster", default=None, type=clikit.PathArg("file", exists=True, as_text=True),
                      help="help.roster")


def _fatal(exc: PipelineError, lang: str = i18n.DEFAULT_LANG) -> click.ClickException:
    """The error as one sentence, with its documented exit code (2: a usage error)."""
    if exc.exit_code == 2:
        return clikit.Usage(visible(exc.message(lang)), lang)
    return clikit.Failure(visible(exc.message(lang)), lang, exc.exit_code)


def _echo(lines: list[str]) -> None:
    """Print lines; what they hold from files (names, texts) never acts on the terminal."""
    for line in lines:
        click.echo(visible(line))


@click.group(cls=clikit.Group, help="help.main", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="spbe-pipeline", message="%(prog)s %(version)s",
                      help="cli.version-option")
def main() -> None:
    """The ``spbe`` group (its help, as every help text, is the catalogue's ``help`` table)."""


@main.group(invoke_without_command=True, help="help.frameworks")
@LANG
@click.pass_context
def frameworks(ctx: click.Context, lang: str) -> None:
    """``spbe frameworks``: the catalogs shipped, one block each."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.catalog import framework as fwmod

    try:
        _echo([line for fid in fwmod.available() for line in _framework_lines(fwmod.load(fid), lang)])
    except PipelineError as exc:
        raise _fatal(exc, lang) from None


@frameworks.command("show", help="help.frameworks-show")
@click.argument("framework_id", type=clikit.Text(), metavar="help.arg-framework")
@LANG
def frameworks_show(framework_id: str, lang: str) -> None:
    """``spbe frameworks show ID``: one catalog's tree with its weights."""
    from pipeline.catalog import framework as fwmod

    try:
        _echo(_framework_tree(fwmod.load(framework_id), lang))
    except PipelineError as exc:
        raise _fatal(exc, lang) from None


@main.command(help="help.template")
@FRAMEWORK
@ROSTER
@click.option("--year", type=clikit.Int(), default=None, help="help.template-year")
@click.option("--deadline", type=clikit.Text(), default=None, help="help.deadline")
@click.option("--contact", type=clikit.Text(), default=None, help="help.contact")
@click.option("-o", "--output", "output", type=clikit.PathArg("file"), default=None,
              help="help.template-output")
def template(framework: str | None, roster: str | None, year: int | None, deadline: str | None,
             contact: str | None, output: Path | None) -> None:
    """``spbe template``: the blank questionnaire from the catalog and the roster."""
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


@main.command(help="help.check")
@click.argument("paths", nargs=-1, required=True, type=clikit.PathArg(exists=True), metavar="help.arg-paths")
@FRAMEWORK
@ROSTER
@LANG
@click.option("--quiet", "-q", is_flag=True, help="help.quiet")
def check(paths: tuple[Path, ...], framework: str | None, roster: str | None, lang: str, quiet: bool) -> None:
    """``spbe check``: every file's verdict and findings; exit code 1 when one is rejected."""
    workers.prestart(workers.PRELOAD_READ)  # its start-up overlaps the loading of the rest
    from pipeline import batch

    try:
        report = batch.check(list(paths), framework=framework, roster=roster)
    except PipelineError as exc:
        raise _fatal(exc, lang) from None
    _echo(_check_lines(report, lang, quiet))
    sys.exit(report.exit_code)


@main.command(help="help.merge")
@click.option("-i", "--input", "input_dir", type=clikit.PathArg("folder"),
              default=Path("input"), help="help.input")
@click.option("-o", "--output", "output", type=clikit.Text(), default=None,
              help="help.merge-output")
@FRAMEWORK
@ROSTER
@click.option("--targets", default=None, type=clikit.PathArg("file", exists=True, as_text=True),
              help="help.targets")
@click.option("--plan", default=None, type=clikit.PathArg("file", exists=True, as_text=True),
              help="help.plan")
@click.option("--year", type=clikit.Int(), default=None, help="help.merge-year")
@click.option("--band-rule", type=clikit.Choice(["unrounded", "rounded"]), default=None,
              help="help.band-rule")
@LANG
@click.option("--strict", is_flag=True, help="help.strict")
@click.option("--per-opd-files/--no-per-opd-files", default=None,
              help="help.per-opd-files")
@click.option("--history", "history_dir", type=clikit.PathArg("folder", exists=True), default=None,
              help="help.history")
@click.option("--no-history", is_flag=True, help="help.no-history")
@click.option("--workers", "n_workers", type=clikit.Int(), default=None,
              help="help.workers")
@click.option("--allow-empty", is_flag=True, help="help.allow-empty")
def merge(input_dir: Path, output: str | None, framework: str | None, roster: str | None, targets: str | None,
          plan: str | None, year: int | None, band_rule: str | None, lang: str, strict: bool,
          per_opd_files: bool | None, history_dir: Path | None, no_history: bool, n_workers: int | None,
          allow_empty: bool) -> None:
    """``spbe merge``: read, validate, score and write the rekap; the summary lines printed."""
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
        hints = set()  # a file's findings of one kind share their advice: it is printed once, under the first
        for f in [] if quiet else sorted(s.findings, key=lambda x: x.sort_key()):
            lines.append(f"  - {severity_label(f.severity, lang)}{' ' + f.location if f.location else ''} "
                         f"[{f.code}] {f.message(lang)}")
            if (hint := f.hint(lang)) not in hints:
                hints.add(hint)
                lines.append(f"      -> {hint}")
    v = report.verdicts
    accepted = v["accepted"] + v["accepted-with-notes"]
    tally = i18n.text("cli.check-summary", lang, total=accepted + v["accepted-incomplete"] + v[REJECTED],
                      accepted=accepted, incomplete=v["accepted-incomplete"], rejected=v[REJECTED])
    if v[OPENED] or v[EVIDENCE_RECEIVED]:
        tally += i18n.text("cli.check-containers", lang, opened=v[OPENED], evidence=v[EVIDENCE_RECEIVED])
    if superseded:
        tally += i18n.text("cli.check-superseded", lang, n=len(superseded))
    return [*lines, *([] if quiet else [""]), tally]


def _framework_lines(fw: object, lang: str) -> list[str]:
    from pipeline.catalog.framework import DEFAULT_FRAMEWORK

    mark = i18n.text("cli.default", lang) if fw.id == DEFAULT_FRAMEWORK else ""
    return [f"{fw.id}{mark}", f"    {fw.regulation}",
            "    " + i18n.text("cli.framework-line", lang, n_domains=len(fw.domains), n_aspects=len(fw.aspects),
                               n_indicators=len(fw.indicators), lo=fw.level_min, hi=fw.level_max)]


def _framework_tree(fw: object, lang: str) -> list[str]:
    """``spbe frameworks show``: domains, aspects and indicators with exact weights, bands, notes."""
    from pipeline.catalog.framework import exact

    def w(value: object) -> str:
        text = exact(value)
        return i18n.decimal(f"{text} ≈ {float(value):.4f}" if "/" in text else text, lang)

    out = [f"{fw.id}: {fw.regulation}", i18n.text("cli.framework-scale", lang, lo=fw.level_min, hi=fw.level_max,
                                                  rule=fw.band_rule)]
    for d in fw.domains:
        out.append(f"{d.id} {d.name}  [{w(d.weight)}%]")
        for a in fw.aspects_of(d.id):
            out.append(f"  {a.id} {a.name}  [{w(a.weight)}%] ({i18n.text('cli.capability.' + a.capability, lang)})")
            out.extend(f"    {i.id:>4} {i.name}  [{w(i.weight)}%]" for i in fw.indicators_of(a.id))
    out.append(i18n.text("cli.bands", lang))
    index = i18n.text("cli.index", lang)
    for b in reversed(fw.bands):
        top = "<=" if b is fw.bands[-1] else "<"
        out.append(f"  {b.name}: {i18n.decimal(exact(b.min), lang)} <= {index} {top} {i18n.decimal(exact(b.max), lang)}")
    out.extend(i18n.text("cli.note", lang, note=note) for note in fw.confidence_notes)
    return out


if __name__ == "__main__":
    main()
