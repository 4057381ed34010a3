"""Every text the tool shows a user, in Bahasa Indonesia (``id``, the default) and English (``en``).

The catalogue is this package: one module per area (findings, reasons, the workbook, the command
line, fatal errors), each with an ``ID`` and an ``EN`` dict under the same keys and the same
``{placeholders}`` (a test holds them to that). Library code never builds a sentence: it returns a
code and data (a :class:`Msg`), and the edge that shows it (the command line, the workbook writer)
renders it in the user's language with :func:`render`.

The questionnaire's own texts (sheet names, headings, labels, instructions) are not here: they are
the form the OPDs fill in, in Bahasa Indonesia only, described once in :mod:`pipeline.layout`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.i18n import cli, errors, findings, reasons, report

LANGS = ("id", "en")
DEFAULT_LANG = "id"
_AREAS = (findings, reasons, report, cli, errors)


def _merge(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in _AREAS:
        table = area.ID if lang == "id" else area.EN
        clash = set(out) & set(table)
        if clash:
            raise KeyError(f"i18n key defined twice: {sorted(clash)[0]}")
        out.update(table)
    return out


TEXT: dict[str, dict[str, str]] = {lang: _merge(lang) for lang in LANGS}


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


def table(lang: str) -> Mapping[str, str]:
    """Every text of one language, by key (the workbook writer's look-up table)."""
    return TEXT[lang if lang in TEXT else DEFAULT_LANG]


def text(key: str, lang: str = DEFAULT_LANG, **args: object) -> str:
    """The text of ``key`` in ``lang`` with ``args`` filled in; a :class:`Msg` among them is rendered too."""
    template = table(lang)[key]
    if not args:
        return template
    return template.format(**{k: render(v, lang) for k, v in args.items()})


def render(value: object, lang: str = DEFAULT_LANG) -> str:
    """A value as shown to the user: a :class:`Msg` in ``lang``, anything else as its text."""
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(render(v, lang) for v in value)
    return "" if value is None else str(value)
