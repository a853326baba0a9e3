"""``headwater backfill``: launch, list, show and cancel backfills of partitioned assets."""

from __future__ import annotations

import datetime
from typing import Any

import click

from headwater.cli.options import json_option, load_locations_or_fail, location_target_options
from headwater.cli.output import echo_json, echo_table


@click.group()
def backfill() -> None:
    """Launch, list, show and cancel backfills."""


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).isoformat()


def _document(record: Any) -> dict[str, Any]:
    request = record.request
    return {
        "id": record.backfill_id,
        "status": record.status.value,
        "assets": [key.to_user_string() for key in request.asset_keys],
        "partition_range": list(request.partition_range) if request.partition_range else None,
        "partition_keys": list(request.partition_keys) if request.partition_keys else None,
        "location": request.location,
        "runs": record.num_runs,
        "progress": record.progress(),
        "created": _iso(record.create_timestamp),
        "updated": _iso(record.update_timestamp),
    }


@backfill.command()
@location_target_options
@click.option("--select", help="The assets to backfill (either selection syntax); default: all.")
@click.option("-l", "--location", "location_name", help="The code location of the assets.")
@click.option("--partition-range", help="First and last partition key: FIRST...LAST.")
@click.option("--partitions", help="Comma-separated partition keys.")
@click.option("--no-run", is_flag=True, help="Only plan and record it (run it with `resume`).")
@json_option
@click.pass_obj
def launch(state, specs, select, location_name, partition_range, partitions, no_run, as_json):
    """Plan a backfill, record it, and run it in this process.

    Without --partition-range or --partitions every partition is backfilled. JSON shape
    (--json): the `show` document of the backfill.
    """
    from headwater.backfills import get_backfill, launch_backfill

    if partition_range and partitions:
        raise click.UsageError("Give --partition-range or --partitions, not both.")
    loaded = load_locations_or_fail(state, specs, location_name)
    if len(loaded) != 1:
        names = ", ".join(location.name for location in loaded) or "none"
        raise click.UsageError(f"Choose one code location with --location (loaded: {names}).")
    location = loaded[0]
    keys = [key.strip() for key in partitions.split(",")] if partitions else None
    backfill_id = launch_backfill(
        location.definitions,
        select,
        partition_range=partition_range,
        partition_keys=keys,
        instance=state.instance,
        location=location.name,
        execute=not no_run,
    )
    echo_backfill(get_backfill(backfill_id, state.instance), as_json)


@backfill.command()
@click.argument("backfill_id")
@location_target_options
@click.option("-l", "--location", "location_name", help="The code location of the assets.")
@json_option
@click.pass_obj
def resume(state, backfill_id, specs, location_name, as_json):
    """Run what is left of a backfill (after a crash, or one launched with --no-run)."""
    from headwater.backfills import get_backfill, resume_backfill

    record = get_backfill(backfill_id, state.instance)
    name = location_name or record.request.location
    loaded = load_locations_or_fail(state, specs, name if specs is None else None)
    echo_backfill(resume_backfill(backfill_id, loaded[0].definitions, state.instance), as_json)


@backfill.command("list")
@click.option("--status", help="Only backfills in this status (e.g. REQUESTED).")
@click.option("--limit", type=int, help="At most this many, newest first.")
@json_option
@click.pass_obj
def list_backfills(state, status, limit, as_json):
    """List backfills, newest first.

    JSON shape (--json): a list of `show` documents.
    """
    from headwater.backfills import BulkActionStatus, get_backfills

    wanted = BulkActionStatus(status.upper()) if status else None
    documents = [_document(b) for b in get_backfills(state.instance, wanted, limit)]
    if as_json:
        echo_json(documents)
    elif not documents:
        click.echo("No backfills.")
    else:
        echo_table(
            ["id", "status", "assets", "runs", "succeeded", "created"],
            [
                [
                    d["id"],
                    d["status"],
                    ",".join(d["assets"]),
                    d["runs"],
                    d["progress"]["SUCCESS"],
                    d["created"],
                ]
                for d in documents
            ],
        )


@backfill.command()
@click.argument("backfill_id")
@json_option
@click.pass_obj
def show(state, backfill_id, as_json):
    """Show one backfill: status, assets, partitions and progress of its runs.

    JSON shape (--json): {"id", "status", "assets": [str], "partition_range", "partition_keys",
    "location", "runs": int, "progress": {status: int}, "created", "updated"}.
    """
    from headwater.backfills import get_backfill

    echo_backfill(get_backfill(backfill_id, state.instance), as_json)


@backfill.command()
@click.argument("backfill_id")
@json_option
@click.pass_obj
def cancel(state, backfill_id, as_json):
    """Cancel a backfill: no further run of it starts."""
    from headwater.backfills import cancel_backfill

    echo_backfill(cancel_backfill(backfill_id, state.instance), as_json)


def echo_backfill(record: Any, as_json: bool) -> None:
    document = _document(record)
    if as_json:
        echo_json(document)
        return
    for name, value in document.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        click.echo(f"{name + ':':<17}{'-' if value in (None, '') else value}")
