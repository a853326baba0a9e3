"""`AssetKey`: the hierarchical name of an asset."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TypeAlias

_ESCAPED_SLASH = re.compile(r"(?<!\\)/")


class AssetKey:
    """The unique, hierarchical name of an asset: a sequence of string components.

    A plain string is one component and is never split on ``"/"``: ``AssetKey("a/b")`` has the
    single component ``"a/b"``. Use `AssetKey.from_user_string` to split.

    Args:
        path: a string (one component) or a sequence of strings.
    """

    __slots__ = ("_hash", "parts")

    parts: tuple[str, ...]

    def __init__(self, path: str | Sequence[str]):
        if isinstance(path, str):
            parts: tuple[str, ...] = (path,)
        elif isinstance(path, (list, tuple)):
            parts = tuple(path)
            for part in parts:
                if not isinstance(part, str):
                    raise TypeError(
                        f"AssetKey components must be strings; got {part!r} in {list(path)!r}"
                    )
        else:
            raise TypeError(
                f"AssetKey expects a string or a sequence of strings; got {type(path).__name__}"
            )
        if not parts:
            raise ValueError("AssetKey needs at least one path component")
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "_hash", hash(parts))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("AssetKey is immutable")

    @property
    def path(self) -> list[str]:
        """The key's components as a list."""
        return list(self.parts)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is AssetKey:
            return self.parts == other.parts  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return self._hash

    def __lt__(self, other: AssetKey) -> bool:
        return self.parts < other.parts

    def __le__(self, other: AssetKey) -> bool:
        return self.parts <= other.parts

    def __gt__(self, other: AssetKey) -> bool:
        return self.parts > other.parts

    def __ge__(self, other: AssetKey) -> bool:
        return self.parts >= other.parts

    def __repr__(self) -> str:
        return f"AssetKey({list(self.parts)!r})"

    def __reduce__(self):
        return (AssetKey, (self.parts,))

    # -- string forms -------------------------------------------------------------------------

    def to_string(self) -> str:
        """The JSON-list form stored in databases, e.g. ``'["a", "b"]'``."""
        return json.dumps(list(self.parts))

    @staticmethod
    def from_db_string(value: str | None) -> AssetKey | None:
        """Parse the form produced by `to_string`; ``None`` stays ``None``."""
        if value is None:
            return None
        return AssetKey(json.loads(value))

    def to_user_string(self) -> str:
        """The components joined with ``"/"``."""
        return "/".join(self.parts)

    @staticmethod
    def from_user_string(value: str) -> AssetKey:
        """Split a ``"a/b/c"`` string on ``"/"`` into a key."""
        return AssetKey(value.split("/"))

    def to_escaped_user_string(self) -> str:
        """Like `to_user_string`, with any ``"/"`` inside a component escaped as ``"\\/"``."""
        return "/".join(part.replace("/", "\\/") for part in self.parts)

    @staticmethod
    def from_escaped_user_string(value: str) -> AssetKey:
        """Inverse of `to_escaped_user_string`."""
        return AssetKey([part.replace("\\/", "/") for part in _ESCAPED_SLASH.split(value)])

    def to_python_identifier(self, suffix: str | None = None) -> str:
        """Components joined by ``"__"`` with ``"-"`` and ``"."`` made ``"_"``: the op name."""
        name = "__".join(self.parts).replace("-", "_").replace(".", "_")
        return f"{name}_{suffix}" if suffix else name

    # -- structure ----------------------------------------------------------------------------

    def with_prefix(self, prefix: CoercibleToAssetKeyPrefix) -> AssetKey:
        """A new key with ``prefix`` (a string or sequence of strings) in front."""
        if isinstance(prefix, AssetKey):
            return AssetKey(prefix.parts + self.parts)
        head = (prefix,) if isinstance(prefix, str) else tuple(prefix)
        return AssetKey(head + self.parts)

    def has_prefix(self, prefix: Sequence[str]) -> bool:
        """Whether the key's first components equal ``prefix``."""
        head = (prefix,) if isinstance(prefix, str) else tuple(prefix)
        return len(head) <= len(self.parts) and self.parts[: len(head)] == head

    @property
    def parent(self) -> AssetKey:
        """The key without its last component."""
        if len(self.parts) == 1:
            raise ValueError(f"{self!r} has a single component and no parent")
        return AssetKey(self.parts[:-1])

    @staticmethod
    def from_coercible(arg: CoercibleToAssetKey) -> AssetKey:
        """Coerce a key, a string (one component) or a sequence of strings to an `AssetKey`."""
        if isinstance(arg, AssetKey):
            return arg
        if isinstance(arg, (str, list, tuple)):
            return AssetKey(arg)
        raise TypeError(
            f"Cannot make an AssetKey from {arg!r} ({type(arg).__name__}); "
            "pass a string, a list of strings or an AssetKey"
        )


CoercibleToAssetKey: TypeAlias = AssetKey | str | Sequence[str]
CoercibleToAssetKeyPrefix: TypeAlias = str | Sequence[str]
