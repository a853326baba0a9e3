"""`headwater.toml`: the instance settings file in ``HEADWATER_HOME``."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from headwater.errors import InvalidConfigError, did_you_mean

CONFIG_FILE_NAME = "headwater.toml"
DATABASE_FILE_NAME = "headwater.db"

# Top-level keys and, for tables, the keys each may hold (None: any keys).
_SCHEMA: dict[str, dict[str, type] | type | None] = {
    "storage": {"url": str, "backend": str},
    "io_manager": str,
    "executor": str,
    "plugins": None,
}


@attrs.frozen
class InstanceSettings:
    """What ``headwater.toml`` says (defaults where it says nothing).

    Attributes:
        storage_url: the database URL; None means SQLite at ``$HEADWATER_HOME/headwater.db``.
        storage_backend: a storage backend chosen by registered name instead of URL scheme.
        io_manager: the default IO manager's registered name.
        executor: the default executor's registered name.
        plugins: the ``[plugins]`` table, for plugins to read their settings from.
    """

    storage_url: str | None = None
    storage_backend: str | None = None
    io_manager: str = "fs"
    executor: str | None = None
    plugins: Mapping[str, Any] = attrs.field(factory=dict)


def _load_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidConfigError(f"{path} is not valid TOML: {exc}") from exc


def _wrong_type(source: str, where: str, expected: type, value: Any) -> InvalidConfigError:
    return InvalidConfigError(
        f"{source}: {where} must be a {_TYPE_NAMES[expected]}, got {value!r} "
        f"({type(value).__name__})."
    )


_TYPE_NAMES = {str: "string", dict: "table"}


def _unknown(source: str, where: str, key: str, known: Mapping[str, Any]) -> InvalidConfigError:
    hint = did_you_mean(key, known) or "."
    return InvalidConfigError(
        f"{source}: unknown setting {where}{hint} Known settings: {', '.join(sorted(known))}."
    )


def _checked(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    """``data`` (settings as in ``headwater.toml``) after checking every key and type."""
    for key, value in data.items():
        where = f"$.{key}"
        if key not in _SCHEMA:
            raise _unknown(source, where, key, _SCHEMA)
        expected = _SCHEMA[key]
        if isinstance(expected, type):
            if not isinstance(value, expected):
                raise _wrong_type(source, where, expected, value)
            continue
        if not isinstance(value, Mapping):
            raise _wrong_type(source, where, dict, value)
        if expected is None:
            continue
        for sub_key, sub_value in value.items():
            sub_where = f"{where}.{sub_key}"
            if sub_key not in expected:
                raise _unknown(source, sub_where, sub_key, expected)
            if not isinstance(sub_value, expected[sub_key]):
                raise _wrong_type(source, sub_where, expected[sub_key], sub_value)
    url = data.get("storage", {}).get("url")
    if url is not None and ":" not in url:
        raise InvalidConfigError(
            f"{source}: $.storage.url must be a database URL such as "
            f"'sqlite:///path/to/headwater.db' or 'postgresql://user@host/db', got {url!r}."
        )
    return dict(data)


def load_settings(home: Path, overrides: Mapping[str, Any] | None = None) -> InstanceSettings:
    """Read ``home/headwater.toml`` (defaults if absent), with ``overrides`` on top.

    ``overrides`` takes the same keys as the file; a table in it (``storage``, ``plugins``)
    is merged key by key into the file's table, any other key replaces the file's value.

    Raises:
        InvalidConfigError: the file is not TOML, or a key is unknown or has the wrong type;
            the message names the file (or the overrides) and the key path (``$.storage.url``).
    """
    path = home / CONFIG_FILE_NAME
    values = _checked(_load_toml(path), str(path)) if path.exists() else {}
    for key, value in _checked(overrides or {}, "settings overrides").items():
        if isinstance(value, Mapping):
            values[key] = {**values.get(key, {}), **value}
        else:
            values[key] = value
    storage = values.get("storage", {})
    return InstanceSettings(
        storage_url=storage.get("url"),
        storage_backend=storage.get("backend"),
        io_manager=values.get("io_manager", "fs"),
        executor=values.get("executor"),
        plugins=values.get("plugins", {}),
    )


def resolve_storage_url(url: str | None, home: Path) -> str:
    """The storage URL with a relative SQLite path made relative to ``home``."""
    if url is None:
        return f"sqlite:///{home / DATABASE_FILE_NAME}"
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        database = url[len(prefix) :]
        if database and not database.startswith(":memory:"):
            return prefix + str(home / database)
    return url
