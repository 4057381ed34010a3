"""spbe-pipeline: SPBE maturity evaluation of a province's OPDs from Excel questionnaires."""

__version__ = "0.1.0"
