"""``headwater location``: list and validate code locations."""

from __future__ import annotations

import click

from headwater.cli.options import json_option, location_target_options
from headwater.cli.output import echo_json, echo_table


@click.group()
def location() -> None:
    """List and validate code locations."""


@location.command("list")
@location_target_options
@json_option
@click.pass_obj
def list_locations(state, specs, as_json: bool) -> None:
    """List code locations: installed ones, or those given with -m/-f/--package-name.

    Every location is loaded; one that fails is listed with its error and the others are
    still listed (use `location validate` to fail on errors).

    \b
    JSON: a list, one object per location:
      {"name": str, "kind": str, "target": str, "origin": str,
       "status": "loaded" | "failed", "assets": int | null, "asset_checks": int | null,
       "jobs": int | null, "error": str | null, "traceback": str | null}
    """
    from headwater.locations.loading import load_locations

    loaded = load_locations(state.instance, specs)
    documents = [_document(location) for location in loaded]
    if as_json:
        echo_json(documents)
        return
    if not documents:
        click.echo("No code locations: install a location package or pass -m/-f.")
        return
    echo_table(
        ["name", "status", "assets", "target", "origin"],
        [[d["name"], d["status"], d["assets"], d["target"], d["origin"]] for d in documents],
    )
    for document in documents:
        if document["error"]:
            click.echo(f"\nLocation {document['name']!r} failed: {document['error']}", err=True)


@location.command()
@location_target_options
@json_option
@click.pass_obj
def validate(state, specs, as_json: bool) -> None:
    """Load every code location and check its definitions; exit 1 if any fails.

    Besides importing, the asset graph and every job of each location are resolved, so
    cycles, unknown selections and conflicting definitions are reported here.

    \b
    JSON: a list, one object per location:
      {"name": str, "status": "ok" | "failed", "error": str | null,
       "traceback": str | null}
    """
    from headwater.locations.loading import load_locations
    from headwater.locations.summary import validate_location

    results = [validate_location(loaded) for loaded in load_locations(state.instance, specs)]
    if as_json:
        echo_json(
            [
                {
                    "name": r.name,
                    "status": "ok" if r.ok else "failed",
                    "error": r.error,
                    "traceback": r.traceback,
                }
                for r in results
            ]
        )
    else:
        for result in results:
            if result.ok:
                click.echo(f"ok      {result.name}")
            else:
                click.echo(f"FAILED  {result.name}: {result.error}")
                click.echo(_indent(result.traceback or ""), err=True)
        if not results:
            click.echo("No code locations to validate.")
    if any(not r.ok for r in results):
        click.get_current_context().exit(1)


def _document(location) -> dict:
    from headwater.locations.summary import count_definitions

    spec = location.spec
    counts = count_definitions(location.definitions) if location.ok else {}
    return {
        "name": spec.name,
        "kind": spec.kind,
        "target": spec.target_label,
        "origin": spec.origin,
        "status": "loaded" if location.ok else "failed",
        "assets": counts.get("assets"),
        "asset_checks": counts.get("asset_checks"),
        "jobs": counts.get("jobs"),
        "error": location.error,
        "traceback": location.traceback,
    }


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.rstrip().splitlines())
