"""``headwater job``: list and execute the jobs defined by code locations."""

from __future__ import annotations

import click

from headwater.cli.launch import execute_with_progress, run_options
from headwater.cli.options import json_option, load_locations_or_fail, location_target_options
from headwater.cli.output import echo_json, echo_table


@click.group()
def job() -> None:
    """List and execute jobs."""


@job.command("list")
@location_target_options
@click.option("-l", "--location", "location_name", help="Only the location with this name.")
@json_option
@click.pass_obj
def list_jobs(state, specs, location_name: str | None, as_json: bool) -> None:
    """List the jobs of code locations, each resolved against its location's assets.

    The implicit job over all assets is not listed.

    \b
    JSON: a list, one object per job:
      {"name": str, "location": str, "description": str | null,
       "assets": [str], "checks": [str], "partitioned": bool}
    """
    from headwater.locations.summary import job_documents

    documents = []
    for location in load_locations_or_fail(state, specs, location_name):
        documents.extend(job_documents(location))
    if as_json:
        echo_json(documents)
    elif not documents:
        click.echo("No jobs.")
    else:
        echo_table(
            ["name", "location", "assets", "description"],
            [[d["name"], d["location"], len(d["assets"]), d["description"]] for d in documents],
        )


@job.command()
@location_target_options
@click.option("-j", "--job", "job_name", required=True, help="The name of the job to run.")
@click.option("-l", "--location", "location_name", help="The location defining the job.")
@click.option("--partition", help="The partition to run, for a partitioned job.")
@run_options
@click.pass_obj
def execute(
    state,
    specs,
    job_name: str,
    location_name: str | None,
    partition: str | None,
    run_config: dict,
    tags: dict,
    executor: str | None,
) -> None:
    """Execute a job of a code location as one run, showing its progress.

    Run config given with -c/--config-json replaces the job's own config. Progress, summary
    and exit code are as for `headwater asset materialize`.

    \b
    Example:
      headwater job execute -j refresh_reports --location lakeside -c run.json
    """
    from headwater.errors import InvalidDefinitionError, did_you_mean

    found = []
    known = []
    for location in load_locations_or_fail(state, specs, location_name):
        jobs = {job.name: job for job in location.definitions.resolve_all_job_defs()}
        known.extend(jobs)
        if job_name in jobs:
            found.append((location, jobs[job_name]))
    if not found:
        raise InvalidDefinitionError(
            f"No job named {job_name!r}{did_you_mean(job_name, known) or '.'} "
            f"Jobs: {', '.join(sorted(known)) or 'none'}."
        )
    if len(found) > 1:
        names = ", ".join(location.name for location, _ in found)
        raise click.UsageError(
            f"Job {job_name!r} is defined by several locations ({names}); choose one with "
            "--location."
        )
    location, resolved = found[0]
    execute_with_progress(
        state,
        resolved,
        location=location.name,
        run_config=run_config,
        tags=tags,
        partition_key=partition,
        executor=executor,
    )
