"""Intake: find every file in the input folder and read each into a Submission, safely.

discover (read.py) -> sniff (the format, by content) -> the readers: xlsx (the strict reader: cells as
stored, within limits; fastxml accelerates plain parts; zipxml the safe zip and XML underneath), ods
(LibreOffice's own format), and the containers whose entries are read in turn: mail (.eml, .mbox),
outlook (.msg), archive (.zip) -> parse (cells -> answers, identity, inventory; values.py reads one typed
value; cells.py the cell rules both xlsx paths share). :func:`pipeline.intake.read.read_one` does it for one
file, in a worker process.
"""
