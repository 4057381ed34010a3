"""Every text the tool shows a user, in Bahasa Indonesia (``id``, the default) and English (``en``).

The catalogue is data: ``id.toml`` and ``en.toml`` beside this module, the same keys and the same
``{placeholders}`` in both (a test holds them to that), one table per area: ``report`` (the workbook),
``finding`` and ``hint`` (per finding code), ``outcome``, ``severity``, ``reason`` (what the tool found),
``cli`` and ``error``. A text's key is its table and name joined by dots (``finding.empty-file``).
Library code never builds a sentence: it returns a code and data (a :class:`Msg`), and the edge that
shows it (the command line, the workbook writer) renders it in the user's language with :func:`render`.

The questionnaire's own texts are not here: they are the form the OPDs fill in, in Bahasa Indonesia only:
its sheet names, headings, labels and dropdown values in :mod:`pipeline.layout` (which the reader matches
too), its instructions and notes in :mod:`pipeline.template` (only written).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LANGS = ("id", "en")
DEFAULT_LANG = "id"


def _flat(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        out.update(_flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
    return out


TEXT: dict[str, dict[str, str]] = {
    lang: _flat(tomllib.loads((Path(__file__).parent / f"{lang}.toml").read_text(encoding="utf-8"))) for lang in LANGS}


@dataclass(frozen=True, slots=True)
class Msg:
    """A text to show, as a catalogue key and its data; rendered in the user's language at the edge."""

    key: str
    args: tuple[tuple[str, object], ...] = ()

    def render(self, lang: str = DEFAULT_LANG) -> str:
        return text(self.key, lang, **dict(self.args))

    def __str__(self) -> str:  # a stable, language-free form (sorting, logs)
        return self.key + "".join(f" {k}={v}" for k, v in self.args)


def msg(key: str, **args: object) -> Msg:
    """A :class:`Msg`; the key must exist in the catalogue (checked here, where it is made)."""
    if key not in TEXT[DEFAULT_LANG]:
        raise KeyError(f"unknown i18n key {key!r}")
    return Msg(key, tuple(args.items()))


def table(lang: str, area: str = "") -> Mapping[str, str]:
    """Every text of one language by key; with ``area``, that table's texts by their name in it (the
    workbook writer's look-up table is ``table(lang, "report")``)."""
    return _area(lang if lang in TEXT else DEFAULT_LANG, area)


@cache
def _area(lang: str, area: str) -> Mapping[str, str]:
    if not area:
        return TEXT[lang]
    return {k[len(area) + 1:]: v for k, v in TEXT[lang].items() if k.startswith(area + ".")}


def text(key: str, lang: str = DEFAULT_LANG, **args: object) -> str:
    """The text of ``key`` in ``lang`` with ``args`` filled in; a :class:`Msg` among them is rendered too."""
    template = table(lang)[key]
    if not args:
        return template
    return template.format(**{k: render(v, lang) for k, v in args.items()})


def decimal(number: str, lang: str = DEFAULT_LANG) -> str:
    """A number written as Python writes it (decimal point, comma between thousands: "2.47", "10,000", as
    :func:`~pipeline.catalog.framework.display` writes it) with the separators of ``lang``: "2,47" and "10.000" in
    Bahasa Indonesia, as the number cells show on an Indonesian PC."""
    texts = table(lang)
    return number.translate({ord("."): texts["number.decimal"], ord(","): texts["number.thousands"]})


class Num(str):
    """A number (with a unit, a sign or "> " around it) written as Python writes it: in a :class:`Msg`'s data or a
    finding, it is shown with the separators of the user's language (:func:`decimal`): ``Num("30.2 MB")`` is
    "30,2 MB" in Bahasa Indonesia. Everywhere else it is the plain text it holds."""

    __slots__ = ()


def render(value: object, lang: str = DEFAULT_LANG) -> str:
    """A value as shown to the user: a :class:`Msg` in ``lang``, anything else as its text."""
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, Num):
        return decimal(value, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(render(v, lang) for v in value)
    return "" if value is None else str(value)
