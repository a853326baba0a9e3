"""Selection strings: the attribute syntax, then the legacy clause syntax as a fallback.

Attribute syntax (tried first)::

    expr      := and_expr ("or" and_expr)*
    and_expr  := not_expr ("and" not_expr)*
    not_expr  := "not" not_expr | "*" | [[DIGITS] "+"] primary ["+" [DIGITS]]
    primary   := attr ":" value | ("sinks" | "roots") "(" expr ")" | "(" expr ")"

``+`` without digits means unlimited depth. Keywords are case-insensitive. Values are
quoted (``"a/b"``) or unquoted; ``*`` inside a ``key:`` or ``group:`` value is a wildcard.

Legacy syntax (used when the string is not valid attribute syntax): ``a/b``, ``*a`` (all
upstream), ``+a`` (one layer; ``++a`` two), ``a*``, ``a+``, ``+a+``, ``tag:k=v`` and ``*``.
"""

from __future__ import annotations

import re
from typing import Any

from headwater.asset_graph import selection as sel
from headwater.definitions.keys import AssetKey
from headwater.errors import InvalidAssetSelectionError

_UNQUOTED_VALUE = re.compile(r"[A-Za-z0-9_./*@-]+")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = re.compile(r"[0-9]+")
_SUPPORTED_ATTRIBUTES = ("key", "group", "tag", "owner", "kind", "is")
# Attributes of the reference syntax that describe things headwater's asset graph does not
# hold (code locations, run status, columns, ...): a clear error beats silently matching none.
_UNSUPPORTED_ATTRIBUTES = frozenset(
    (
        "code_location",
        "status",
        "column",
        "table_name",
        "column_tag",
        "changed_in_branch",
        "partitions",
        "automation_type",
        "sensor",
        "schedule",
        "job",
    )
)
_FLAGS = ("materializable", "external", "observable", "executable")
# A traversal depth: _ABSENT (no traversal on that side), None (unlimited) or a layer count.
_ABSENT: Any = object()
_Depth = Any
_LEGACY_CLAUSE = re.compile(r"^(\*?\+*)([\w.\[\]?/-]+)(\+*\*?)$")


class _SyntaxMismatch(Exception):
    """The string is not valid attribute syntax; the legacy syntax gets a try."""


def parse_selection(string: str) -> sel.AssetSelection:
    """Parse ``string`` into an `AssetSelection`.

    Raises:
        InvalidAssetSelectionError: the string is valid in neither syntax, or uses an
            attribute headwater does not support.
    """
    if not isinstance(string, str):
        raise InvalidAssetSelectionError(
            f"Invalid selection string: {string!r} is a {type(string).__name__}, not a string"
        )
    try:
        return _Parser(string).parse()
    except _SyntaxMismatch:
        pass
    legacy = _parse_legacy(string.strip())
    if legacy is None:
        raise InvalidAssetSelectionError(
            f"Invalid selection string: {string}. Use attribute syntax such as "
            "'key:a or group:g', '+key:a' (all upstream) or 'key:a+2' (two layers downstream), "
            "or a plain key such as 'a/b', '*a' or 'a+'."
        )
    return legacy


# -- attribute syntax ---------------------------------------------------------------------


def _tokenize(text: str) -> list[tuple[str, str]]:
    """Tokens as (kind, text); kinds: ( ) + * = DIGITS WORD ATTR VALUE."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()+*":
            tokens.append((c, c))
            i += 1
        elif c.isdigit():
            match = _DIGITS.match(text, i)
            assert match is not None
            tokens.append(("DIGITS", match.group()))
            i = match.end()
        elif c.isalpha() or c == "_":
            match = _WORD.match(text, i)
            assert match is not None
            word, i = match.group(), match.end()
            if i < n and text[i] == ":":
                tokens.append(("ATTR", word))
                value, i = _read_value(text, i + 1)
                tokens.append(("VALUE", value))
                if word == "tag" and i < n and text[i] == "=":
                    tokens.append(("=", "="))
                    value, i = _read_value(text, i + 1)
                    tokens.append(("VALUE", value))
            else:
                tokens.append(("WORD", word))
        else:
            raise _SyntaxMismatch
    return tokens


def _read_value(text: str, i: int) -> tuple[str, int]:
    if i < len(text) and text[i] == '"':
        out: list[str] = []
        i += 1
        while i < len(text):
            c = text[i]
            if c == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
            elif c == '"':
                return "".join(out), i + 1
            else:
                out.append(c)
                i += 1
        raise _SyntaxMismatch
    match = _UNQUOTED_VALUE.match(text, i)
    if match is None:
        raise _SyntaxMismatch
    return match.group(), match.end()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def parse(self) -> sel.AssetSelection:
        if not self.tokens:
            raise _SyntaxMismatch
        result = self._or()
        if self.pos != len(self.tokens):
            raise _SyntaxMismatch
        return result

    def _peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else ("END", "")

    def _take(self, kind: str) -> str:
        token_kind, token_text = self._peek()
        if token_kind != kind:
            raise _SyntaxMismatch
        self.pos += 1
        return token_text

    def _keyword(self, word: str) -> bool:
        kind, text = self._peek()
        if kind == "WORD" and text.lower() == word:
            self.pos += 1
            return True
        return False

    def _or(self) -> sel.AssetSelection:
        result = self._and()
        while self._keyword("or"):
            result = result | self._and()
        return result

    def _and(self) -> sel.AssetSelection:
        result = self._not()
        while self._keyword("and"):
            result = result & self._not()
        return result

    def _not(self) -> sel.AssetSelection:
        if self._keyword("not"):
            return sel.AssetSelection.all() - self._not()
        if self._peek()[0] == "*":
            self.pos += 1
            return sel.AssetSelection.all()
        up: _Depth = _ABSENT
        if self._peek()[0] == "DIGITS" and self._peek(1)[0] == "+":
            up = int(self._take("DIGITS"))
            self.pos += 1
        elif self._peek()[0] == "+":
            up = None
            self.pos += 1
        primary = self._primary()
        down: _Depth = _ABSENT
        if self._peek()[0] == "+":
            self.pos += 1
            down = int(self._take("DIGITS")) if self._peek()[0] == "DIGITS" else None
        return _with_traversal(primary, up, down)

    def _primary(self) -> sel.AssetSelection:
        kind, text = self._peek()
        if kind == "(":
            self.pos += 1
            inner = self._or()
            self._take(")")
            return inner
        if kind == "WORD" and text.lower() in ("sinks", "roots") and self._peek(1)[0] == "(":
            self.pos += 2
            inner = self._or()
            self._take(")")
            return inner.sinks() if text.lower() == "sinks" else inner.roots()
        if kind == "ATTR":
            self.pos += 1
            return self._attribute(text)
        raise _SyntaxMismatch

    def _attribute(self, name: str) -> sel.AssetSelection:
        value = self._take("VALUE")
        if name == "key":
            if "*" in value:
                return sel._KeyWildcard(value)
            return sel.AssetSelection.assets(AssetKey.from_escaped_user_string(value))
        if name == "group":
            return sel._GroupWildcard(value) if "*" in value else sel.AssetSelection.groups(value)
        if name == "tag":
            tag_value = ""
            if self._peek()[0] == "=":
                self.pos += 1
                tag_value = self._take("VALUE")
            return sel.AssetSelection.tag(value, tag_value)
        if name == "owner":
            return sel.AssetSelection.owner(value)
        if name == "kind":
            return sel.AssetSelection.kind(value)
        if name == "is":
            if value not in _FLAGS:
                raise InvalidAssetSelectionError(
                    f"Invalid selection string: {self.text}. 'is:{value}' is not supported; "
                    f"use one of {', '.join('is:' + flag for flag in _FLAGS)}."
                )
            return sel._Flag(value)
        if name in _UNSUPPORTED_ATTRIBUTES:
            raise InvalidAssetSelectionError(
                f"Invalid selection string: {self.text}. The attribute '{name}:' is not "
                "supported by headwater's asset graph; supported attributes: "
                f"{', '.join(a + ':' for a in _SUPPORTED_ATTRIBUTES)}."
            )
        raise _SyntaxMismatch


# -- legacy clause syntax -----------------------------------------------------------------


def _legacy_depth(part: str) -> _Depth:
    if not part:
        return _ABSENT
    if "*" in part:
        return None
    return len(part)


def _parse_legacy(string: str) -> sel.AssetSelection | None:
    if string == "*":
        return sel.AssetSelection.all()
    match = _LEGACY_CLAUSE.match(string)
    if match is not None:
        up_part, item, down_part = match.groups()
        keys = sel.AssetSelection.assets(AssetKey.from_user_string(item))
        return _with_traversal(keys, _legacy_depth(up_part), _legacy_depth(down_part))
    if string.startswith("tag:"):
        tag_key, _, tag_value = string[len("tag:") :].partition("=")
        if tag_key:
            return sel.AssetSelection.tag(tag_key, tag_value)
    return None


def _with_traversal(selection: sel.AssetSelection, up: _Depth, down: _Depth) -> sel.AssetSelection:
    """Apply ``+``/``*`` traversals; both sides together mean upstream OR downstream."""
    if up is not _ABSENT and down is not _ABSENT:
        return selection.upstream(depth=up) | selection.downstream(depth=down)
    if up is not _ABSENT:
        return selection.upstream(depth=up)
    if down is not _ABSENT:
        return selection.downstream(depth=down)
    return selection
