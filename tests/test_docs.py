"""The README is the user's manual: its generated parts must match the code."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.findings import CODES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _gen():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_codes_table_is_current() -> None:
    assert _gen().render(README) == README, "README.md code table is stale: run python tools/gen_docs.py"


def test_every_code_documented() -> None:
    documented = set(re.findall(r"\| `([a-z][a-z0-9-]+)` \| (?:error|incomplete|warning) \|", README))
    assert documented == set(CODES)


def test_codes_are_kebab_case() -> None:
    assert all(re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", c) for c in CODES)


def test_every_command_and_option_documented() -> None:
    for name, cmd in main.commands.items():
        assert f"spbe {name}" in README, name
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"{name} {opt} not in README"


def test_two_setup_commands_in_readme() -> None:
    assert 'python -m pip install -e . && spbe merge' in README
    assert 'python -m pip install -e ".[test]" && python -m pytest -q' in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'python -m pip install -e ".[test]" && python -m pytest -q' in ci


def test_help_runs() -> None:
    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0 and "spbe merge" in res.output
