"""Regenerate the generated parts of README.md (the finding-code table) from the code itself.

Run: ``python tools/gen_docs.py``; tests/test_docs.py fails when README.md is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import i18n  # noqa: E402
from pipeline.findings import CODES  # noqa: E402

START, END = "<!-- codes:start -->", "<!-- codes:end -->"


def codes_table() -> str:
    lines = ["| code | severity | message (Bahasa Indonesia) | fix hint |", "|---|---|---|---|"]
    for code in sorted(CODES):
        msg = i18n.text(f"finding.{code}").replace("|", "/")
        hint = i18n.text(f"hint.{code}").replace("|", "/")
        lines.append(f"| `{code}` | {CODES[code]} | {msg} | {hint} |")
    return "\n".join(lines)


def render(readme: str) -> str:
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{codes_table()}\n{END}{tail}"


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {path}")
