"""Intake: find every file in the input folder and read each into a Submission, safely.

discover (read.py) -> sniff (the format, by content) -> xlsx (the strict reader: cells as stored, within
limits; fastxml accelerates plain parts) -> parse (cells -> answers, identity, inventory; values.py reads
one typed value). :func:`pipeline.intake.read.read_one` does it for one file, in a worker process.
"""
