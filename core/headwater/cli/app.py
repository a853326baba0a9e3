"""The root ``headwater`` group: lazy subcommands, global options and error reporting."""

from __future__ import annotations

import importlib
import traceback as traceback_module

import click

from headwater.cli.state import LOG_FORMATS, CliState
from headwater.errors import HeadwaterError, PluginError


class LazyGroup(click.Group):
    """A click group whose subcommands can be imported on first use.

    ``add_lazy_command("name", "package.module:attribute", "short help")`` records a command
    without importing it; the group's own ``--help`` lists it from the recorded short help.
    Plain ``add_command`` works as usual.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._lazy: dict[str, tuple[str, str]] = {}

    def add_lazy_command(self, name: str, import_path: str, short_help: str) -> None:
        """Register ``name`` as the click command at ``import_path`` (``module:attribute``)."""
        self._lazy[name] = (import_path, short_help)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in self._lazy:
            command = self._import(cmd_name)
            self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                command = self.commands[name]
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(formatter.width)))
            else:
                rows.append((name, self._lazy[name][1]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _import(self, name: str) -> click.Command:
        import_path = self._lazy[name][0]
        module_name, _, attribute = import_path.partition(":")
        try:
            command = getattr(importlib.import_module(module_name), attribute)
        except Exception as exc:
            raise click.ClickException(
                f"Command {name!r} could not be loaded from {import_path}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(command, click.Command):
            raise click.ClickException(
                f"Command {name!r}: {import_path} is a {type(command).__name__}, "
                "not a click command."
            )
        return command


class RootGroup(LazyGroup):
    """The top-level group: turns errors into one-line messages with exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            state = ctx.obj if isinstance(ctx.obj, CliState) else None
            if state is not None and state.show_traceback:
                traceback_module.print_exc()
                ctx.exit(1)
            raise click.ClickException(_one_line(exc)) from exc


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, HeadwaterError):
        return str(exc)
    return f"{type(exc).__name__}: {exc} (run with --traceback to see where it came from)"


def build_cli() -> RootGroup:
    """Build the ``headwater`` command group and let every plugin add its commands."""

    @click.group(
        cls=RootGroup,
        name="headwater",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    @click.option(
        "--log-format",
        type=click.Choice(LOG_FORMATS),
        default=None,
        help="How log lines are written to stderr: colored (default on a terminal), json "
        "(one object per line) or plain (default otherwise).",
    )
    @click.option(
        "--traceback",
        "show_traceback",
        is_flag=True,
        help="On failure, print the full traceback instead of a one-line error.",
    )
    @click.version_option(package_name="headwater", prog_name="headwater")
    @click.pass_context
    def cli(ctx: click.Context, log_format: str | None, show_traceback: bool) -> None:
        """headwater: software-defined assets from the command line.

        Exit codes: 0 success, 1 a user or code error (a broken location, a failed run, an
        unknown name), 2 a usage error (a bad option or argument).
        """
        ctx.obj = CliState(log_format=log_format, show_traceback=show_traceback)
        ctx.obj.configure_logging()

    _register_commands(cli)
    return cli


def _register_commands(cli: RootGroup) -> None:
    from headwater._plugins import build_plugin_manager, get_plugin_manager

    try:
        plugin_manager = get_plugin_manager()
    except PluginError as exc:
        # Still offer every working command (plugins list shows what failed) instead of
        # leaving the user with a CLI that cannot start.
        click.echo(f"Warning: {exc}", err=True)
        plugin_manager = build_plugin_manager(strict=False)
    plugin_manager.hook.register_commands(cli=cli)
