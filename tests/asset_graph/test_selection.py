"""AssetSelection: every constructor, traversal and operator, resolved as users do."""

from __future__ import annotations

import pytest

import headwater as dg

AS = dg.AssetSelection


def K(*names):
    return {dg.AssetKey(n) if isinstance(n, str) else dg.AssetKey(list(n)) for n in names}


@dg.asset(group_name="raw", tags={"tier": "bronze", "flag": ""}, owners=["team:data"])
def a():
    return 1


@dg.asset(group_name="raw", key_prefix=["lake"], kinds={"snowflake"})
def b():
    return 2


@dg.asset(group_name="marts", check_specs=[dg.AssetCheckSpec("fresh", asset="c")])
def c(a):
    return a


@dg.asset(group_name="marts", tags={"tier": "gold"})
def d(c):
    return c


@dg.multi_asset(
    outs={"m1": dg.AssetOut(group_name="multi"), "m2": dg.AssetOut(group_name="multi")},
    deps=["d", "src"],
)
def m():
    return 1, 2


@dg.asset_check(asset=d)
def d_positive():
    return dg.AssetCheckResult(passed=True)


DEFS = dg.Definitions(
    assets=[a, b, c, d, m, dg.AssetSpec("src", group_name="raw")], asset_checks=[d_positive]
)
GRAPH = DEFS.resolve_asset_graph()
C_FRESH = dg.AssetCheckKey(dg.AssetKey("c"), "fresh")
D_POS = dg.AssetCheckKey(dg.AssetKey("d"), "d_positive")


def resolve(selection):
    return selection.resolve(GRAPH)


def test_all_excludes_external_unless_asked():
    assert resolve(AS.all()) == K("a", ("lake", "b"), "c", "d", "m1", "m2")
    assert resolve(AS.all(include_sources=True)) == resolve(AS.all()) | K("src")
    assert AS.all().resolve_checks(GRAPH) == {C_FRESH, D_POS}


def test_assets_accepts_keys_strings_paths_and_definitions():
    assert resolve(AS.assets("a", dg.AssetKey("c"))) == K("a", "c")
    assert resolve(AS.assets(["lake", "b"])) == K(("lake", "b"))
    assert resolve(AS.assets(m)) == K("m1", "m2")
    assert AS.assets("c").resolve_checks(GRAPH) == {C_FRESH}


def test_keys_is_deprecated():
    with pytest.warns(DeprecationWarning, match="use AssetSelection.assets"):
        selection = AS.keys("a")
    assert resolve(selection) == K("a")


def test_unknown_key_error_lists_close_matches():
    with pytest.raises(dg.DagsterInvalidSubsetError) as info:
        resolve(AS.assets("nope", "dd"))
    message = str(info.value)
    assert message.startswith("AssetKey(s) ['dd', 'nope'] were selected, but no definitions")
    assert "Make sure all keys are spelled correctly" in message
    assert "did you mean 'd'?" in message
    assert AS.assets("nope", "a").resolve(GRAPH, allow_missing=True) == K("a")


def test_key_prefixes_groups_tags_owners_kinds():
    assert resolve(AS.key_prefixes("lake")) == K(("lake", "b"))
    assert resolve(AS.key_prefixes(["lake", "b"], "zzz")) == K(("lake", "b"))
    assert resolve(AS.groups("raw")) == K("a", ("lake", "b"))
    assert resolve(AS.groups("raw", include_sources=True)) == K("a", ("lake", "b"), "src")
    assert resolve(AS.groups("raw", "marts")) == K("a", ("lake", "b"), "c", "d")
    assert resolve(AS.tag("tier", "gold")) == K("d")
    assert resolve(AS.tag("flag", "")) == K("a")
    assert resolve(AS.tag("tier", "")) == set()
    assert resolve(AS.owner("team:data")) == K("a")
    assert resolve(AS.kind("snowflake")) == K(("lake", "b"))


def test_checks_and_checks_for_assets():
    assert resolve(AS.checks(d_positive)) == set()
    assert AS.checks(d_positive).resolve_checks(GRAPH) == {D_POS}
    assert AS.checks(C_FRESH).resolve_checks(GRAPH) == {C_FRESH}
    assert AS.checks_for_assets(c, "d").resolve_checks(GRAPH) == {C_FRESH, D_POS}
    assert resolve(AS.checks_for_assets(c)) == set()
    assert AS.all_asset_checks().resolve_checks(GRAPH) == {C_FRESH, D_POS}
    assert resolve(AS.all_asset_checks()) == set()
    missing = dg.AssetCheckKey(dg.AssetKey("c"), "nope")
    with pytest.raises(dg.InvalidSubsetError, match=r"AssetCheckKey\(s\) \['c:nope'\]"):
        AS.checks(missing).resolve_checks(GRAPH)


def test_upstream_and_downstream():
    assert resolve(AS.assets("d").upstream()) == K("a", "c", "d")
    assert resolve(AS.assets("d").upstream(depth=1)) == K("c", "d")
    assert resolve(AS.assets("d").upstream(include_self=False)) == K("a", "c")
    # upstream never adds external assets: "src" is a parent of m1 but is left out.
    assert resolve(AS.assets("m1").upstream(depth=1)) == K("d", "m1")
    assert resolve(AS.assets("a").downstream()) == K("a", "c", "d", "m1", "m2")
    assert resolve(AS.assets("a").downstream(depth=2, include_self=False)) == K("c", "d")
    assert AS.assets("a").downstream(depth=1).resolve_checks(GRAPH) == {C_FRESH}


def test_roots_sinks_and_sources():
    chain = AS.assets("a", "c", "d")
    assert resolve(chain.roots()) == K("a")
    assert resolve(chain.sinks()) == K("d")
    # Roots and sinks look through unselected assets: d has a selected ancestor (a).
    assert resolve(AS.assets("a", "d").roots()) == K("a")
    assert resolve(AS.assets("a", "d").sinks()) == K("d")
    with pytest.warns(DeprecationWarning, match="use AssetSelection.roots"):
        sources = chain.sources()
    assert resolve(sources) == K("a")
    assert resolve(AS.all(include_sources=True).roots()) == K("a", ("lake", "b"))


def test_required_multi_asset_neighbors_materializable_and_upstream_sources():
    assert resolve(AS.assets("m1").required_multi_asset_neighbors()) == K("m1", "m2")
    assert resolve(AS.assets("a").required_multi_asset_neighbors()) == K("a")
    assert resolve(AS.assets("src", "a").materializable()) == K("a")
    assert resolve(AS.assets("m2").upstream_source_assets()) == K("src")
    assert resolve(AS.assets("c").upstream_source_assets()) == set()


def test_without_checks():
    selection = AS.groups("marts").without_checks()
    assert resolve(selection) == K("c", "d")
    assert selection.resolve_checks(GRAPH) == set()
    assert (AS.groups("marts") - AS.all_asset_checks()).resolve_checks(GRAPH) == set()


def test_operators():
    raw, marts = AS.groups("raw"), AS.groups("marts")
    assert resolve(raw | marts) == K("a", ("lake", "b"), "c", "d")
    assert resolve(AS.all() & AS.assets("a").downstream()) == K("a", "c", "d", "m1", "m2")
    assert resolve(marts & AS.assets("a").downstream()) == K("c", "d")
    assert resolve(AS.all() - raw - AS.groups("multi")) == K("c", "d")
    assert (AS.assets("c") | AS.checks(d_positive)).resolve_checks(GRAPH) == {C_FRESH, D_POS}
    assert (AS.assets("c", "d") & AS.assets("c")).resolve_checks(GRAPH) == {C_FRESH}
    with pytest.raises(TypeError):
        _ = AS.all() | "a"


def test_selections_are_frozen_values():
    assert AS.groups("raw") == AS.groups("raw")
    assert hash(AS.assets("a").upstream(2)) == hash(AS.assets("a").upstream(2))
    assert AS.groups("raw") != AS.groups("marts")


def test_resolve_accepts_a_list_of_definitions():
    assert AS.assets("c").upstream().resolve([a, c, d]) == K("a", "c")
    assert AS.all().resolve([a, dg.AssetSpec("x")]) == K("a")


def test_from_coercible():
    assert resolve(AS.from_coercible("a")) == K("a")
    assert resolve(AS.from_coercible(["a", "c*"])) == K("a", "c", "d", "m1", "m2")
    assert resolve(AS.from_coercible([dg.AssetKey("a"), dg.AssetKey("c")])) == K("a", "c")
    assert resolve(AS.from_coercible([a, m])) == K("a", "m1", "m2")
    selection = AS.groups("raw")
    assert AS.from_coercible(selection) is selection
    checks_only = AS.from_coercible([d_positive])
    assert checks_only.resolve_checks(GRAPH) == {D_POS}
    with pytest.raises(dg.DagsterError, match="Cannot use 42 as an asset selection"):
        AS.from_coercible(42)
    with pytest.raises(dg.DagsterError, match="Cannot use"):
        AS.from_coercible([1, 2])


def test_five_thousand_asset_graph_selection_algebra():
    import random

    rng = random.Random(7)
    specs = []
    for i in range(5000):
        layer = i // 250
        picks = {rng.randrange(layer * 250) for _ in range(rng.randint(1, 3))} if layer else ()
        deps = [f"n{p}" for p in sorted(picks)]
        specs.append(dg.AssetSpec(f"n{i}", deps=deps, group_name=f"g{i % 10}"))

    @dg.multi_asset(specs=specs, can_subset=True)
    def big():
        return None

    graph = dg.Definitions(assets=[big]).resolve_asset_graph()
    last = dg.AssetKey("n4999")
    up = AS.assets(last).upstream().resolve(graph)
    assert up == graph.upstream_keys([last])
    assert AS.from_string("*n4999").resolve(graph) == up
    # Every ancestor of n4999 is from an earlier layer, and each parent is included.
    assert all(graph.parents(k) <= up for k in up)
    g1 = AS.groups("g1").resolve(graph)
    assert len(g1) == 500
    roots = AS.groups("g1").roots().resolve(graph)
    assert all(not (graph.upstream_keys([k], include_self=False) & g1) for k in roots)
    assert (AS.all() - AS.groups("g1")).resolve(graph) == graph.all_asset_keys - g1
