"""Fixtures for the CLI tests: real installed locations and a ``headwater`` subprocess runner.

The ``hello`` example location is pip-installed (editable) into the test environment unless
it already is; throw-away distributions are installed into a temporary ``--target``
directory that the subprocesses get on ``PYTHONPATH``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADWATER = str(Path(sys.executable).with_name("headwater"))


@pytest.fixture(scope="session")
def hello_location(pip_install) -> str:
    """The ``hello`` example location, installed for real; returns its location name.

    Installed editable into the test environment only if it is not installed yet (the
    first run needs the package index to fetch the build backend).
    """
    import importlib_metadata

    try:
        importlib_metadata.distribution("hello-location")
    except importlib_metadata.PackageNotFoundError:
        pip_install("-e", str(ROOT / "locations" / "hello"))
    return "hello"


@pytest.fixture(scope="session")
def extra_locations(tmp_path_factory, build_wheel, pip_install) -> Path:
    """A ``--target`` directory holding two installed distributions: a good and a broken one.

    ``second`` (dist ``second-location``) defines a job and two assets; ``broken`` (dist
    ``broken-location``) raises while being imported.
    """
    wheels = tmp_path_factory.mktemp("wheels")
    target = tmp_path_factory.mktemp("site")
    good = build_wheel(
        wheels,
        "second-location",
        "1.2.3",
        {
            "second_location/__init__.py": """\
                import headwater as dg

                @dg.asset(group_name="raw", kinds={"python"})
                def source_rows():
                    return [1, 2, 3]

                @dg.asset(group_name="marts")
                def totals(source_rows):
                    return sum(source_rows)

                defs = dg.Definitions(
                    assets=[source_rows, totals],
                    jobs=[dg.define_asset_job("everything", description="All of it.")],
                )
                """,
        },
        {"second": "second_location:defs"},
        "headwater.locations",
    )
    broken = build_wheel(
        wheels,
        "broken-location",
        "1.2.3",
        {"broken_location/__init__.py": "raise RuntimeError('broken on purpose')\n"},
        {"broken": "broken_location"},
        "headwater.locations",
    )
    pip_install("--no-index", "--target", str(target), str(good), str(broken))
    return target


@pytest.fixture
def cli_env(headwater_home) -> dict[str, str]:
    """Environment for ``headwater`` subprocesses: a fresh ``HEADWATER_HOME``."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["HEADWATER_HOME"] = str(headwater_home)
    return env


@pytest.fixture
def run_cli(cli_env, tmp_path):
    """Run the installed ``headwater`` console script; ``pythonpath`` adds import dirs."""

    def run(*args: str, pythonpath: Path | None = None, cwd: Path | None = None, input=None):
        env = dict(cli_env)
        if pythonpath is not None:
            env["PYTHONPATH"] = str(pythonpath)
        return subprocess.run(
            [HEADWATER, *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd or tmp_path,
            input=input,
        )

    return run
