"""``headwater asset``: list, materialize and wipe the assets of code locations."""

from __future__ import annotations

import click

from headwater.cli.launch import execute_with_progress, run_options
from headwater.cli.options import json_option, load_locations_or_fail, location_target_options
from headwater.cli.output import echo_json, echo_table
from headwater.errors import InvalidAssetSelectionError, InvalidDefinitionError


@click.group()
def asset() -> None:
    """List, materialize and wipe assets."""


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
@location_target_options
@click.option(
    "--select",
    help="The assets to materialize, in either syntax: 'key:a* or group:sales' or the older "
    "'a/b,*c,+d'. Default: every materializable asset of the location.",
)
@click.option("-l", "--location", "location_name", help="The location to materialize from.")
@click.option("--partition", help="The partition to materialize, for partitioned assets.")
@click.option(
    "--partition-range",
    metavar="FIRST...LAST",
    help="A range of partitions: one run if every selected partitioned asset has a "
    "single-run backfill policy, otherwise a backfill whose runs follow the policies.",
)
@click.option(
    "--only-missing",
    is_flag=True,
    help="Leave out selected assets (or, with --partition, asset partitions) that are "
    "already materialized.",
)
@run_options
@click.pass_obj
def materialize(
    state,
    specs,
    select: str | None,
    location_name: str | None,
    partition: str | None,
    partition_range: str | None,
    only_missing: bool,
    run_config: dict,
    tags: dict,
    executor: str | None,
) -> None:
    """Materialize assets of one code location as one run, showing its progress.

    The run is recorded in the instance of HEADWATER_HOME, and values are stored by its IO
    manager. Progress goes to stderr: a status line on a terminal, otherwise one line per
    step (one JSON object per step with --log-format json). A summary follows on stdout (a
    JSON object with --log-format json). Exits with 1 if a step fails, naming the failed
    steps and the first error.

    \b
    Examples:
      headwater asset materialize --location lakeside --partition 2024-06-30
      headwater asset materialize --location lakeside --partition-range 2024-06-01...2024-06-07
      headwater asset materialize --select 'group:clean+' --executor in_process
    """
    from headwater.asset_graph.selection import AssetSelection
    from headwater.jobs.asset_job import IMPLICIT_ASSET_JOB_NAME, define_asset_job

    location = _one_location(state, specs, location_name, select)
    defs = location.definitions
    graph = defs.resolve_asset_graph()
    selection = AssetSelection.all() if select is None else AssetSelection.from_string(select)
    keys = [key for key in selection.resolve(graph, allow_missing=True) if graph.is_executable(key)]
    if not keys:
        raise InvalidAssetSelectionError(
            f"Selection {select!r} matches no materializable asset in location "
            f"{location.name!r}; `headwater asset list --location {location.name}` lists them."
        )
    if partition and partition_range:
        raise click.UsageError("Give --partition or --partition-range, not both.")
    first_last = _parse_partition_range(partition_range) if partition_range else None
    _check_partition(graph, keys, partition or partition_range, location.name)
    if first_last and not _single_run_allowed(graph, keys):
        _materialize_as_backfill(state, defs, keys, first_last, location.name, only_missing)
        return
    if first_last:
        if only_missing:
            raise click.UsageError(
                "--only-missing works with --partition, or with --partition-range when the "
                "range is run as a backfill; drop one of them."
            )
        from headwater.storage.runs import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG

        tags = {
            **tags,
            PARTITION_RANGE_START_TAG: first_last[0],
            PARTITION_RANGE_END_TAG: first_last[1],
        }
    if only_missing:
        keys = _missing(state.instance, graph, keys, partition)
        if not keys:
            click.echo("Every selected asset is already materialized; nothing to do.")
            return
    # Checks on the chosen assets run with them, as when the whole location is materialized.
    chosen = AssetSelection.assets(*keys).required_multi_asset_neighbors()
    job = define_asset_job(
        IMPLICIT_ASSET_JOB_NAME, selection=chosen | AssetSelection.checks_for_assets(*keys)
    ).resolve(asset_graph=graph, default_executor_def=defs.executor, resources=defs.resources)
    execute_with_progress(
        state,
        job,
        location=location.name,
        run_config=run_config,
        tags=tags,
        partition_key=partition,
        executor=executor,
    )


def _parse_partition_range(text: str) -> tuple[str, str]:
    first, sep, last = text.partition("...")
    if not sep or not first or not last:
        raise click.BadParameter(
            f"{text!r} is not a range; write FIRST...LAST, e.g. 2024-06-01...2024-06-07.",
            param_hint="--partition-range",
        )
    return first, last


def _single_run_allowed(graph, keys) -> bool:
    """Whether every selected partitioned asset may run a whole range in one run."""
    for key in keys:
        if graph.partitions_def(key) is None:
            continue
        policy = graph.backfill_policy(key)
        if policy is None or policy.max_partitions_per_run is not None:
            return False
    return True


def _materialize_as_backfill(state, defs, keys, first_last, location_name, only_missing) -> None:
    """Run the range as a backfill, one run per chunk of each asset's backfill policy."""
    from headwater.backfills import BulkActionStatus, get_backfill, launch_backfill
    from headwater.cli.commands.backfill import echo_backfill

    if only_missing:
        raise click.UsageError(
            "--only-missing with --partition-range needs single-run backfill policies; "
            "`headwater backfill launch` resumes what is missing after a failure."
        )
    backfill_id = launch_backfill(
        defs, keys, partition_range=first_last, instance=state.instance, location=location_name
    )
    record = get_backfill(backfill_id, state.instance)
    echo_backfill(record, as_json=False)
    if record.status is not BulkActionStatus.COMPLETED_SUCCESS:
        raise click.exceptions.Exit(1)


def _one_location(state, specs, location_name: str | None, select: str | None):
    """The location to materialize from: the named one, the only one, or the only match."""
    loaded = load_locations_or_fail(state, specs, location_name)
    if len(loaded) == 1:
        return loaded[0]
    names = ", ".join(location.name for location in loaded) or "none"
    if select is None:
        raise click.UsageError(
            f"Several code locations are loaded ({names}); choose one with --location."
        )
    from headwater.asset_graph.selection import AssetSelection

    selection = AssetSelection.from_string(select)
    matching = [
        location
        for location in loaded
        if selection.resolve(location.definitions.resolve_asset_graph(), allow_missing=True)
    ]
    if len(matching) == 1:
        return matching[0]
    if not matching:
        raise InvalidAssetSelectionError(
            f"Selection {select!r} matches no asset (locations searched: {names})."
        )
    raise click.UsageError(
        f"Selection {select!r} matches assets in several locations "
        f"({', '.join(location.name for location in matching)}); choose one with --location."
    )


def _check_partition(graph, keys, partition: str | None, location_name: str) -> None:
    partitioned = [key for key in keys if graph.partitions_def(key) is not None]
    if partition is None and partitioned:
        labels = ", ".join(key.to_user_string() for key in partitioned)
        example = graph.partitions_def(partitioned[0]).get_last_partition_key()
        raise InvalidDefinitionError(
            f"Selected assets of location {location_name!r} are partitioned ({labels}): pass "
            f"--partition (e.g. --partition {example}), or leave them out of --select."
        )
    if partition is not None and not partitioned:
        raise InvalidDefinitionError(
            f"--partition {partition} was given, but none of the selected assets of location "
            f"{location_name!r} is partitioned; drop --partition."
        )
    definitions = {graph.partitions_def(key) for key in partitioned}
    if len(definitions) > 1:
        raise InvalidDefinitionError(
            "One run can only target one partitions definition, but the selected assets have "
            f"{len(definitions)} different ones; narrow --select to assets partitioned alike."
        )


def _missing(instance, graph, keys, partition: str | None):
    """The keys not yet materialized (for partitioned ones: not for ``partition``)."""
    unpartitioned = [key for key in keys if graph.partitions_def(key) is None]
    latest = instance.get_latest_materialization_events(unpartitioned)
    missing = []
    for key in keys:
        if graph.partitions_def(key) is None:
            if latest.get(key) is None:
                missing.append(key)
        elif partition not in instance.get_materialized_partitions(key):
            missing.append(key)
    return missing


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
