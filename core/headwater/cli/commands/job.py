"""``headwater job``: the jobs defined by code locations."""

from __future__ import annotations

import click

from headwater.cli.options import json_option, load_locations_or_fail, location_target_options
from headwater.cli.output import echo_json, echo_table


@click.group()
def job() -> None:
    """List jobs."""


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
