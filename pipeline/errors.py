"""Fatal pipeline errors. Problems in submitted workbooks are never raised: they are Findings.

A fatal error carries a catalogue key and its data (:class:`~pipeline.i18n.Msg`); the command line
renders it in the user's language as one sentence.
"""

from __future__ import annotations

from pipeline import i18n


class PipelineError(Exception):
    """A fatal error the CLI reports as one clear sentence (bad catalog, unwritable output...)."""

    exit_code = 1  # the command line's exit code for it (the README's *Exit codes*)

    def __init__(self, key: str, **args: object) -> None:
        self.msg = i18n.msg(key, **args)
        super().__init__(self.msg.render("en"))

    def message(self, lang: str = "id") -> str:
        return self.msg.render(lang)


class CatalogError(PipelineError):
    """A framework catalog, roster or targets file is invalid; the message names the bad entry."""


class OutputError(PipelineError):
    """The output cannot be written (locked by Excel, not writable, disk full, failed verification, another run
    writing it), or the run would replace it with nothing."""


class OutputPathError(OutputError):
    """The output path itself is wrong (a folder, or under a file): a usage error."""

    exit_code = 2


class InputError(PipelineError):
    """The input folder given does not exist: a usage error."""

    exit_code = 2
