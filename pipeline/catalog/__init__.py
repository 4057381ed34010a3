"""Definitions are data: framework catalogs, the OPD roster and the targets of the gap analysis, each
loaded from a file and checked, with a fatal error naming the bad entry."""
