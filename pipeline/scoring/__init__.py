"""Scoring: exact indices and predikat per OPD (index), ranking and province summary (rank), gap analysis (gaps).

Computed once, in the batch; the report only reads the results."""
