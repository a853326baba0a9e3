"""Running a job from the command line: run config and tag options, progress, summary, exit code.

Shared by ``headwater asset materialize`` and ``headwater job execute``.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from headwater.cli.state import CliState

EXECUTORS = ("in_process", "multiprocess")


def run_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``-c/--config``, ``--config-json``, ``--tags`` and ``--executor``.

    The wrapped command receives ``run_config`` (a dict), ``tags`` (a dict of strings) and
    ``executor`` (a name or None).
    """

    @click.option(
        "-c",
        "--config",
        "config_files",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Run config file (JSON; YAML too when PyYAML is installed). Repeatable: later "
        "files are merged over earlier ones.",
    )
    @click.option(
        "--config-json",
        help='Run config as JSON, merged over the files, e.g. \'{"ops": {"a": {"config": '
        '{"n": 2}}}}\'.',
    )
    @click.option("--tags", "tags_json", help='Run tags as a JSON object, e.g. \'{"team": "x"}\'.')
    @click.option(
        "--executor",
        type=click.Choice(EXECUTORS),
        help="Run the steps in this process, or in a pool of worker processes (default: the "
        "job's executor, else the instance's, else multiprocess).",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        config_files: Sequence[str],
        config_json: str | None,
        tags_json: str | None,
        **kwargs: Any,
    ) -> Any:
        return func(
            *args,
            run_config=load_run_config(config_files, config_json),
            tags=parse_tags(tags_json),
            **kwargs,
        )

    return wrapper


def load_run_config(config_files: Sequence[str], config_json: str | None) -> dict[str, Any]:
    """Merge the config files in order, then ``--config-json``, into one run config.

    Raises:
        click.BadParameter: a file or the JSON text cannot be parsed or is not a mapping.
    """
    merged: dict[str, Any] = {}
    for name in config_files:
        merged = _deep_merge(merged, _read_config_file(Path(name)))
    if config_json is not None:
        merged = _deep_merge(merged, _parse_json(config_json, "--config-json", "--config-json"))
    return merged


def parse_tags(tags_json: str | None) -> dict[str, str]:
    """Run tags from a JSON object; non-string values are stored as their JSON text.

    Raises:
        click.BadParameter: the text is not a JSON object.
    """
    if tags_json is None:
        return {}
    tags = _parse_json(tags_json, "--tags", "--tags")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in tags.items()}


def _read_config_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() not in (".yaml", ".yml"):
        return _parse_json(text, f"config file {path}", "--config")
    try:
        import yaml
    except ImportError:
        raise click.BadParameter(
            f"{path} is a YAML file, but no YAML parser (PyYAML) is installed. Install "
            "PyYAML, or write the run config as JSON.",
            param_hint="--config",
        ) from None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise click.BadParameter(
            f"{path} is not valid YAML: {error}", param_hint="--config"
        ) from None
    return _mapping(value, f"config file {path}", "--config")


def _parse_json(text: str, what: str, hint: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise click.BadParameter(
            f"{what} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
            param_hint=hint,
        ) from None
    return _mapping(value, what, hint)


def _mapping(value: Any, what: str, hint: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise click.BadParameter(
            f"{what} must hold an object (a mapping), not {type(value).__name__}.",
            param_hint=hint,
        )
    return value


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def execute_with_progress(
    state: CliState,
    job: Any,
    *,
    location: str,
    run_config: Mapping[str, Any],
    tags: Mapping[str, str],
    partition_key: str | None = None,
    executor: str | None = None,
) -> None:
    """Run ``job`` on the instance of HEADWATER_HOME, showing progress, then the summary.

    Exits with code 1 (after the summary) when the run fails.
    """
    import attrs

    from headwater.cli.progress import RunProgress, RunTally, echo_summary, summary_document
    from headwater.execution.materialize import execute_job

    if executor is not None:
        from headwater._plugins import lookup

        executor_def = lookup("executor", "register_executors", executor, context="--executor")
        job = attrs.evolve(job, executor_def=executor_def)
    instance = state.instance
    started = time.perf_counter()
    with RunProgress(_step_count(job), state.log_format) as progress:
        result = execute_job(
            job,
            instance=instance,
            run_config=dict(run_config) or None,
            tags=tags,
            partition_key=partition_key,
            raise_on_error=False,
        )
    duration = time.perf_counter() - started
    # The stored events are the record; the live tally only drove the display.
    tally = RunTally.of(result.event_log_entries, progress.tally.total_steps)
    tally.run_id = result.run_id
    document = summary_document(
        tally,
        success=result.success,
        location=location,
        job_name=job.name,
        duration=duration,
        storage=_storage_description(job, instance),
    )
    echo_summary(document, state.log_format)
    if not result.success:
        click.get_current_context().exit(1)


def _step_count(job: Any) -> int:
    from headwater.execution.plan import build_execution_plan

    plan = build_execution_plan(job.assets_defs, all_assets_defs=job.asset_graph.assets_defs)
    return len(plan.steps)


def _storage_description(job: Any, instance: Any) -> str:
    io_manager = job.resources.get("io_manager")
    if io_manager is not None:
        return f"the location's io_manager resource ({type(io_manager).__name__})"
    name = getattr(instance.settings, "io_manager", None) or "fs"
    runs = f"runs in {instance.storage.database.describe()}"
    if name == "fs":
        return f"{instance.storage_directory()} (fs IO manager); {runs}"
    return f"IO manager {name!r}; {runs}"
