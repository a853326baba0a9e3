"""`instance_for_test`: an instance in a temporary home, for the length of a test."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from headwater.instance.instance import HOME_ENV_VAR, Instance


@contextlib.contextmanager
def instance_for_test(
    overrides: Mapping[str, Any] | None = None,
    temp_dir: str | os.PathLike[str] | None = None,
) -> Iterator[Instance]:
    """An instance in a temporary home, with ``HEADWATER_HOME`` pointing there meanwhile.

    Code under test that calls `Instance.get` finds the same home. On exit the instance is
    disposed, ``HEADWATER_HOME`` is restored (or unset) and a home created here is removed.

    Args:
        overrides: settings as in ``headwater.toml`` (``storage``, ``io_manager``,
            ``executor``, ``plugins``), laid over those of a ``headwater.toml`` in the home;
            tables are merged key by key.
        temp_dir: the home to use (created if missing, left in place); a new temporary
            directory if None.

    Raises:
        InvalidConfigError: ``overrides`` has an unknown key or a value of the wrong type.
    """
    with contextlib.ExitStack() as stack:
        if temp_dir is None:
            temp_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="headwater-test-"))
        home = Path(temp_dir).resolve()
        home.mkdir(parents=True, exist_ok=True)
        stack.callback(_restore_env, os.environ.get(HOME_ENV_VAR))
        os.environ[HOME_ENV_VAR] = str(home)
        yield stack.enter_context(Instance.from_directory(home, overrides=overrides))


def _restore_env(previous: str | None) -> None:
    if previous is None:
        os.environ.pop(HOME_ENV_VAR, None)
    else:
        os.environ[HOME_ENV_VAR] = previous
