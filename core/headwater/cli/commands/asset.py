"""``headwater asset``: list the assets of code locations and wipe their stored state."""

from __future__ import annotations

import click

from headwater.cli.options import json_option, load_locations_or_fail, location_target_options
from headwater.cli.output import echo_json, echo_table
from headwater.errors import InvalidAssetSelectionError


@click.group()
def asset() -> None:
    """List and wipe assets."""


@asset.command("list")
@location_target_options
@click.option(
    "--select",
    help="Only assets matching this selection, in either syntax: 'key:a* or group:sales' "
    "or the older 'a/b,*c,+d'.",
)
@click.option("-l", "--location", "location_name", help="Only the location with this name.")
@json_option
@click.pass_obj
def list_assets(state, specs, select: str | None, location_name: str | None, as_json: bool):
    """List the assets defined by code locations, sorted by location and key.

    Fails (exit 1) if a location cannot be loaded or the selection matches nothing.

    \b
    JSON: a list, one object per asset:
      {"key": str, "path": [str], "location": str, "group": str,
       "kinds": [str], "deps": [str], "checks": [str], "description": str | null,
       "materializable": bool, "observable": bool, "external": bool,
       "partitioned": bool}
    """
    from headwater.locations.summary import asset_documents

    loaded = load_locations_or_fail(state, specs, location_name)
    documents = []
    for location in loaded:
        documents.extend(asset_documents(location, select))
    if select is not None and not documents:
        names = ", ".join(location.name for location in loaded) or "none"
        raise InvalidAssetSelectionError(
            f"Selection {select!r} matches no asset (locations searched: {names})."
        )
    if as_json:
        echo_json(documents)
    elif not documents:
        click.echo("No assets.")
    else:
        echo_table(
            ["key", "location", "group", "kind", "deps"],
            [[d["key"], d["location"], d["group"], _kind(d), d["deps"]] for d in documents],
        )


def _kind(document: dict) -> str:
    if document["materializable"]:
        return "materializable"
    return "observable" if document["observable"] else "external"


@asset.command()
@click.argument("keys", nargs=-1)
@click.option("--all", "wipe_all", is_flag=True, help="Wipe every asset the instance knows.")
@click.option("--noprompt", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def wipe(state, keys: tuple[str, ...], wipe_all: bool, noprompt: bool) -> None:
    """Forget the stored materializations of assets (KEYS are like 'a/b').

    Run history stays; the assets simply have no latest materialization any more.
    """
    from headwater.definitions.keys import AssetKey

    if bool(keys) == wipe_all:
        raise click.UsageError("Give asset keys to wipe, or --all (not both).")
    instance = state.instance
    asset_keys = (
        list(instance.get_asset_keys())
        if wipe_all
        else [AssetKey.from_user_string(key) for key in keys]
    )
    if not asset_keys:
        click.echo("No assets to wipe.")
        return
    labels = ", ".join(key.to_user_string() for key in asset_keys)
    if not noprompt and not click.confirm(f"Wipe {len(asset_keys)} asset(s): {labels}?"):
        raise click.Abort()
    instance.wipe_assets(asset_keys)
    click.echo(f"Wiped {len(asset_keys)} asset(s): {labels}")
