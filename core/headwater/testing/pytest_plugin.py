"""pytest plugin (entry point ``pytest11: headwater``): fixtures for testing headwater code.

Installed with headwater, so any test suite can use them without a conftest:

- ``headwater_home``: a temporary ``HEADWATER_HOME`` set in the environment; yields its path.
- ``headwater_instance``: an ephemeral `Instance` (in-memory storage), disposed afterwards.

The module imports nothing from headwater at import time, so it costs nothing in test
sessions that do not use the fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from headwater.instance import Instance


@pytest.fixture
def headwater_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty ``HEADWATER_HOME`` directory, set in ``os.environ`` for the test."""
    home = tmp_path / "headwater_home"
    home.mkdir()
    monkeypatch.setenv("HEADWATER_HOME", str(home))
    return home


@pytest.fixture
def headwater_instance() -> Iterator[Instance]:
    """An ephemeral instance: storage in memory, files in a temporary directory."""
    from headwater import Instance

    with Instance.ephemeral() as instance:
        yield instance
