"""click in the user's language: help headings, usage errors and the values of options.

click writes its own texts in English ("Usage:", "No such option", "Error:"). Diskominfo staff read
Bahasa Indonesia, so every text click would show comes from the catalogue (``cli`` table) instead:

* the help itself: a command's or option's ``help`` is a catalogue key (``help.merge``), rendered in the
  language of ``--lang`` on the command line when the command line is read (:func:`localise`), with the
  help's headings, the --help/--version lines and the names of values (:class:`Command`, :class:`Group`);
* the values of options and arguments (:class:`Int`, :class:`Text`, :class:`Choice`, :class:`PathArg`):
  a bad value fails with a catalogue message (:class:`~pipeline.i18n.Msg`);
* a mistyped command, option or value: :meth:`Group.main` renders click's exception from its data (the
  option's name, the known options, the parameter) in the language of ``--lang`` on the same command
  line, then "Try ... for help" and the "Error:" line, and exits with click's exit code (2).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from pipeline import i18n
from pipeline.i18n import Msg
from pipeline.text import visible

_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click 8.2 on; before, help and exit 0


class Failure(click.ClickException):
    """A fatal error already worded (a catalogue text in ``lang``), exit code 1 or as given."""

    def __init__(self, message: str, lang: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.lang, self.exit_code = lang, exit_code


class Usage(click.UsageError):
    """A usage error already worded in ``lang`` (exit code 2)."""

    def __init__(self, message: str | Msg, lang: str | None = None, ctx: click.Context | None = None) -> None:
        super().__init__(message, ctx)  # type: ignore[arg-type]
        self.lang = lang


_LANG = [i18n.DEFAULT_LANG]  # the language of this command line's help (set by localise)


class _Formatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, i18n.text("cli.usage", _LANG[0]) if prefix is None else prefix)

    def section(self, name: str):  # click's context manager
        lang = _LANG[0]
        return super().section({"Options": i18n.text("cli.options", lang),
                                "Commands": i18n.text("cli.commands", lang)}.get(name, name))


class _Context(click.Context):
    formatter_class = _Formatter


class Command(click.Command):
    """A command whose help headings and errors come from the catalogue."""

    context_class = _Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = i18n.text("cli.help-option", _LANG[0])
        return option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if isinstance(self, click.Group):
            return super().parse_args(ctx, args)
        ctx.allow_extra_args = True  # what is left over is refused below, in the user's language
        rest = super().parse_args(ctx, args)
        if ctx.args and not ctx.resilient_parsing:
            raise Usage(i18n.msg("cli.extra-args", args=" ".join(ctx.args)), ctx=ctx)
        return rest


class Group(Command, click.Group):
    """The ``spbe`` group: its commands are :class:`Command`; it renders every click error itself."""

    command_class = Command
    group_class = type  # subgroups are of this class too

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                             list[str]]:
        name = args[0]
        if self.get_command(ctx, name) is None and not name.startswith("-") and not ctx.resilient_parsing:
            raise Usage(i18n.msg("cli.no-such-command", name=name, commands=", ".join(self.list_commands(ctx))),
                        ctx=ctx)
        return super().resolve_command(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        lang = lang_of(args)
        localise(self, lang)
        extra.pop("standalone_mode", None)
        try:
            return super().main(args, prog_name, standalone_mode=False, **extra)
        except _NO_ARGS_IS_HELP as exc:  # a group named alone: its help
            click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:  # Ctrl-C or end of input at a prompt
            click.echo(i18n.text("cli.aborted", lang), err=True)
            sys.exit(1)
        except click.ClickException as exc:
            lang = getattr(exc, "lang", None) or lang
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                usage = " ".join((ctx.command_path, *ctx.command.collect_usage_pieces(ctx)))
                click.echo(i18n.text("cli.usage", lang) + usage, err=True)
                click.echo(i18n.text("cli.try-help", lang, command=ctx.command_path) + "\n", err=True)
            click.echo(i18n.text("cli.error", lang, message=visible(message(exc, lang, self))), err=True)
            sys.exit(exc.exit_code)


HELP_ARGS: dict[str, object] = {}  # values the help texts show ({workers}), set by the command line's module
_VALUE_NAMES = {"number": "help.metavar-number", "text": "help.metavar-text", "file": "help.metavar-file",
                "folder": "help.metavar-folder", "any": "help.metavar-path"}


def localise(command: click.Command, lang: str) -> None:
    """Every help text of ``command`` and its subcommands, the names of their values and the usage line's
    words, in ``lang`` (each text keeps its catalogue key, so that it can be rendered in another language)."""
    _LANG[0] = lang
    command.options_metavar = i18n.text("help.usage-options", lang)
    if isinstance(command, click.Group):
        command.subcommand_metavar = i18n.text("help.usage-command", lang)
    for item in (command, *command.params):
        for attr in ("help", "metavar"):
            key = getattr(item, f"{attr}_key", None) or getattr(item, attr, None)
            if key and key in i18n.TEXT[i18n.DEFAULT_LANG]:
                setattr(item, f"{attr}_key", key)
                setattr(item, attr, i18n.text(key, lang, **HELP_ARGS))
        kind = getattr(getattr(item, "type", None), "kind", None)
        if kind in _VALUE_NAMES:
            item.type.name = i18n.text(_VALUE_NAMES[kind], lang)
    for sub in getattr(command, "commands", {}).values():
        localise(sub, lang)


def lang_of(args: Sequence[str]) -> str:
    """The ``--lang`` given on the command line (the last one), else the environment's ``SPBE_LANG``, else the
    default."""
    lang = os.environ.get("SPBE_LANG", "") if os.environ.get("SPBE_LANG", "") in i18n.LANGS else i18n.DEFAULT_LANG
    for k, arg in enumerate(args):
        value = args[k + 1] if arg == "--lang" and k + 1 < len(args) else arg[7:] if arg.startswith("--lang=") else None
        if value in i18n.LANGS:
            lang = value
    return lang


def message(exc: click.ClickException, lang: str, group: click.Group) -> str:
    """click's exception as one sentence in ``lang``, from its data (its own English text only as a last resort)."""
    if isinstance(exc, click.NoSuchOption):
        text = i18n.text("cli.no-such-option", lang, name=exc.option_name)
        if exc.possibilities:
            text += " " + i18n.text("cli.did-you-mean", lang, names=", ".join(sorted(exc.possibilities)))
        elif exc.ctx is not None and exc.ctx.parent is None and any(
                o.name == exc.option_name.lstrip("-") for c in getattr(group, "commands", {}).values()
                for o in c.params):  # an option of the commands, given before the command's name
            text += " " + i18n.text("cli.option-after-command", lang, name=exc.option_name)
        return text
    if isinstance(exc, click.BadOptionUsage):
        flag = any(o.is_flag or o.count for o in _options(group, exc.option_name))
        key = "cli.option-no-value" if flag else "cli.option-value"
        return i18n.text(key, lang, name=exc.option_name)
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        key = "cli.missing-option" if isinstance(exc.param, click.Option) else "cli.missing-argument"
        return i18n.text(key, lang, name=_name(exc.param))
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        return i18n.text("cli.bad-value", lang, name=_name(exc.param), why=i18n.render(exc.message, lang))
    if isinstance(exc.message, Msg):
        return exc.message.render(lang)
    return exc.format_message()


def _options(command: click.Command, name: str) -> list[click.Option]:
    """The options called ``name`` of ``command`` and its subcommands (click's usage errors do not say which)."""
    found = [p for p in command.params if isinstance(p, click.Option) and name in (*p.opts, *p.secondary_opts)]
    for sub in getattr(command, "commands", {}).values():
        found.extend(_options(sub, name))
    return found


def _name(param: click.Parameter) -> str:
    if isinstance(param, click.Option):  # with its environment variable: the bad value may come from there
        return " / ".join((*param.opts, *([param.envvar] if isinstance(param.envvar, str) else [])))
    return (param.metavar or param.name or "").rstrip(".").upper()


# ---------------------------------------------------------------- values of options and arguments


class Int(click.ParamType):
    name, kind = "angka", "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            self.fail(i18n.msg("cli.not-integer", value=value), param, ctx)  # type: ignore[arg-type]


class Text(click.ParamType):
    name, kind = "teks", "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return value if isinstance(value, str) else os.fsdecode(value)


class Choice(click.Choice):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        self.fail(i18n.msg("cli.not-choice", value=value, choices=", ".join(map(str, self.choices))),  # type: ignore[arg-type]
                  param, ctx)


class PathArg(click.ParamType):
    """A file (``kind="file"``), folder (``"folder"``) or either (``"any"``), which must exist when ``exists``;
    given as a :class:`~pathlib.Path`, or as text with ``as_text``."""

    def __init__(self, kind: str = "any", exists: bool = False, as_text: bool = False) -> None:
        self.kind, self.exists, self.as_text = kind, exists, as_text
        self.name = {"file": "berkas", "folder": "folder"}.get(kind, "jalur")  # in the user's language: localise()

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path | str:
        text = value if isinstance(value, str) else os.fsdecode(value)
        path = Path(text)
        if self.exists and not path.exists():
            self.fail(i18n.msg("cli.path-missing", path=text), param, ctx)  # type: ignore[arg-type]
        if self.kind == "file" and path.is_dir():
            self.fail(i18n.msg("cli.path-is-folder", path=text), param, ctx)  # type: ignore[arg-type]
        if self.kind == "folder" and path.exists() and not path.is_dir():
            self.fail(i18n.msg("cli.path-not-folder", path=text), param, ctx)  # type: ignore[arg-type]
        return text if self.as_text else path
