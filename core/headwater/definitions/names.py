"""Validation of op, input, output and group names and of asset key components."""

from __future__ import annotations

import re
from collections.abc import Iterable

from headwater.errors import InvalidDefinitionError

VALID_NAME_REGEX_STR = r"^[A-Za-z0-9_]+$"
_VALID_NAME = re.compile(VALID_NAME_REGEX_STR)
# Key components become op names through `AssetKey.to_python_identifier`, which turns "-" and "."
# into "_", so those two characters are allowed in keys but not in names.
_VALID_KEY_COMPONENT = re.compile(r"^[A-Za-z0-9_.\-]+$")

DEFAULT_GROUP_NAME = "default"

# Names that would shadow a parameter the framework passes itself, or a Python builtin type.
RESERVED_NAMES = frozenset(
    {
        "context",
        "conf",
        "config",
        "meta",
        "arg_dict",
        "dict",
        "input_arg_dict",
        "output_arg_dict",
        "int",
        "str",
        "float",
        "bool",
        "input",
        "output",
        "type",
    }
)


def _invalid_name(name: str) -> InvalidDefinitionError:
    return InvalidDefinitionError(
        f'"{name}" is not a valid name. Names must match regex {VALID_NAME_REGEX_STR}.'
    )


def check_valid_name(name: str, *, allow_reserved: bool = False) -> str:
    """Return ``name`` if it is a valid op, input or output name, else raise.

    Raises:
        InvalidDefinitionError: the name does not match the regex or is reserved.
    """
    if not isinstance(name, str) or not _VALID_NAME.match(name):
        raise _invalid_name(str(name))
    if not allow_reserved and name in RESERVED_NAMES:
        raise InvalidDefinitionError(
            f'"{name}" is not a valid name: it conflicts with a headwater or Python reserved '
            "keyword. Choose another name."
        )
    return name


def check_valid_key_components(parts: Iterable[str]) -> None:
    """Raise unless every asset key component is non-empty without spaces or "/".

    Raises:
        InvalidDefinitionError: naming the first bad component.
    """
    match = _VALID_KEY_COMPONENT.match
    for part in parts:
        if not match(part):
            raise _invalid_name(part)


def check_valid_group_name(group_name: str | None) -> str | None:
    """Return the group name if it is one or more "/"-separated valid segments, else raise.

    Raises:
        InvalidDefinitionError: the group name has an empty or invalid segment.
    """
    if group_name is None:
        return None
    if not isinstance(group_name, str) or not all(
        _VALID_NAME.match(segment) for segment in group_name.split("/")
    ):
        raise InvalidDefinitionError(
            f'"{group_name}" is not a valid asset group name. Group names must be one or more '
            f'segments separated by "/", each matching regex {VALID_NAME_REGEX_STR}.'
        )
    return group_name
