"""``headwater run``: list, inspect and delete the runs stored in the instance."""

from __future__ import annotations

import datetime
import logging
import re
from collections import Counter
from typing import Any

import click

from headwater.cli.options import json_option
from headwater.cli.output import echo_json, echo_table
from headwater.errors import HeadwaterError

STATUSES = (
    "QUEUED",
    "NOT_STARTED",
    "MANAGED",
    "STARTING",
    "STARTED",
    "SUCCESS",
    "FAILURE",
    "CANCELING",
    "CANCELED",
)
_DURATION = re.compile(r"^(\d+)([smhdw])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class RunNotFoundError(HeadwaterError):
    """The run id given on the command line is not stored in the instance."""


@click.group()
def run() -> None:
    """List, inspect and delete runs."""


def _since(value: str | None) -> datetime.datetime | None:
    if value is None:
        return None
    match = _DURATION.match(value.strip())
    now = datetime.datetime.now(datetime.timezone.utc)
    if match:
        return now - datetime.timedelta(seconds=int(match[1]) * _SECONDS[match[2]])
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a duration (30m, 2h, 7d) nor an ISO date/time "
            "(2024-05-01 or 2024-05-01T12:00).",
            param_hint="--since",
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


def _tags(values: tuple[str, ...]) -> dict[str, str]:
    tags = {}
    for value in values:
        key, sep, tag_value = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not KEY=VALUE.", param_hint="--tag")
        tags[key] = tag_value
    return tags


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).isoformat()


def _document(record) -> dict[str, Any]:
    run = record.dagster_run
    start, end = record.start_time, record.end_time
    return {
        "run_id": run.run_id,
        "job_name": run.job_name,
        "status": run.status.value,
        "tags": dict(run.tags),
        "asset_selection": (
            None
            if run.asset_selection is None
            else sorted(key.to_user_string() for key in run.asset_selection)
        ),
        "created": record.create_timestamp.isoformat(),
        "start_time": _iso(start),
        "end_time": _iso(end),
        "duration_seconds": None if start is None or end is None else round(end - start, 3),
    }


def _record(instance, run_id: str):
    from headwater.storage.runs import RunsFilter

    records = instance.get_run_records(RunsFilter(run_ids=[run_id]), limit=1)
    if not records:
        raise RunNotFoundError(
            f"Run {run_id!r} not found in {instance.root_directory}; "
            "`headwater run list` shows the stored runs."
        )
    return records[0]


@run.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES))
@click.option("--job", "job_name", help="Only runs of this job.")
@click.option("--tag", "tags", multiple=True, help="Only runs with this tag (KEY=VALUE).")
@click.option("--since", help="Only runs created since: a duration (30m, 2h, 7d) or ISO time.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
@click.pass_obj
def list_runs(state, statuses, job_name, tags, since, limit, as_json) -> None:
    """List runs, newest first. Repeated --status or --tag options are combined.

    \b
    JSON: a list, one object per run:
      {"run_id": str, "job_name": str, "status": str, "tags": {str: str},
       "asset_selection": [str] | null, "created": str, "start_time": str | null,
       "end_time": str | null, "duration_seconds": float | null}
    (times are ISO 8601 in UTC)
    """
    from headwater.storage.runs import RunsFilter

    filters = RunsFilter(
        statuses=list(statuses) or None,
        job_name=job_name,
        tags=_tags(tags),
        created_after=_since(since),
    )
    documents = [_document(r) for r in state.instance.get_run_records(filters, limit=limit)]
    if as_json:
        echo_json(documents)
    elif not documents:
        click.echo("No runs.")
    else:
        echo_table(
            ["run id", "job", "status", "created", "duration"],
            [
                [d["run_id"], d["job_name"], d["status"], d["created"], d["duration_seconds"]]
                for d in documents
            ],
        )


@run.command()
@click.argument("run_id")
@json_option
@click.pass_obj
def show(state, run_id: str, as_json: bool) -> None:
    """Show one run: its job, status, times, tags, selection and event counts.

    \b
    JSON: the object of `run list` plus
      {"event_counts": {event type: int}}
    """
    instance = state.instance
    document = _document(_record(instance, run_id))
    counts = Counter(
        entry.dagster_event.event_type_value
        for entry in instance.all_logs(run_id)
        if entry.dagster_event is not None
    )
    document["event_counts"] = dict(sorted(counts.items()))
    if as_json:
        echo_json(document)
        return
    for name, value in document.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
        elif isinstance(value, list):
            value = ", ".join(value) or "-"
        click.echo(f"{name + ':':<18}{'-' if value is None else value}")


@run.command()
@click.argument("run_id")
@json_option
@click.pass_obj
def logs(state, run_id: str, as_json: bool) -> None:
    """Print the event log of a run, oldest first.

    \b
    JSON: a list, one object per event:
      {"timestamp": str, "level": str, "step_key": str | null,
       "event_type": str | null, "message": str}
    """
    instance = state.instance
    _record(instance, run_id)
    documents = [
        {
            "timestamp": _iso(entry.timestamp),
            "level": logging.getLevelName(entry.level),
            "step_key": entry.step_key,
            "event_type": (
                entry.dagster_event.event_type_value if entry.dagster_event is not None else None
            ),
            "message": entry.user_message
            or (entry.dagster_event.message if entry.dagster_event is not None else "")
            or "",
        }
        for entry in instance.all_logs(run_id)
    ]
    if as_json:
        echo_json(documents)
        return
    for d in documents:
        step = f" [{d['step_key']}]" if d["step_key"] else ""
        kind = f" {d['event_type']}" if d["event_type"] else ""
        click.echo(f"{d['timestamp']} {d['level']}{step}{kind} {d['message']}".rstrip())


@run.command()
@click.argument("run_ids", nargs=-1, required=True)
@click.option("--noprompt", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def delete(state, run_ids: tuple[str, ...], noprompt: bool) -> None:
    """Delete runs with their events (asset history they recorded goes too)."""
    instance = state.instance
    for run_id in run_ids:
        _record(instance, run_id)
    if not noprompt and not click.confirm(f"Delete {len(run_ids)} run(s)?"):
        raise click.Abort()
    for run_id in run_ids:
        instance.delete_run(run_id)
    click.echo(f"Deleted {len(run_ids)} run(s): {', '.join(run_ids)}")
