"""Shared fixtures: filled questionnaires built from the real template, and finding-code coverage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline import fill
from pipeline import layout as L
from pipeline.catalog import framework as fwmod
from pipeline.catalog import roster as rostermod
from pipeline.findings import CODES, Finding
from pipeline.template import write_template

HERE = Path(__file__).resolve().parent
PRODUCED: set[str] = set()

_orig_post_init = Finding.__post_init__


def _recording_post_init(self: Finding) -> None:
    _orig_post_init(self)
    PRODUCED.add(self.code)


Finding.__post_init__ = _recording_post_init  # every code a test makes the pipeline produce is recorded


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """When the whole suite ran, every finding code must have been produced by at least one test."""
    selected = session.config.getoption("keyword") or session.config.getoption("markexpr")
    whole = not selected and all(Path(str(a)).resolve() == HERE for a in session.config.args)
    if not whole or session.testsfailed or exitstatus != 0:
        return
    missing = sorted(set(CODES) - PRODUCED)
    if missing:
        session.config.get_terminal_writer().line(f"finding codes no test produced: {', '.join(missing)}", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def fw2018() -> fwmod.Framework:
    return fwmod.load("permenpanrb-5-2018")


@pytest.fixture(scope="session")
def fw2020() -> fwmod.Framework:
    return fwmod.load("permenpanrb-59-2020")


@pytest.fixture(scope="session")
def roster() -> rostermod.Roster:
    return rostermod.load()


@pytest.fixture(scope="session")
def template_2018(tmp_path_factory: pytest.TempPathFactory, fw2018: fwmod.Framework,
                  roster: rostermod.Roster) -> Path:
    return write_template(fw2018, roster, tmp_path_factory.mktemp("tpl") / "blank_2018.xlsx")


@pytest.fixture(scope="session")
def template_2020(tmp_path_factory: pytest.TempPathFactory, fw2020: fwmod.Framework,
                  roster: rostermod.Roster) -> Path:
    return write_template(fw2020, roster, tmp_path_factory.mktemp("tpl") / "blank_2020.xlsx")


@pytest.fixture(scope="session")
def template_previous(tmp_path_factory: pytest.TempPathFactory, fw2018: fwmod.Framework,
                      roster: rostermod.Roster) -> Path:
    """The questionnaire of the previous template version (server counts per location, no Server/Jaringan)."""
    return write_template(fw2018, roster, tmp_path_factory.mktemp("tpl") / "blank_previous.xlsx",
                          version=L.PREVIOUS_VERSION)


def full_levels(fw: fwmod.Framework, level: int = 2) -> dict[str, int]:
    return {i.id: level for i in fw.indicators}


@pytest.fixture
def make_submission(template_2018: Path, template_2020: Path, template_previous: Path, roster: rostermod.Roster):
    """make_submission(tmp_path, levels=..., opd="BKD", name="x.xlsx", framework="2018", **fill kwargs) -> Path.

    Levels default to level 2 everywhere; pass ``levels`` to override some (None removes a level).
    The OPD may be a roster code; it is written as the dropdown text. ``framework="previous"``: the 2018
    questionnaire of the previous template version.
    """

    def make(folder: Path, *, levels: dict | None = None, opd: str = "BKD", name: str | None = None,
             framework: str = "2018", replace_levels: bool = False, date_filled: dt.date | None = None,
             **kwargs: object) -> Path:
        tpl = {"2018": template_2018, "2020": template_2020, "previous": template_previous}[framework]
        framework = "2020" if framework == "2020" else "2018"
        fw = fwmod.load("permenpanrb-5-2018" if framework == "2018" else "permenpanrb-59-2020")
        base = {} if replace_levels else full_levels(fw, 2 if framework == "2018" else 3)
        base.update(levels or {})
        base = {k: v for k, v in base.items() if v is not None}
        found = roster.by_code(opd)
        identity = dict(kwargs.pop("identity", {}) or {})
        if framework == "2018" and "service_names" not in kwargs:
            kwargs["service_names"] = {"35a": "Perizinan daring", "35b": "Pengaduan layanan", "35c": "Informasi publik"}
        if date_filled:
            identity["date_filled"] = date_filled
        return fill.fill_questionnaire(tpl, folder / (name or f"{opd}.xlsx"), opd=found.label if found else opd,
                                       levels=base, identity=identity, **kwargs)

    return make
