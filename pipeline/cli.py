"""Command-line interface: thin glue between click and the pipeline stages.

Exit codes: 0 success; 1 a file was rejected (check) or --strict failed (merge) or a fatal error
(bad catalog, output not writable); 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.errors import PipelineError

ROOT = Path(__file__).resolve().parent.parent
LANGS = click.Choice(["id", "en"])
CAPABILITY = {"process": "proses", "service": "layanan"}


def _fail(exc: PipelineError) -> click.ClickException:
    return click.ClickException(str(exc))


def _out(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="spbe-pipeline", message="%(prog)s %(version)s")
def main() -> None:
    """spbe: evaluasi SPBE perangkat daerah dari kuesioner Excel.

    \b
    Urutan kerja / workflow:
      spbe template        buat kuesioner kosong untuk dikirim ke OPD
      spbe check input/    periksa berkas kiriman OPD
      spbe merge           gabungkan, nilai, dan tulis rekap ke output/
    """


# ---------------------------------------------------------------- frameworks


@main.group(invoke_without_command=True)
@click.pass_context
def frameworks(ctx: click.Context) -> None:
    """Daftar katalog kerangka evaluasi yang tersedia.

    Contoh: spbe frameworks
    """
    if ctx.invoked_subcommand is not None:
        return
    from pipeline import framework as fwmod

    try:
        for fid in fwmod.available():
            fw = fwmod.load(fid)
            mark = " (bawaan/default)" if fid == fwmod.DEFAULT_FRAMEWORK else ""
            _out(f"{fid}{mark}\n    {fw.regulation}\n    {len(fw.domains)} domain, {len(fw.aspects)} aspek, "
                 f"{len(fw.indicators)} indikator, level {fw.level_min}-{fw.level_max}")
    except PipelineError as exc:
        raise _fail(exc) from None


@frameworks.command("show")
@click.argument("framework_id")
def frameworks_show(framework_id: str) -> None:
    """Tampilkan pohon domain, aspek dan indikator satu katalog beserta bobotnya.

    Contoh: spbe frameworks show permenpanrb-59-2020
    """
    from pipeline import framework as fwmod
    from pipeline.batch import exact

    try:
        fw = fwmod.load(framework_id)
    except PipelineError as exc:
        raise _fail(exc) from None
    def w(value: object) -> str:
        text = exact(value)
        return f"{text} ≈ {float(value):.4f}" if "/" in text else text

    _out(f"{fw.id}: {fw.regulation}")
    _out(f"level {fw.level_min}-{fw.level_max}; aturan batas predikat: {fw.band_rule}")
    for d in fw.domains:
        _out(f"{d.id} {d.name}  [{w(d.weight)}%]")
        for a in fw.aspects_of(d.id):
            _out(f"  {a.id} {a.name}  [{w(a.weight)}%] (kapabilitas {CAPABILITY[a.capability]})")
            for i in fw.indicators_of(a.id):
                _out(f"    {i.id:>4} {i.name}  [{w(i.weight)}%]")
    _out("predikat:")
    for b in reversed(fw.bands):
        _out(f"  {b.name}: {exact(b.min)} <= indeks < {exact(b.max)}" if b is not fw.bands[-1]
             else f"  {b.name}: {exact(b.min)} <= indeks <= {exact(b.max)}")
    for note in fw.confidence_notes:
        _out(f"catatan: {note}")


# ---------------------------------------------------------------- template


@main.command()
@click.option("--framework", "framework", default=None, help="Id katalog kerangka atau berkas katalog (bawaan permenpanrb-5-2018).")
@click.option("--roster", default=None, type=click.Path(exists=True, dir_okay=False), help="Berkas CSV daftar OPD (kode,nama,jenis,alias).")
@click.option("--year", type=int, default=None, help="Isi awal tahun evaluasi.")
@click.option("--deadline", default=None, help="Batas waktu pengiriman yang tertulis di lembar Petunjuk.")
@click.option("--contact", default=None, help="Narahubung Diskominfo (e-mail, telepon) di lembar Petunjuk.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Berkas keluaran (bawaan: templates/blank_questionnaire.xlsx di folder kerja).")
def template(framework: str | None, roster: str | None, year: int | None, deadline: str | None,
             contact: str | None, output: Path | None) -> None:
    """Buat kuesioner kosong yang diisi OPD.

    Contoh: spbe template -o kuesioner_spbe_2026.xlsx --year 2026 --deadline "15 Maret 2026"
    """
    from pipeline import framework as fwmod
    from pipeline import roster as rostermod
    from pipeline.template import write_template

    output = output or Path("templates") / "blank_questionnaire.xlsx"
    try:
        fw = fwmod.load(framework)
        ros = rostermod.load(roster)
        path = write_template(fw, ros, output, year=year, deadline=deadline, contact=contact)
    except PipelineError as exc:
        raise _fail(exc) from None
    except OSError as exc:
        raise click.ClickException(f"Tidak dapat menulis {output}: {exc.strerror}.") from None
    _out(f"Kuesioner ditulis: {path} ({fw.short_name}, {len(fw.indicators)} indikator, {len(ros.opds)} OPD)")


# ---------------------------------------------------------------- check


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--framework", default=None, help="Id katalog kerangka atau berkas katalog (bawaan permenpanrb-5-2018).")
@click.option("--roster", default=None, type=click.Path(exists=True, dir_okay=False), help="Berkas CSV daftar OPD (kode,nama,jenis,alias).")
@click.option("--lang", type=LANGS, default="id", show_default=True, help="Bahasa pesan: id (Indonesia) atau en (Inggris).")
@click.option("--quiet", "-q", is_flag=True, help="Hanya satu baris hasil per berkas.")
def check(paths: tuple[Path, ...], framework: str | None, roster: str | None, lang: str, quiet: bool) -> None:
    """Periksa berkas kuesioner (atau folder) dan laporkan setiap temuan.

    Kode keluar 0 bila semua berkas diterima, 1 bila ada yang ditolak.

    Contoh: spbe check input/ kuesioner_bkd.xlsx
    """
    from pipeline.intake import discover, read_files, start_workers
    from pipeline.sandbox import tune_gc

    tune_gc()
    start_workers()
    from pipeline.findings import OUTCOME_LABEL, SEVERITY_LABEL
    from pipeline.validate import resolve, verdict

    files: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            files.extend(discover(p))
        else:
            files.append((p, p.name))
    try:
        subs = read_files(files, framework, roster)
    except PipelineError as exc:
        raise _fail(exc) from None
    _kept, outcomes = resolve(subs, lang)  # copies of one OPD: which one merge would keep
    superseded = {o.file: o.reason for o in outcomes if o.outcome == "superseded"}
    labels, sev = OUTCOME_LABEL[lang], SEVERITY_LABEL[lang]
    tally = {"accepted": 0, "accepted-incomplete": 0, "rejected": 0, "superseded": 0}
    for s in subs:
        v = verdict(s)
        tally["accepted" if v in ("accepted", "accepted-with-notes") else v] += 1
        opd = f" [{s.opd_code}]" if s.opd_code else ""
        _out(f"{labels[v]}: {s.file}{opd}")
        if s.file in superseded:
            tally["superseded"] += 1
            _out(f"  -> {superseded[s.file]}")
        if quiet:
            continue
        for f in sorted(s.findings, key=lambda x: x.sort_key()):
            loc = f" {f.location}" if f.location else ""
            _out(f"  - {sev[f.severity]}{loc} [{f.code}] {f.message(lang)}")
            _out(f"      -> {f.hint(lang)}")
    total = len(subs)
    if lang == "en":
        line = (f"{total} file(s): {tally['accepted']} accepted, {tally['accepted-incomplete']} accepted but "
                f"incomplete, {tally['rejected']} rejected")
        if tally["superseded"]:
            line += f"; {tally['superseded']} would be superseded by a newer copy"
    else:
        line = (f"{total} berkas: {tally['accepted']} diterima, {tally['accepted-incomplete']} diterima tetapi tidak "
                f"lengkap, {tally['rejected']} ditolak")
        if tally["superseded"]:
            line += f"; {tally['superseded']} akan digantikan salinan yang lebih baru"
    _out(("" if quiet else "\n") + line)
    sys.exit(1 if tally["rejected"] else 0)


# ---------------------------------------------------------------- merge


@main.command()
@click.option("-i", "--input", "input_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder berkas kiriman OPD (bawaan input/).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Berkas rekap (bawaan output/rekap-spbe-<tahun>.xlsx).")
@click.option("--framework", default=None, help="Id katalog kerangka atau berkas katalog (bawaan permenpanrb-5-2018).")
@click.option("--roster", default=None, type=click.Path(exists=True, dir_okay=False), help="Berkas CSV daftar OPD (kode,nama,jenis,alias).")
@click.option("--targets", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Berkas JSON target untuk analisis kesenjangan.")
@click.option("--year", type=int, default=None, help="Tahun evaluasi (bawaan: tahun yang paling banyak tertulis di berkas).")
@click.option("--band-rule", type=click.Choice(["unrounded", "rounded"]), default=None,
              help="Predikat dari indeks tanpa pembulatan (praktik 2024) atau indeks 2 desimal (2023).")
@click.option("--lang", type=LANGS, default="id", show_default=True, help="Bahasa rekap dan pesan: id atau en.")
@click.option("--strict", is_flag=True, help="Gagal (kode keluar 1) bila ada berkas ditolak atau penilaian tidak lengkap.")
@click.option("--per-opd-files/--no-per-opd-files", default=None,
              help="Tulis juga satu buku kerja analisis per OPD di output/opd/ (otomatis di atas 100 OPD).")
@click.option("--workers", type=int, default=None, help="Jumlah proses pembaca (bawaan: jumlah inti, paling banyak 2).")
def merge(input_dir: Path | None, output: Path | None, framework: str | None, roster: str | None,
          targets: str | None, year: int | None, band_rule: str | None, lang: str, strict: bool,
          per_opd_files: bool | None, workers: int | None) -> None:
    """Periksa, gabungkan dan nilai semua berkas di input/ menjadi satu rekap peringkat.

    Contoh: spbe merge --input input --year 2026
    """
    input_dir = input_dir or Path("input")
    if not input_dir.is_dir():
        raise click.UsageError(f"input folder {input_dir} does not exist.")
    from pipeline.intake import start_workers
    from pipeline.sandbox import tune_gc

    tune_gc()
    # the worker processes' server starts on the other core while this one loads the rest; the per-OPD
    # workbook writers are forked from it too, so it loads the report writer as well
    start_workers(also=("pipeline.report",))
    from pipeline import batch
    from pipeline.framework import display

    en = lang == "en"
    try:
        with click.progressbar(length=1, label="Membaca berkas" if not en else "Reading files",
                               file=sys.stderr, show_pos=True) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            result = batch.run(input_dir, framework=framework, roster=roster, year=year, targets=targets,
                               band_rule=band_rule, lang=lang, workers=workers, on_progress=progress)
        from pipeline.report import write_report

        out = output or Path("output") / f"rekap-spbe-{result.year}.xlsx"
        kwargs = {}
        if per_opd_files is not None:
            kwargs["per_opd_files"] = per_opd_files
        path = write_report(result, out, **kwargs)
    except PipelineError as exc:
        raise _fail(exc) from None
    c = result.counts
    accepted = c["accepted"] + c["accepted-with-notes"]
    incomplete = [s for s in result.scores.values() if not s.complete]
    if en:
        _out(f"Files: {len(result.outcomes)} found, {accepted} accepted, {c['superseded']} superseded, "
             f"{c['rejected']} rejected")
        _out(f"OPDs: {len(result.scores)} scored ({len(incomplete)} incomplete), {len(result.not_submitted)} of "
             f"{len(result.roster.opds)} have not submitted")
    else:
        _out(f"Berkas: {len(result.outcomes)} ditemukan, {accepted} diterima, {c['superseded']} digantikan, "
             f"{c['rejected']} ditolak")
        _out(f"OPD: {len(result.scores)} dinilai ({len(incomplete)} tidak lengkap), {len(result.not_submitted)} dari "
             f"{len(result.roster.opds)} belum mengirim")
    if result.summary and result.summary.mean_index is not None:
        label = "Province average index" if en else "Rata-rata indeks provinsi"
        _out(f"{label}: {display(result.summary.mean_index)} ({result.summary.predikat})")
    _out(("Workbook: " if en else "Rekap ditulis: ") + str(path))
    if not result.outcomes:
        _out(f"No file found in {input_dir}." if en else f"Perhatian: tidak ada berkas di folder {input_dir}.")
    foreign = sorted({f.found for s in result.submissions for f in s.findings if f.code == "framework-mismatch"})
    if foreign:
        n = sum(1 for s in result.submissions if any(f.code == "framework-mismatch" for f in s.findings))
        _out(f"{n} file(s) use another framework ({', '.join(foreign)}); run again with --framework {foreign[0]}."
             if en else f"{n} berkas memakai kerangka lain ({', '.join(foreign)}); jalankan ulang dengan "
             f"--framework {foreign[0]}.")
    if strict and (c["rejected"] or incomplete):
        rejected = [o.file for o in result.outcomes if o.outcome == "rejected"]
        names = [s.opd for s in incomplete]
        if en:
            why = "; ".join(p for p in (f"rejected: {', '.join(rejected)}" if rejected else "",
                                        f"incomplete: {', '.join(names)}" if names else "") if p)
            raise click.ClickException(f"--strict: {why}. See the Validasi sheet.")
        why = "; ".join(p for p in (f"ditolak: {', '.join(rejected)}" if rejected else "",
                                    f"tidak lengkap: {', '.join(names)}" if names else "") if p)
        raise click.ClickException(f"--strict: {why}. Lihat lembar Validasi.")


if __name__ == "__main__":
    main()
