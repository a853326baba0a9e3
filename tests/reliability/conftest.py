"""Helpers for the reliability tests: real processes against a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).resolve().parent / "scripts"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh HEADWATER_HOME for this test and for the processes it starts."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HEADWATER_HOME", str(path))
    monkeypatch.delenv("HEADWATER_MULTIPROCESS_MAX_CONCURRENT", raising=False)
    return path


class Processes:
    """Starting the helper scripts and reading the database they write."""

    def __init__(self, home: Path):
        self.home = home
        self.started: list[subprocess.Popen[str]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[str]:
        """Start ``scripts/<name>`` with this interpreter, capturing its output as text."""
        process = subprocess.Popen(
            [sys.executable, str(SCRIPTS / name), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.started.append(process)
        return process

    def stored_event_rows(self) -> list[tuple[int, str, str]]:
        """Every committed row of the events table as (id, run id, body), read with sqlite3."""
        database = self.home / "headwater.db"
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        try:
            return list(connection.execute("SELECT id, run_id, body FROM events ORDER BY id"))
        finally:
            connection.close()

    @staticmethod
    def wait_until(
        condition: Callable[[], bool], what: str, process: Any = None, timeout: float = 60.0
    ) -> None:
        """Poll ``condition`` until it holds; fail naming ``what`` (and the process's stderr)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if process is not None and process.poll() is not None:
                pytest.fail(f"process exited before {what}:\n{process.stderr.read()}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}")
            time.sleep(0.05)


@pytest.fixture
def processes(home: Path) -> Iterator[Processes]:
    """Start helper scripts against ``home``; any still running at the end are killed."""
    helper = Processes(home)
    yield helper
    for process in helper.started:
        if process.poll() is None:
            process.kill()
        process.communicate()
