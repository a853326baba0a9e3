"""``headwater plugins``: what is installed and which hooks it implements."""

from __future__ import annotations

import click

from headwater.cli.options import json_option
from headwater.cli.output import echo_json, echo_table


@click.group()
def plugins() -> None:
    """Show installed plugins."""


@plugins.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include the built-in plugins.")
@json_option
def list_plugins(show_all: bool, as_json: bool) -> None:
    """List plugins with their distribution, status and hooks.

    Plugins that failed to import are listed with status "failed" and their error, blocked
    ones with status "blocked".

    \b
    JSON: a list, one object per plugin:
      {"name": str, "source": "builtin" | "entrypoint" | "explicit",
       "distribution": str | null, "version": str | null,
       "status": "loaded" | "blocked" | "failed", "hooks": [str], "error": str | null}
    """
    from headwater._plugins import build_plugin_manager

    # A non-strict manager so broken plugins are listed rather than stopping the command.
    infos = build_plugin_manager(strict=False).plugin_infos()
    if not show_all:
        infos = [info for info in infos if info.source != "builtin"]
    documents = [
        {
            "name": info.name,
            "source": info.source,
            "distribution": info.distribution,
            "version": info.version,
            "status": info.status,
            "hooks": list(info.hooks),
            "error": info.error,
        }
        for info in infos
    ]
    if as_json:
        echo_json(documents)
        return
    if not documents:
        click.echo("No plugins installed (--all also lists the built-in ones).")
        return
    echo_table(
        ["name", "status", "distribution", "version", "hooks"],
        [[d["name"], d["status"], d["distribution"], d["version"], d["hooks"]] for d in documents],
    )
    for document in documents:
        if document["error"]:
            click.echo(f"\nPlugin {document['name']!r} failed: {document['error']}", err=True)
