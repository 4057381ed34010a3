"""Fatal pipeline errors. Problems in submitted workbooks are never raised: they are Findings.

A fatal error carries a catalogue key and its data (:class:`~pipeline.i18n.Msg`); the command line
renders it in the user's language as one sentence.
"""

from __future__ import annotations

from pipeline import i18n


class PipelineError(Exception):
    """A fatal error the CLI reports as one clear sentence (bad catalog, unwritable output...)."""

    def __init__(self, key: str, **args: object) -> None:
        self.msg = i18n.msg(key, **args)
        super().__init__(self.msg.render("en"))

    def message(self, lang: str = "id") -> str:
        return self.msg.render(lang)


class CatalogError(PipelineError):
    """A framework catalog, roster or targets file is invalid; the message names the bad entry."""


class OutputError(PipelineError):
    """The output cannot be written (locked by Excel, not writable, failed verification)."""


class InputError(PipelineError):
    """The input cannot be read as a whole (the folder is missing)."""
