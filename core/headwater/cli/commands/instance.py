"""``headwater instance``: where the instance lives and its schema migrations."""

from __future__ import annotations

import click

from headwater.cli.options import json_option
from headwater.cli.output import echo_json


@click.group()
def instance() -> None:
    """Inspect and migrate the instance."""


@instance.command()
@json_option
@click.pass_obj
def info(state, as_json: bool) -> None:
    """Show the instance's home, storage and settings.

    \b
    JSON: an object:
      {"home": str, "storage_url": str, "storage_directory": str,
       "io_manager": str, "executor": str | null, "runs": int}
    """
    current = state.instance
    settings = current.settings
    document = {
        "home": current.root_directory,
        "storage_url": current.storage.url,
        "storage_directory": current.storage_directory(),
        "io_manager": settings.io_manager,
        "executor": settings.executor,
        "runs": current.get_runs_count(),
    }
    if as_json:
        echo_json(document)
        return
    for name, value in document.items():
        click.echo(f"{name + ':':<19}{'-' if value is None else value}")


@instance.command()
@click.pass_obj
def migrate(state) -> None:
    """Apply pending schema migrations to the instance's database."""
    before, after = state.instance.upgrade()
    if before == after:
        click.echo(f"Schema is up to date (revision {after}).")
    else:
        click.echo(f"Migrated the schema from revision {before or 'none'} to {after}.")
