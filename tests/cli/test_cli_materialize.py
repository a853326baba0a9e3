"""`headwater asset materialize` and `headwater job execute`, through CliRunner and a subprocess."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

import headwater as dg
from headwater.cli.app import build_cli

ASSETS = """\
    import headwater as dg

    class Scale(dg.Config):
        factor: int = 1

    @dg.asset
    def numbers(config: Scale) -> list[int]:
        return [n * config.factor for n in (1, 2, 3)]

    @dg.asset
    def total(numbers: list[int]) -> int:
        return sum(numbers)

    @dg.asset_check(asset=total)
    def total_positive(total: int) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=total > 0)

    @dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2024-01-01",
                                                           end_date="2024-01-10"))
    def daily(context) -> str:
        return context.partition_key

    @dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2024-01-01",
                                                           end_date="2024-01-10"),
              backfill_policy=dg.BackfillPolicy.single_run())
    def daily_batch(context) -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})

    @dg.asset
    def broken() -> int:
        raise ValueError("the source is down")

    @dg.asset
    def after_broken(broken: int) -> int:
        return broken

    defs = dg.Definitions(
        assets=[numbers, total, daily, daily_batch, broken, after_broken],
        asset_checks=[total_positive],
        jobs=[dg.define_asset_job("sum_job", selection=["numbers", "total"])],
    )
"""


@pytest.fixture
def assets_file(tmp_path):
    path = tmp_path / "pipeline.py"
    path.write_text(textwrap.dedent(ASSETS))
    return path


@pytest.fixture
def invoke(headwater_home, assets_file):
    """Invoke the CLI in this process on ``pipeline.py``, in-process executor by default."""

    def invoke(*args: str, executor: str = "in_process"):
        command = list(args)
        if command[0] in ("asset", "job"):
            command[2:2] = ["-f", str(assets_file), "--executor", executor]
        return CliRunner().invoke(build_cli(), command)

    return invoke


def _stored(key: str):
    with dg.Instance.get() as instance:
        return instance.get_latest_materialization_event(dg.AssetKey(key))


def test_materialize_runs_the_selection_and_prints_a_summary(invoke):
    result = invoke("asset", "materialize", "--select", "numbers+")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "[1/3] numbers succeeded" in lines
    summary = result.output[result.output.index("Run ") :]
    assert " SUCCESS in " in summary
    assert "(location pipeline, job __ASSET_JOB)" in summary
    assert "Steps:      3 succeeded, 0 failed, 0 skipped, 0 not run, of 3" in summary
    assert "Assets:     2 materialized: numbers, total" in summary
    assert "Checks:     1 passed, 0 failed" in summary
    assert "(fs IO manager)" in summary
    assert _stored("total") is not None
    assert _stored("broken") is None


def test_a_failed_step_exits_1_naming_it_and_the_first_error(invoke):
    result = invoke("asset", "materialize", "--select", "broken*")
    assert result.exit_code == 1
    assert "[1/2] broken failed: ValueError: the source is down" in result.output
    assert "after_broken" not in result.output.split("Run ")[0]
    assert "Steps:      0 succeeded, 1 failed, 0 skipped, 1 not run, of 2" in result.output
    assert "Failed:     broken" in result.output
    assert "Error:      broken: ValueError: the source is down" in result.output


def test_the_multiprocess_executor_runs_the_steps_too(invoke):
    result = invoke("asset", "materialize", "--select", "numbers+", executor="multiprocess")
    assert result.exit_code == 0, result.output
    assert "Steps:      3 succeeded" in result.output
    assert _stored("total") is not None


def test_both_selection_syntaxes_are_accepted(invoke):
    assert invoke("asset", "materialize", "--select", "key:numbers").exit_code == 0
    result = invoke("asset", "materialize", "--select", "nope*")
    assert result.exit_code == 1
    assert "Selection 'nope*' matches no materializable asset in location 'pipeline'" in (
        result.output
    )


def test_partitioned_assets_need_a_partition(invoke):
    result = invoke("asset", "materialize", "--select", "daily")
    assert result.exit_code == 1
    assert "are partitioned (daily): pass --partition (e.g. --partition 2024-01-09)" in (
        result.output
    )
    result = invoke("asset", "materialize", "--select", "daily", "--partition", "2024-01-03")
    assert result.exit_code == 0, result.output
    assert "1 materialized: daily[2024-01-03]" in result.output
    result = invoke("asset", "materialize", "--select", "total", "--partition", "2024-01-03")
    assert result.exit_code == 1
    assert "none of the selected assets of location 'pipeline' is partitioned" in result.output


def test_only_missing_skips_what_is_materialized(invoke):
    assert invoke("asset", "materialize", "--select", "numbers").exit_code == 0
    result = invoke("asset", "materialize", "--select", "numbers+", "--only-missing")
    assert result.exit_code == 0, result.output
    assert "Assets:     1 materialized: total" in result.output
    result = invoke("asset", "materialize", "--select", "numbers+", "--only-missing")
    assert result.output == "Every selected asset is already materialized; nothing to do.\n"
    invoke("asset", "materialize", "--select", "daily", "--partition", "2024-01-02")
    result = invoke(
        "asset", "materialize", "--select", "daily", "--partition", "2024-01-05", "--only-missing"
    )
    assert "1 materialized: daily[2024-01-05]" in result.output


def test_config_files_and_json_are_merged_and_tags_recorded(invoke, tmp_path):
    first = tmp_path / "first.json"
    first.write_text(json.dumps({"ops": {"numbers": {"config": {"factor": 5}}}}))
    second = tmp_path / "second.json"
    second.write_text(json.dumps({"ops": {"numbers": {"config": {"factor": 7}}}}))
    result = invoke(
        "asset",
        "materialize",
        "--select",
        "numbers+",
        "-c",
        str(first),
        "--config",
        str(second),
        "--config-json",
        '{"ops": {"numbers": {"config": {"factor": 10}}}}',
        "--tags",
        '{"team": "data", "attempt": 2}',
    )
    assert result.exit_code == 0, result.output
    with dg.Instance.get() as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey("total"))
        run = instance.get_run_by_id(event.run_id)
        assert run.run_config == {"ops": {"numbers": {"config": {"factor": 10}}}}
        assert run.tags["team"] == "data"
        assert run.tags["attempt"] == "2"
    result = invoke("asset", "materialize", "--select", "numbers+", "-c", str(first))
    assert result.exit_code == 0


def test_bad_config_and_tags_are_usage_errors(invoke, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"ops": ')
    result = invoke("asset", "materialize", "-c", str(bad))
    assert result.exit_code == 2
    assert f"config file {bad} is not valid JSON: Expecting value at line 1" in result.output
    result = invoke("asset", "materialize", "--tags", "[1, 2]")
    assert result.exit_code == 2
    assert "--tags must hold an object (a mapping), not list." in result.output
    result = invoke(
        "asset", "materialize", "--select", "numbers", "--config-json", '{"ops": {"nope": {}}}'
    )
    assert result.exit_code == 1
    assert "$.ops.nope" in result.output


def test_yaml_config_needs_a_yaml_parser(invoke, tmp_path):
    try:
        import yaml  # noqa: F401  (only probing whether PyYAML is installed)
    except ImportError:
        pass
    else:
        pytest.skip("PyYAML is installed: YAML files are read")
    path = tmp_path / "run.yaml"
    path.write_text("ops: {}\n")
    result = invoke("asset", "materialize", "-c", str(path))
    assert result.exit_code == 2
    assert "is a YAML file, but no YAML parser (PyYAML) is installed" in result.output


def test_job_execute_runs_a_named_job(invoke):
    result = invoke(
        "job",
        "execute",
        "-j",
        "sum_job",
        "--config-json",
        '{"ops": {"numbers": {"config": {"factor": 2}}}}',
    )
    assert result.exit_code == 0, result.output
    assert "(location pipeline, job sum_job)" in result.output
    assert "Assets:     2 materialized: numbers, total" in result.output
    result = invoke("job", "execute", "--job", "sum_jbo")
    assert result.exit_code == 1
    assert "No job named 'sum_jbo'; did you mean 'sum_job'? Jobs: sum_job." in result.output


def test_several_locations_need_a_choice(headwater_home, assets_file, tmp_path):
    other = tmp_path / "other.py"
    other.write_text("import headwater as dg\n\n@dg.asset\ndef lonely():\n    return 1\n")
    base = ["asset", "materialize", "-f", str(assets_file), "-f", str(other)]
    result = CliRunner().invoke(build_cli(), base)
    assert result.exit_code == 2
    assert "Several code locations are loaded (pipeline, other); choose one" in result.output
    result = CliRunner().invoke(
        build_cli(), [*base, "--select", "lonely", "--executor", "in_process"]
    )
    assert result.exit_code == 0, result.output
    assert "(location other, job __ASSET_JOB)" in result.output


def test_subprocess_plain_lines_and_exit_code(run_cli, assets_file):
    result = run_cli("asset", "materialize", "-f", str(assets_file), "--select", "numbers+")
    assert result.returncode == 0, result.stderr
    assert any(
        line.startswith("[3/3] ") and line.endswith(" succeeded")
        for line in result.stderr.splitlines()
    )
    assert "Steps:      3 succeeded, 0 failed, 0 skipped, 0 not run, of 3" in result.stdout
    failed = run_cli("asset", "materialize", "-f", str(assets_file), "--select", "broken")
    assert failed.returncode == 1
    assert "Error:      broken: ValueError: the source is down" in failed.stdout


def test_subprocess_json_log_format(run_cli, assets_file):
    result = run_cli(
        "--log-format",
        "json",
        "asset",
        "materialize",
        "-f",
        str(assets_file),
        "--select",
        "broken+",
    )
    assert result.returncode == 1
    events = [json.loads(line) for line in result.stderr.splitlines()]
    failure = next(e for e in events if e.get("event") == "step_failed")
    assert failure["step"] == "broken"
    assert failure["error"] == "ValueError: the source is down"
    summary = json.loads(result.stdout)
    assert summary["status"] == "FAILURE"
    assert summary["steps"] == {
        "total": 2,
        "succeeded": 0,
        "failed": ["broken"],
        "skipped": [],
        "not_run": 1,
    }
    assert summary["first_error"] == "broken: ValueError: the source is down"


def test_live_progress_redraws_one_status_line_on_a_terminal(headwater_home):
    import io

    from headwater.cli.progress import RunProgress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    @dg.asset
    def one():
        return 1

    @dg.asset
    def two(one):
        raise RuntimeError("nope")

    stream = Terminal()
    with dg.Instance.get() as instance, RunProgress(2, "plain", stream=stream) as progress:
        dg.materialize([one, two], instance=instance, raise_on_error=False)
    text = stream.getvalue()
    assert "\r\x1b[2K1/2 steps done · running: -" in text
    assert "✗ two failed: RuntimeError: nope\n" in text
    assert "2/2 steps done · 1 failed · running: -" in text
    assert text.endswith("\r\x1b[2K")
    assert progress.tally.failed == ["two"]


def _runs_and_partitions(key: str):
    with dg.Instance.get() as instance:
        partitions = set(instance.get_materialized_partitions(dg.AssetKey(key)))
        return instance.get_runs_count(), partitions


def test_a_partition_range_with_a_single_run_policy_is_one_run(invoke):
    result = invoke(
        "asset", "materialize", "--select", "daily_batch", "--partition-range",
        "2024-01-02...2024-01-04",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    runs, partitions = _runs_and_partitions("daily_batch")
    assert runs == 1
    assert partitions == {"2024-01-02", "2024-01-03", "2024-01-04"}


def test_a_partition_range_without_single_run_policy_is_a_backfill(invoke):
    result = invoke(
        "asset", "materialize", "--select", "daily", "--partition-range", "2024-01-02...2024-01-04"
    )
    assert result.exit_code == 0, result.output
    assert "COMPLETED_SUCCESS" in result.output
    runs, partitions = _runs_and_partitions("daily")
    assert runs == 3  # no backfill policy: one run per partition
    assert partitions == {"2024-01-02", "2024-01-03", "2024-01-04"}


def test_partition_range_errors_are_usage_errors(invoke):
    result = invoke("asset", "materialize", "--select", "daily", "--partition-range", "2024-01-02")
    assert result.exit_code == 2
    assert "'2024-01-02' is not a range; write FIRST...LAST" in result.output
    result = invoke(
        "asset", "materialize", "--select", "daily", "--partition", "2024-01-02",
        "--partition-range", "2024-01-02...2024-01-03",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Give --partition or --partition-range, not both." in result.output
