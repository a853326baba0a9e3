"""Filesystem layout for IO managers: safe paths under a base directory and atomic writes.

Layout: ``<base>/<key parts>`` for an asset, ``<base>/<key parts>/<partition>`` for one
partition (a multi-partition key becomes one directory level per dimension, ordered by
dimension name), and ``<base>/<run_id>/<step_key>/<output_name>`` for op outputs.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from headwater.errors import InvariantViolationError


class UnsafePathError(InvariantViolationError, ValueError):
    """A key or partition component would place a file outside the IO manager's base dir."""


def partition_parts(partition_key: Any) -> list[str]:
    """Path components of a partition key; multi-partition keys give one per dimension."""
    by_dimension = getattr(partition_key, "keys_by_dimension", None)
    if by_dimension:
        return [str(by_dimension[name]) for name in sorted(by_dimension)]
    return [str(partition_key)]


def asset_parts(context: Any, partition_key: Any = None) -> list[str]:
    """Components for an asset value (and optionally one partition) described by ``context``."""
    parts = list(context.asset_key.parts)
    if partition_key is not None:
        parts.extend(partition_parts(partition_key))
    return parts


def context_parts(context: Any) -> list[str]:
    """Components for the single value described by an input or output context."""
    if context.has_asset_key:
        # An input's partition_key is the run's; asset_partition_key is the one loaded.
        key = context.asset_partition_key if context.has_asset_partitions else None
        return asset_parts(context, key)
    return context.get_identifier()


def _subject(context: Any) -> str:
    if getattr(context, "has_asset_key", False):
        return f"asset key {context.asset_key.to_user_string()!r}"
    return (
        f"output {getattr(context, 'name', None)!r} of step {getattr(context, 'step_key', None)!r}"
    )


_SEPARATORS = frozenset({"/", os.sep} | ({os.altsep} if os.altsep else set()))


def check_component(component: str, subject: str) -> None:
    """Refuse a path component that is empty, ``.``/``..``, absolute, or holds a separator/NUL."""
    problem = None
    if component in ("", ".", ".."):
        problem = "is empty or a relative directory reference"
    elif "\x00" in component:
        problem = "contains a NUL character"
    elif any(sep in component for sep in _SEPARATORS):
        problem = "contains a path separator"
    elif os.path.isabs(component) or os.path.splitdrive(component)[0]:
        problem = "is an absolute path"
    if problem:
        raise UnsafePathError(
            f"Refusing to store {subject}: component {component!r} {problem}, which could "
            "place the file outside the IO manager's base directory. Rename the asset key "
            "or partition so that every component is a plain name."
        )


_RESOLVED_BASES: dict[tuple[str, str], Path] = {}


def _resolved_base(base_dir: str | os.PathLike[str]) -> Path:
    # Resolving costs a stat per level of the base path, and every value read or written
    # needs it: remember it per (working directory, base) for the life of the process.
    name = os.fspath(base_dir)
    cache_key = (name, "" if os.path.isabs(name) else os.getcwd())
    base = _RESOLVED_BASES.get(cache_key)
    if base is None:
        if len(_RESOLVED_BASES) >= 1024:
            _RESOLVED_BASES.clear()
        base = _RESOLVED_BASES[cache_key] = Path(name).resolve()
    return base


def safe_path(base_dir: str | os.PathLike[str], parts: Sequence[str], subject: str) -> Path:
    """``base_dir/parts...``, after checking every component and the resolved result.

    The base directory is resolved once per process: later changes to symlinks at or above
    it do not move where values go.
    """
    parts = [str(part) for part in parts]
    for part in parts:
        check_component(part, subject)
    base = _resolved_base(base_dir)
    path = base.joinpath(*parts)
    # The components are plain names, so ``path`` can only leave ``base`` through a symlink
    # below it: looking for one costs a stat per component, resolving the whole path one
    # per directory from the root.
    if not parts or _has_symlink(str(base), parts):
        path = path.resolve()
        if path == base or base not in path.parents:
            raise UnsafePathError(
                f"Refusing to store {subject}: {path} resolves outside base directory {base} "
                "(is a component a symlink?)."
            )
    return path


def _has_symlink(base: str, parts: Sequence[str]) -> bool:
    step = base
    for part in parts:
        step = os.path.join(step, part)
        if os.path.islink(step):
            return True
    return False


def path_for(base_dir: str | os.PathLike[str], context: Any, partition_key: Any = None) -> Path:
    """The checked file path for ``context`` (or one of its partitions) under ``base_dir``."""
    parts = (
        asset_parts(context, partition_key) if partition_key is not None else context_parts(context)
    )
    return safe_path(base_dir, parts, _subject(context))


def atomic_write(path: Path, write: Callable[[IO[bytes]], object], *, fsync: bool = False) -> None:
    """Write ``path`` through ``write(file)`` so that readers see the old or the new file.

    The data goes to a temporary file in the same directory, then is renamed over ``path``.
    If ``write`` raises, the temporary file is removed and ``path`` is untouched.

    Args:
        path: the file to replace.
        write: writes the new content to the open temporary file.
        fsync: also flush the file and its directory entry to disk, so that the new value
            survives a power loss or OS crash (atomicity against a crashing process does not
            need it; it costs one or two disk flushes per write).
    """
    try:
        fd, tmp_name = _create_temporary(path)
    except FileNotFoundError:
        # First value under this directory: create it only when needed (saves a syscall
        # on every other write).
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    if fsync:
        _fsync_directory(path.parent)


_TEMP_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)
_temp_counter = itertools.count()


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file next to ``path``, private to this process (mode 0600), opened for writing.

    Named from the process id and a process-wide counter, so names never collide between
    threads or live processes; ``O_EXCL`` skips leftovers of a dead process with the same id.
    """
    prefix = f"{path.parent}{os.sep}.{path.name}.{os.getpid()}."
    while True:
        name = f"{prefix}{next(_temp_counter)}.tmp"
        try:
            return os.open(name, _TEMP_FLAGS, 0o600), name
        except FileExistsError:
            continue


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk; not possible on Windows.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def missing_value_error(context: Any, path: Path) -> FileNotFoundError:
    """The error for loading a value whose file does not exist."""
    return FileNotFoundError(
        f"No stored value for {_subject(context)} at {path}: was it materialized? "
        "Materialize it (or the partition) first, or check the IO manager's base_dir."
    )
