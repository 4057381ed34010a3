"""The three years of rekaps (built once: the real pipeline takes a few seconds) and a worker pool."""

from __future__ import annotations

import pytest

from pipeline.workers import Workers
from tests.history import scenario


@pytest.fixture(scope="session")
def pool():
    """In this process (what the workers do is the same), so that the findings count as produced here; the
    command-line test reads through real worker processes."""
    with Workers(inline=True) as workers:
        yield workers


@pytest.fixture(scope="session")
def years(tmp_path_factory: pytest.TempPathFactory, pool: Workers) -> scenario.Years:
    return scenario.build(tmp_path_factory.mktemp("years"), pool)
