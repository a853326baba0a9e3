"""Fixtures for the CLI tests: real installed locations and a ``headwater`` subprocess runner.

The ``hello`` example location is pip-installed (editable) into the test environment unless
it already is; throw-away distributions are installed into a temporary ``--target``
directory that the subprocesses get on ``PYTHONPATH``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADWATER = str(Path(sys.executable).with_name("headwater"))


def pip_install(*args: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            *args,
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def hello_location() -> str:
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


def build_wheel(directory: Path, name: str, locations: dict[str, str], files: dict[str, str]):
    """Write a pure-Python wheel declaring ``headwater.locations`` entry points."""
    stem = f"{name.replace('-', '_')}-1.2.3"
    info = f"{stem}.dist-info"
    contents = {path: textwrap.dedent(source) for path, source in files.items()}
    contents[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n"
    contents[f"{info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: headwater-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    contents[f"{info}/entry_points.txt"] = "[headwater.locations]\n" + "".join(
        f"{key} = {value}\n" for key, value in locations.items()
    )
    path = directory / f"{stem}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(path, "w") as wheel:
        for member, text in contents.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            wheel.writestr(member, data)
            record.append(f"{member},sha256={digest.decode()},{len(data)}\n")
        wheel.writestr(f"{info}/RECORD", "".join(record) + f"{info}/RECORD,,\n")
    return path


@pytest.fixture(scope="session")
def extra_locations(tmp_path_factory) -> Path:
    """A ``--target`` directory holding two installed distributions: a good and a broken one.

    ``second`` (dist ``second-location``) defines a job and two assets; ``broken`` (dist
    ``broken-location``) raises while being imported.
    """
    wheels = tmp_path_factory.mktemp("wheels")
    target = tmp_path_factory.mktemp("site")
    good = build_wheel(
        wheels,
        "second-location",
        {"second": "second_location:defs"},
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
    )
    broken = build_wheel(
        wheels,
        "broken-location",
        {"broken": "broken_location"},
        {"broken_location/__init__.py": "raise RuntimeError('broken on purpose')\n"},
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
