"""Fixtures shared by the test directories: throw-away wheels, really installed with pip."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest


def _pip_install(*args: str) -> None:
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


def _build_wheel(
    directory: Path,
    name: str,
    version: str,
    files: dict[str, str],
    entry_points: dict[str, str],
    group: str,
) -> Path:
    stem = f"{name.replace('-', '_')}-{version}"
    info = f"{stem}.dist-info"
    contents = {path: textwrap.dedent(source) for path, source in files.items()}
    contents[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    contents[f"{info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: headwater-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    if entry_points:
        lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
        contents[f"{info}/entry_points.txt"] = f"[{group}]\n{lines}"
    wheel_path = directory / f"{stem}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(wheel_path, "w") as wheel:
        for member, text in contents.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            wheel.writestr(member, data)
            record.append(f"{member},sha256={digest.decode()},{len(data)}\n")
        wheel.writestr(f"{info}/RECORD", "".join(record) + f"{info}/RECORD,,\n")
    return wheel_path


@pytest.fixture(scope="session")
def pip_install():
    """``pip_install(*args)``: run ``pip install --quiet --no-deps`` with this interpreter."""
    return _pip_install


@pytest.fixture(scope="session")
def build_wheel():
    """``build_wheel(directory, name, version, files, entry_points, group)``: write a
    pure-Python wheel holding ``files`` (path -> source, dedented) and the entry points
    ``name = target`` of ``group``; returns its path."""
    return _build_wheel
