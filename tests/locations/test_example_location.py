"""The realistic example location, pip-installed and found by its entry point, run end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import headwater as dg

ROOT = Path(__file__).resolve().parents[2]
HEADWATER = str(Path(sys.executable).with_name("headwater"))


@pytest.fixture(scope="module")
def lakeside() -> str:
    """The ``lakeside`` location, installed (editable) unless it already is."""
    import importlib_metadata

    try:
        importlib_metadata.distribution("headwater-example-lakeside")
    except importlib_metadata.PackageNotFoundError:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "-e",
                str(ROOT / "locations" / "lakeside"),
            ],
            check=True,
            capture_output=True,
        )
    return "lakeside"


@pytest.fixture
def headwater(headwater_home, tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [HEADWATER, *args], capture_output=True, text=True, cwd=tmp_path, check=False
        )

    return run


def test_found_by_its_entry_point(lakeside, headwater):
    result = headwater("location", "list", "--json")
    assert result.returncode == 0, result.stderr
    location = next(d for d in json.loads(result.stdout) if d["name"] == lakeside)
    assert location["status"] == "loaded"
    assert "headwater-example-lakeside" in location["origin"]


def test_it_uses_most_of_the_asset_api(lakeside, headwater):
    assets = json.loads(headwater("asset", "list", "--location", lakeside, "--json").stdout)
    by_key = {a["key"]: a for a in assets}
    assert by_key["lake_level_gauge"]["observable"]
    assert by_key["daily_revenue"]["partitioned"]
    assert sorted(by_key["sales"]["checks"]) == ["sales_amounts_not_negative"]
    assert set(by_key) == {
        "raw_weather",
        "raw_sales",
        "lake_level_gauge",
        "weather",
        "sales",
        "daily_revenue",
        "revenue_by_temperature",
        "lake_level_summary",
        "kiosk_ranking",
    }
    jobs = json.loads(headwater("job", "list", "--location", lakeside, "--json").stdout)
    assert [job["name"] for job in jobs] == ["refresh_reports"]


def test_materialized_end_to_end(lakeside, headwater, headwater_home):
    result = headwater(
        "asset",
        "materialize",
        "--location",
        lakeside,
        "--partition",
        "2024-06-30",
        "--config-json",
        '{"ops": {"raw_files": {"config": {"days": 30, "seed": 3}}}}',
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Steps:      9 succeeded, 0 failed, 0 skipped, 0 not run, of 9" in result.stdout
    assert "Checks:     2 passed, 0 failed" in result.stdout
    assert (headwater_home / "storage" / "lakeside" / "sales.csv").exists()
    with dg.Instance.get() as instance:
        assert instance.get_materialized_partitions(dg.AssetKey("daily_revenue")) == {"2024-06-30"}
        ranking = instance.get_latest_materialization_event(dg.AssetKey("kiosk_ranking"))
        assert ranking is not None
    stored = headwater_home / "storage" / "kiosk_ranking"
    import pickle

    assert sorted(pickle.loads(stored.read_bytes())) == ["boathouse", "jetty", "north-beach"]
    result = headwater("job", "execute", "-j", "refresh_reports", "--location", lakeside)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "job refresh_reports" in result.stdout
