"""`headwater backfill launch | list | show | cancel` against a Python-file location."""

from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

from headwater.cli.app import build_cli

LOCATION = """
import headwater as dg

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-11")

@dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.multi_run(2))
def sales(context) -> None:
    pass
"""


def test_launch_list_show_cancel(tmp_path, monkeypatch):
    (tmp_path / "shop.py").write_text(textwrap.dedent(LOCATION))
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    launched = runner.invoke(
        build_cli(),
        [
            "backfill",
            "launch",
            "-f",
            str(tmp_path / "shop.py"),
            "--select",
            "sales",
            "--partition-range",
            "2024-01-01...2024-01-05",
            "--json",
        ],
    )
    assert launched.exit_code == 0, launched.output
    document = json.loads(launched.stdout)
    assert document["status"] == "COMPLETED_SUCCESS"
    assert document["runs"] == 3
    assert document["progress"]["SUCCESS"] == 3
    listed = json.loads(runner.invoke(build_cli(), ["backfill", "list", "--json"]).stdout)
    assert [d["id"] for d in listed] == [document["id"]]
    shown = runner.invoke(build_cli(), ["backfill", "show", document["id"]])
    assert "COMPLETED_SUCCESS" in shown.output
    assert "2024-01-01, 2024-01-05" in shown.output
    planned = runner.invoke(
        build_cli(),
        [
            "backfill",
            "launch",
            "-f",
            str(tmp_path / "shop.py"),
            "--partitions",
            "2024-01-06,2024-01-07",
            "--no-run",
            "--json",
        ],
    )
    second = json.loads(planned.stdout)["id"]
    cancelled = json.loads(
        runner.invoke(build_cli(), ["backfill", "cancel", second, "--json"]).stdout
    )
    assert cancelled["status"] == "CANCELED"
    missing = runner.invoke(build_cli(), ["backfill", "show", "nope"])
    assert missing.exit_code == 1
    assert "No backfill with id 'nope'" in missing.output
