"""Fatal pipeline errors. Problems in submitted workbooks are never raised: they are Findings."""


class PipelineError(Exception):
    """A fatal error the CLI reports as one clear sentence (bad catalog, unwritable output...)."""


class CatalogError(PipelineError):
    """A framework catalog or roster file is invalid; the message names the bad entry."""


class OutputError(PipelineError):
    """The output cannot be written (locked by Excel, not writable, failed verification)."""

