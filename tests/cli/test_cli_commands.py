"""Every command's --help, and the asset, job, run, instance and plugins commands."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import headwater as dg
from headwater.cli.app import build_cli


def _command_paths():
    root = build_cli()
    paths = []

    def walk(command, ctx, path):
        paths.append(path)
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                walk(sub, click.Context(sub, info_name=name, parent=ctx), (*path, name))

    walk(root, click.Context(root, info_name="headwater"), ())
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "headwater")
def test_every_command_has_help(path):
    result = CliRunner().invoke(build_cli(), [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: headwater {' '.join(path)}".rstrip())


def test_the_core_command_groups_are_registered():
    assert [p for p in _command_paths() if len(p) == 1] == [
        ("asset",),
        ("backfill",),
        ("instance",),
        ("job",),
        ("location",),
        ("plugins",),
        ("run",),
    ]


def test_help_imports_neither_storage_nor_command_modules():
    code = (
        "import sys\n"
        "from headwater.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ['sqlalchemy', 'alembic', 'headwater.cli.commands.run']\n"
        "print('LOADED:' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Commands:" in out.stdout
    assert out.stdout.splitlines()[-1] == "LOADED:"


def test_usage_errors_exit_2(run_cli):
    result = run_cli("run", "list", "--status", "NOPE")
    assert result.returncode == 2
    assert "Invalid value for '--status'" in result.stderr


def test_unknown_location_is_a_one_line_error(run_cli, hello_location):
    result = run_cli("asset", "list", "--location", "helo")
    assert result.returncode == 1
    # Other example locations (lakeside) may be installed too: they follow in the list.
    assert result.stderr.strip().startswith(
        "Error: No code location named 'helo'; did you mean 'hello'? Locations: hello"
    )


def test_traceback_flag_shows_the_traceback(run_cli):
    result = run_cli("--traceback", "run", "show", "missing-run")
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "RunNotFoundError" in result.stderr


def test_asset_list_with_both_selection_syntaxes(run_cli, hello_location):
    def keys(*args):
        result = run_cli("asset", "list", "--json", "--location", "hello", *args)
        assert result.returncode == 0, result.stderr
        return [document["key"] for document in json.loads(result.stdout)]

    assert keys() == ["greeting", "word_count", "words"]
    assert keys("--select", "+key:words") == ["greeting", "words"]
    assert keys("--select", "words*") == ["word_count", "words"]
    assert keys("--select", "group:hello and not key:greeting") == ["word_count", "words"]


def test_asset_list_table_and_a_selection_matching_nothing(run_cli, hello_location):
    table = run_cli("asset", "list", "-l", "hello")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split() == ["KEY", "LOCATION", "GROUP", "KIND", "DEPS"]
    assert "words       hello     hello  materializable  greeting" in table.stdout
    nothing = run_cli("asset", "list", "--select", "key:nothing_here")
    assert nothing.returncode == 1
    assert "Selection 'key:nothing_here' matches no asset" in nothing.stderr


def test_asset_list_fails_when_a_location_is_broken(run_cli, extra_locations):
    result = run_cli("asset", "list", pythonpath=extra_locations)
    assert result.returncode == 1
    assert "Code location 'broken' failed to load: RuntimeError: broken on purpose" in (
        result.stderr
    )
    only_second = run_cli("asset", "list", "--json", "-l", "second", pythonpath=extra_locations)
    documents = json.loads(only_second.stdout)
    assert [(d["key"], d["group"], d["kinds"]) for d in documents] == [
        ("source_rows", "raw", ["python"]),
        ("totals", "marts", []),
    ]


def test_job_list(run_cli, extra_locations):
    result = run_cli("job", "list", "--json", "--location", "second", pythonpath=extra_locations)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "name": "everything",
            "location": "second",
            "description": "All of it.",
            "assets": ["source_rows", "totals"],
            "checks": [],
            "partitioned": False,
        }
    ]


@pytest.fixture
def stored_runs(headwater_home):
    with dg.Instance.get() as instance:
        first = instance.create_run("daily", tags={"team": "data"})
        second = instance.create_run(
            "hourly", asset_selection=[dg.AssetKey("greeting")], tags={"team": "ops"}
        )
        instance.store_events(
            [
                dg.EventLogEntry.from_event(
                    dg.DagsterEvent.build(dg.DagsterEventType.RUN_START, "hourly"), second.run_id
                ),
                dg.EventLogEntry.from_event(
                    dg.DagsterEvent.build(
                        dg.DagsterEventType.RUN_SUCCESS, "hourly", message="all done"
                    ),
                    second.run_id,
                ),
            ]
        )
    return first.run_id, second.run_id


def test_run_list_filters(run_cli, stored_runs):
    first, second = stored_runs

    def ids(*args):
        result = run_cli("run", "list", "--json", *args)
        assert result.returncode == 0, result.stderr
        return [document["run_id"] for document in json.loads(result.stdout)]

    assert ids() == [second, first]
    assert ids("--job", "daily") == [first]
    assert ids("--tag", "team=ops") == [second]
    assert ids("--status", "SUCCESS") == [second]
    assert ids("--status", "SUCCESS", "--status", "NOT_STARTED") == [second, first]
    assert ids("--since", "1h") == [second, first]
    assert ids("--since", "2999-01-01") == []
    assert ids("--limit", "1") == [second]
    bad = run_cli("run", "list", "--since", "yesterday")
    assert bad.returncode == 2
    assert "is neither a duration" in bad.stderr


def test_run_show_and_logs(run_cli, stored_runs):
    _, second = stored_runs
    shown = json.loads(run_cli("run", "show", second, "--json").stdout)
    assert shown["job_name"] == "hourly"
    assert shown["status"] == "SUCCESS"
    assert shown["asset_selection"] == ["greeting"]
    assert shown["event_counts"]["PIPELINE_SUCCESS"] == 1
    logs = json.loads(run_cli("run", "logs", second, "--json").stdout)
    assert [entry["event_type"] for entry in logs][-2:] == ["PIPELINE_START", "PIPELINE_SUCCESS"]
    assert logs[-1]["message"] == "all done"
    text = run_cli("run", "logs", second)
    assert text.stdout.rstrip().endswith("PIPELINE_SUCCESS all done")


def test_run_delete(run_cli, stored_runs):
    first, second = stored_runs
    refused = run_cli("run", "delete", first, input="n\n")
    assert refused.returncode == 1
    deleted = run_cli("run", "delete", first, "--noprompt")
    assert deleted.returncode == 0
    assert deleted.stdout.strip() == f"Deleted 1 run(s): {first}"
    remaining = json.loads(run_cli("run", "list", "--json").stdout)
    assert [document["run_id"] for document in remaining] == [second]
    missing = run_cli("run", "delete", first, "--noprompt")
    assert missing.returncode == 1
    assert f"Run '{first}' not found" in missing.stderr


def test_asset_wipe(run_cli, headwater_home):
    with dg.Instance.get() as instance:
        instance.report_runless_asset_event(dg.AssetMaterialization("greeting"))
        assert instance.has_asset_key(dg.AssetKey("greeting"))
    result = run_cli("asset", "wipe", "greeting", "--noprompt")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Wiped 1 asset(s): greeting"
    with dg.Instance.get() as instance:
        assert instance.get_latest_materialization_event(dg.AssetKey("greeting")) is None
    usage = run_cli("asset", "wipe")
    assert usage.returncode == 2


def test_instance_info_and_migrate(run_cli, headwater_home):
    info = json.loads(run_cli("instance", "info", "--json").stdout)
    assert info["home"] == str(headwater_home)
    assert info["storage_url"] == f"sqlite:///{headwater_home / 'headwater.db'}"
    assert info["runs"] == 0
    migrated = run_cli("instance", "migrate")
    assert migrated.returncode == 0
    assert migrated.stdout.startswith("Schema is up to date")


def test_migrate_upgrades_an_out_of_date_database_and_keeps_its_runs(run_cli, headwater_home):
    import sqlite3
    from contextlib import closing

    with dg.Instance.get() as instance:
        instance.create_run("old_job", run_id="from-an-older-headwater")
    # Take the database back to the first schema revision, as an older headwater left it.
    with closing(sqlite3.connect(headwater_home / "headwater.db")) as conn, conn:
        conn.execute("DROP TABLE backfill_runs")
        conn.execute("DROP TABLE backfills")
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    refused = run_cli("run", "list")
    assert refused.returncode == 1
    assert "has schema revision '0001'" in refused.stderr
    assert "headwater instance migrate" in refused.stderr
    migrated = run_cli("instance", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    runs = json.loads(run_cli("run", "list", "--json").stdout)
    assert [run["run_id"] for run in runs] == ["from-an-older-headwater"]


def test_plugins_list(run_cli):
    default = json.loads(run_cli("plugins", "list", "--json").stdout)
    assert all(document["source"] != "builtin" for document in default)
    everything = json.loads(run_cli("plugins", "list", "--all", "--json").stdout)
    by_name = {document["name"]: document for document in everything}
    assert by_name["python_locations"]["hooks"] == [
        "load_code_location",
        "register_code_locations",
    ]
    assert by_name["core_commands"]["status"] == "loaded"


def test_log_format_choices_are_validated(run_cli):
    result = run_cli("--log-format", "xml", "plugins", "list")
    assert result.returncode == 2
    ok = run_cli("--log-format", "json", "plugins", "list", "--all")
    assert ok.returncode == 0
