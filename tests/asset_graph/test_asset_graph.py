"""The asset graph: structure, lookups, ordering, cycles and large graphs."""

from __future__ import annotations

import itertools

import pytest

import headwater as dg


def _defs(*assets, **kwargs):
    return dg.Definitions(assets=list(assets), **kwargs)


@dg.asset(group_name="raw", tags={"tier": "bronze"}, owners=["team:data"], kinds={"python"})
def a():
    return 1


@dg.asset
def c(a):
    return a + 1


@dg.asset(deps=["c", "outside"])
def d():
    return None


def test_structure_and_lookups():
    graph = _defs(a, c, d).resolve_asset_graph()
    A, C, D, OUT = (dg.AssetKey(k) for k in ("a", "c", "d", "outside"))
    assert graph.all_asset_keys == {A, C, D, OUT}
    assert graph.parents(D) == {C, OUT}
    assert graph.children(A) == {C}
    assert graph.root_keys == {A, OUT}
    assert graph.sink_keys == {D}
    assert graph.group_name(A) == "raw"
    assert graph.group_name(C) == "default"
    assert graph.tags(A) == {"tier": "bronze"}
    assert graph.owners(A) == ("team:data",)
    assert "python" in graph.kinds(A)
    assert graph.assets_def(C) is c
    assert graph.is_materializable(C)
    assert not graph.is_external(C)


def test_unresolved_dependencies_are_external_nodes():
    graph = _defs(a, c, d).resolve_asset_graph()
    outside = dg.AssetKey("outside")
    assert graph.has(outside)
    assert graph.unresolved_asset_keys == {outside}
    assert graph.is_external(outside)
    assert not graph.is_materializable(outside)
    assert graph.assets_def(outside) is None
    assert graph.group_name(outside) == "default"


def test_toposort_and_levels():
    graph = _defs(d, c, a).resolve_asset_graph()
    order = graph.toposorted_keys()
    assert (
        order.index(dg.AssetKey("a"))
        < order.index(dg.AssetKey("c"))
        < order.index(dg.AssetKey("d"))
    )
    assert graph.levels() == [
        [dg.AssetKey("a"), dg.AssetKey("outside")],
        [dg.AssetKey("c")],
        [dg.AssetKey("d")],
    ]
    assert graph.level(dg.AssetKey("d")) == 2


def test_external_specs_and_checks():
    @dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="v")])
    def v(raw):
        return raw

    @dg.asset_check(asset=v)
    def not_empty():
        return dg.AssetCheckResult(passed=True)

    graph = dg.Definitions(assets=[dg.AssetSpec("raw"), v], asset_checks=[not_empty])
    graph = graph.resolve_asset_graph()
    raw = dg.AssetKey("raw")
    assert graph.is_external(raw)
    assert not graph.is_unresolved(raw)
    assert set(graph.check_keys_for(dg.AssetKey("v"))) == {
        dg.AssetCheckKey(dg.AssetKey("v"), "positive"),
        dg.AssetCheckKey(dg.AssetKey("v"), "not_empty"),
    }
    assert len(graph.asset_check_keys) == 2


def test_execution_sets_of_multi_assets():
    @dg.multi_asset(outs={"x": dg.AssetOut(), "y": dg.AssetOut()})
    def xy():
        return 1, 2

    @dg.multi_asset(outs={"p": dg.AssetOut(), "q": dg.AssetOut()}, can_subset=True)
    def pq():
        return 1, 2

    graph = _defs(xy, pq).resolve_asset_graph()
    X, Y, P = dg.AssetKey("x"), dg.AssetKey("y"), dg.AssetKey("p")
    assert graph.execution_set(X) == {X, Y}
    assert graph.execution_set(P) == {P}


def test_cycle_error_names_the_path():
    @dg.asset(deps=["r"])
    def p():
        return None

    @dg.asset(deps=["p"])
    def q():
        return None

    @dg.asset(deps=["q"])
    def r():
        return None

    with pytest.raises(dg.CycleError) as info:
        _defs(p, q, r).resolve_asset_graph()
    cycle = info.value.cycle
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {dg.AssetKey("p"), dg.AssetKey("q"), dg.AssetKey("r")}
    path = " -> ".join(key.to_user_string() for key in cycle)
    assert path in str(info.value)
    # Consecutive keys in the reported path are real dependency edges.
    graph_edges = {("r", "p"), ("p", "q"), ("q", "r")}
    pairs = {(x.to_user_string(), y.to_user_string()) for x, y in itertools.pairwise(cycle)}
    assert pairs == graph_edges


def test_cycle_error_is_a_definition_error_for_jobs():
    @dg.asset(deps=["y2"])
    def x2():
        return None

    @dg.asset(deps=["x2"])
    def y2():
        return None

    defs = _defs(x2, y2, jobs=[dg.define_asset_job("j")])
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=r"x2 -> y2 -> x2|y2 -> x2 -> y2"):
        defs.resolve_job_def("j")


def _chain(n):
    specs = [dg.AssetSpec("n0")] + [dg.AssetSpec(f"n{i}", deps=[f"n{i - 1}"]) for i in range(1, n)]

    @dg.multi_asset(specs=specs, can_subset=True)
    def chain():
        return None

    return chain


def test_ten_thousand_asset_chain():
    n = 10_000
    graph = _defs(_chain(n)).resolve_asset_graph()
    order = graph.toposorted_keys()
    assert order[0] == dg.AssetKey("n0")
    assert order[-1] == dg.AssetKey(f"n{n - 1}")
    assert len(graph.levels()) == n
    last = dg.AssetSelection.assets(f"n{n - 1}")
    assert len(last.upstream().resolve(graph)) == n
    assert len(dg.AssetSelection.assets("n0").downstream().resolve(graph)) == n
    assert dg.AssetSelection.assets("n0").downstream(depth=3).resolve(graph) == {
        dg.AssetKey(f"n{i}") for i in range(4)
    }
    assert len(dg.AssetSelection.from_string(f"*n{n - 1}").resolve(graph)) == n
    assert dg.AssetSelection.all().sinks().resolve(graph) == {dg.AssetKey(f"n{n - 1}")}
    assert dg.AssetSelection.all().roots().resolve(graph) == {dg.AssetKey("n0")}
    assert graph.upstream_keys([dg.AssetKey("n5")], depth=2, include_self=False) == {
        dg.AssetKey("n3"),
        dg.AssetKey("n4"),
    }


def test_long_chain_beyond_closure_cache_traverses_iteratively():
    n = 12_000
    graph = _defs(_chain(n)).resolve_asset_graph()
    assert len(graph.upstream_keys([dg.AssetKey(f"n{n - 1}")])) == n
    assert graph.downstream_keys([dg.AssetKey("n0")], include_self=False) == {
        dg.AssetKey(f"n{i}") for i in range(1, n)
    }
    assert dg.AssetSelection.all().roots().resolve(graph) == {dg.AssetKey("n0")}
