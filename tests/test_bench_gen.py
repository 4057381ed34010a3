"""The benchmark's generator works from a clone whichever way the package is installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pipeline.template

ROOT = Path(__file__).resolve().parent.parent


def test_generator_uses_the_clones_template_not_the_installed_packages(tmp_path: Path, monkeypatch) -> None:
    # a non-editable install puts the package in site-packages, where there is no templates/ folder
    monkeypatch.setattr(pipeline.template, "DEFAULT_TEMPLATE", tmp_path / "site-packages" / "templates" / "none.xlsx")
    spec = importlib.util.spec_from_file_location("bench_gen_test", ROOT / "bench" / "gen.py")
    gen = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "bench_gen_test", gen)  # its dataclasses look their module up
    spec.loader.exec_module(gen)  # type: ignore[union-attr]
    folder, roster, manifest = gen.generate(12, tmp_path, workers=1)
    assert len(list(folder.iterdir())) == 12 and roster.exists() and manifest["n"] == 12
