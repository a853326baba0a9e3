"""Selection strings: the attribute syntax first, the legacy clause syntax as fallback."""

from __future__ import annotations

import pytest

import headwater as dg

AS = dg.AssetSelection


def K(*names):
    return {dg.AssetKey(n.split("/")) for n in names}


@dg.asset(group_name="ingest", tags={"t": ""}, owners=["team:x"], kinds={"python"})
def a():
    return 1


@dg.asset(group_name="ingest", tags={"t": "v"})
def c(a):
    return a


@dg.asset(group_name="reports")
def d(c):
    return c


@dg.asset(key=["lake", "b"], deps=["a"], group_name="lake_raw")
def lake_b():
    return None


@dg.asset(key=["lake", "b2"], deps=[["lake", "b"]], group_name="lake_clean")
def lake_b2():
    return None


GRAPH = dg.Definitions(assets=[a, c, d, lake_b, lake_b2, dg.AssetSpec("ext")]).resolve_asset_graph()


def select(string):
    return AS.from_string(string).resolve(GRAPH)


@pytest.mark.parametrize(
    ("string", "expected"),
    [
        # verified examples: a -> c -> d
        ("+key:d", K("a", "c", "d")),
        ("2+key:d", K("a", "c", "d")),
        ("1+key:d", K("c", "d")),
        ("key:c+", K("c", "d")),
        ("key:a+1", K("a", "c", "lake/b")),
        ('key:"lake/b"+', K("lake/b", "lake/b2")),
        ("key:lake/b", K("lake/b")),
        ("+key:c+", K("a", "c", "d")),
        ("1+key:c+1", K("a", "c", "d")),
        ("*", K("a", "c", "d", "lake/b", "lake/b2")),
        ("key:*", K("a", "c", "d", "lake/b", "lake/b2", "ext")),
        ("key:lake*", K("lake/b", "lake/b2")),
        ("key:*b2", K("lake/b2")),
        ("group:ingest", K("a", "c")),
        ("group:lake_*", K("lake/b", "lake/b2")),
        ('group:"reports"', K("d")),
        ("tag:t", K("a")),
        ("tag:t=v", K("c")),
        ('owner:"team:x"', K("a")),
        ("kind:python", K("a")),
        ("is:materializable", K("a", "c", "d", "lake/b", "lake/b2")),
        ("is:external", K("ext")),
        ("key:a or key:d", K("a", "d")),
        ("group:ingest AND not key:a", K("c")),
        ("NOT group:ingest", K("d", "lake/b", "lake/b2")),
        ("not key:a and not key:c", K("d", "lake/b", "lake/b2")),
        ("(key:a or key:c) and group:ingest", K("a", "c")),
        ("sinks(group:ingest)", K("c")),
        ("roots(*)", K("a")),
        ("sinks(*)", K("d", "lake/b2")),
        ("roots(key:c+)", K("c")),
        ("+(key:d or key:lake/b2)", K("a", "c", "d", "lake/b", "lake/b2")),
    ],
)
def test_attribute_syntax(string, expected):
    assert select(string) == expected


@pytest.mark.parametrize(
    ("string", "expected"),
    [
        ("a", K("a")),
        ("lake/b", K("lake/b")),
        ("*d", K("a", "c", "d")),
        ("+d", K("c", "d")),
        ("++d", K("a", "c", "d")),
        ("c*", K("c", "d")),
        ("a+", K("a", "c", "lake/b")),
        ("a++", K("a", "c", "d", "lake/b", "lake/b2")),
        ("+c+", K("a", "c", "d")),
        ("*c*", K("a", "c", "d")),
        (" d ", K("d")),
        ("tag:t=v", K("c")),
    ],
)
def test_legacy_syntax(string, expected):
    assert select(string) == expected


def test_bare_plus_is_one_layer_but_plus_key_is_unlimited():
    assert select("+d") == K("c", "d")
    assert select("+key:d") == K("a", "c", "d")


def test_tag_without_value_matches_only_empty_value():
    assert select("tag:t") == K("a")
    assert select("tag:t") != select("tag:t=v")


@pytest.mark.parametrize("string", ["c d", "2+d", "", "key:", "a b c", "tag:", "(key:a", "+*"])
def test_invalid_strings(string):
    with pytest.raises(dg.DagsterInvalidAssetSelectionError, match="Invalid selection string"):
        AS.from_string(string)


def test_unsupported_attributes_raise_clearly():
    with pytest.raises(dg.InvalidAssetSelectionError, match="'status:' is not supported"):
        AS.from_string("status:failed")
    with pytest.raises(dg.InvalidAssetSelectionError, match="is:materializable"):
        AS.from_string("is:view")


def test_unknown_key_in_string_raises_at_resolution():
    with pytest.raises(dg.InvalidSubsetError, match=r"\['dd'\] were selected.*did you mean 'd'"):
        select("key:dd")
    with pytest.raises(dg.InvalidSubsetError, match=r"\['nope'\]"):
        select("nope*")


def test_deep_nesting_parses():
    string = "(" * 50 + "key:a" + ")" * 50
    assert select(string) == K("a")
