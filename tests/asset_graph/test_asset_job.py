"""define_asset_job and its resolution against the asset graph."""

from __future__ import annotations

import pytest

import headwater as dg


def K(*names):
    return tuple(dg.AssetKey(n) for n in names)


@dg.asset(group_name="g1", check_specs=[dg.AssetCheckSpec("ok", asset="up1")])
def up1():
    return 1


@dg.asset(group_name="g1")
def mid(up1):
    return up1


@dg.asset(group_name="g2")
def down(mid):
    return mid


@dg.multi_asset(outs={"x": dg.AssetOut(), "y": dg.AssetOut()})
def xy(down):
    return 1, 2


@dg.multi_asset(
    outs={"p": dg.AssetOut(is_required=False), "q": dg.AssetOut(is_required=False)},
    can_subset=True,
)
def pq():
    return None


@dg.asset_check(asset=down)
def down_ok():
    return dg.AssetCheckResult(passed=True)


def make_defs(*jobs, assets=(up1, mid, down, xy, pq), **kwargs):
    return dg.Definitions(assets=list(assets), asset_checks=[down_ok], jobs=list(jobs), **kwargs)


def test_define_asset_job_is_unresolved_until_definitions_resolve_it():
    job = dg.define_asset_job("j", selection="nope")  # not checked yet
    assert isinstance(job, dg.UnresolvedAssetJobDefinition)
    assert job.name == "j"
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="is not a valid name"):
        dg.define_asset_job("bad name")


def test_default_selection_is_all_materializable_assets_in_topological_order():
    job = make_defs(dg.define_asset_job("all_assets")).resolve_job_def("all_assets")
    assert isinstance(job, dg.ResolvedAssetJob)
    assert set(job.asset_keys) == set(K("up1", "mid", "down", "x", "y", "p", "q"))
    order = job.asset_keys
    assert order.index(dg.AssetKey("up1")) < order.index(dg.AssetKey("mid"))
    assert order.index(dg.AssetKey("down")) < order.index(dg.AssetKey("x"))
    assert job.check_keys == {
        dg.AssetCheckKey(dg.AssetKey("up1"), "ok"),
        dg.AssetCheckKey(dg.AssetKey("down"), "down_ok"),
    }
    assert job.loadable_asset_keys == frozenset()
    assert {ad.node_def.name for ad in job.assets_defs} == {
        "up1",
        "mid",
        "down",
        "xy",
        "pq",
        "down_down_ok",
    }


def test_selection_forms_and_included_checks():
    jobs = [
        dg.define_asset_job("by_list", selection=[mid, down]),
        dg.define_asset_job("by_string", selection="group:g1"),
        dg.define_asset_job("by_strings", selection=["mid", "down"]),
        dg.define_asset_job("by_selection", selection=dg.AssetSelection.assets("up1")),
        dg.define_asset_job("by_keys", selection=[dg.AssetKey("mid")]),
    ]
    defs = make_defs(*jobs)
    assert defs.resolve_job_def("by_list").asset_keys == K("mid", "down")
    assert defs.resolve_job_def("by_list").check_keys == {
        dg.AssetCheckKey(dg.AssetKey("down"), "down_ok")
    }
    assert defs.resolve_job_def("by_list").loadable_asset_keys == {dg.AssetKey("up1")}
    assert defs.resolve_job_def("by_string").asset_keys == K("up1", "mid")
    assert defs.resolve_job_def("by_strings").asset_keys == K("mid", "down")
    only_up1 = defs.resolve_job_def("by_selection")
    assert only_up1.asset_keys == K("up1")
    assert only_up1.check_keys == {dg.AssetCheckKey(dg.AssetKey("up1"), "ok")}
    assert defs.resolve_job_def("by_keys").loadable_asset_keys == {dg.AssetKey("up1")}


def test_checks_only_job_loads_the_checked_asset():
    defs = make_defs(dg.define_asset_job("checks", selection=dg.AssetSelection.checks(down_ok)))
    job = defs.resolve_job_def("checks")
    assert job.asset_keys == ()
    assert job.check_keys == {dg.AssetCheckKey(dg.AssetKey("down"), "down_ok")}
    assert job.loadable_asset_keys == {dg.AssetKey("down")}


def test_unknown_key_fails_with_wrapped_subset_error():
    defs = make_defs(dg.define_asset_job("j", selection=dg.AssetSelection.assets("nope")))
    with pytest.raises(
        dg.DagsterInvalidDefinitionError, match="Failed to resolve asset job j"
    ) as info:
        defs.resolve_job_def("j")
    assert isinstance(info.value.__cause__, dg.DagsterInvalidSubsetError)
    assert "AssetKey(s) ['nope'] were selected" in str(info.value)


def test_bad_selection_string_fails_when_resolved():
    defs = make_defs(dg.define_asset_job("j", selection="c d"))
    with pytest.raises(dg.InvalidDefinitionError, match="Failed to resolve asset job j") as info:
        defs.resolve_job_def("j")
    assert isinstance(info.value.__cause__, dg.InvalidAssetSelectionError)


def test_splitting_a_non_subsettable_multi_asset_fails():
    defs = make_defs(dg.define_asset_job("j", selection=["x"]))
    with pytest.raises(dg.InvalidDefinitionError, match="Failed to resolve asset job j") as info:
        defs.resolve_job_def("j")
    assert isinstance(info.value.__cause__, dg.InvalidSubsetError)
    message = str(info.value)
    assert "['x', 'y']" in message
    assert "does not support subsetting. Please select all asset and check keys" in message


def test_required_neighbors_and_subsettable_multi_assets():
    defs = make_defs(
        dg.define_asset_job(
            "whole", selection=dg.AssetSelection.assets("x").required_multi_asset_neighbors()
        ),
        dg.define_asset_job("part", selection=["p"]),
    )
    assert set(defs.resolve_job_def("whole").asset_keys) == set(K("x", "y"))
    part = defs.resolve_job_def("part")
    assert part.asset_keys == K("p")
    (subset,) = part.assets_defs
    assert subset.keys == {dg.AssetKey("p")}


def test_assets_without_their_checks_are_subset():
    defs = make_defs(
        dg.define_asset_job("j", selection=dg.AssetSelection.assets("up1").without_checks())
    )
    job = defs.resolve_job_def("j")
    assert job.check_keys == frozenset()
    (ad,) = job.assets_defs
    assert ad.keys == {dg.AssetKey("up1")}
    assert ad.check_keys == frozenset()


def _parts(*names):
    return dg.StaticPartitionsDefinition(list(names))


def test_mixed_partitions_definitions_are_refused():
    @dg.asset(partitions_def=_parts("a", "b"))
    def left():
        return None

    @dg.asset(partitions_def=_parts("c"))
    def right():
        return None

    @dg.asset(partitions_def=_parts("a", "b"))
    def left2():
        return None

    defs = dg.Definitions(assets=[left, right, left2], jobs=[dg.define_asset_job("mixed")])
    with pytest.raises(
        dg.InvalidDefinitionError, match="Failed to resolve asset job mixed"
    ) as info:
        defs.resolve_job_def("mixed")
    assert (
        "Selected assets must have the same partitions definitions, but the selected assets "
        "have different partitions definitions" in str(info.value)
    )
    assert isinstance(info.value.__cause__, dg.InvalidDefinitionError)
    same = dg.Definitions(
        assets=[left, right, left2], jobs=[dg.define_asset_job("same", selection=[left, left2])]
    )
    assert same.resolve_job_def("same").partitions_def == _parts("a", "b")
    # The implicit global job spans every partitions definition.
    assert same.get_implicit_global_asset_job_def().partitions_def is None


def test_job_attributes_are_carried():
    policy = dg.RetryPolicy(max_retries=2)
    job = make_defs(
        dg.define_asset_job(
            "j",
            selection="up1",
            config={"ops": {}},
            description="nightly",
            tags={"team": "data"},
            metadata={"owner": "me"},
            op_retry_policy=policy,
            executor_def="in_process",
        ),
        resources={"thing": 1},
    ).resolve_job_def("j")
    assert job.name == "j"
    assert job.description == "nightly"
    assert job.tags == {"team": "data"}
    assert job.run_tags == {"team": "data"}
    assert job.metadata == {"owner": "me"}
    assert job.config == {"ops": {}}
    assert job.op_retry_policy == policy
    assert job.executor_def == "in_process"
    assert job.resources == {"thing": 1}
    assert job.asset_graph is not None


def test_implicit_global_asset_job():
    job = make_defs().get_implicit_global_asset_job_def()
    assert job.name == "__ASSET_JOB"
    assert set(job.asset_keys) == set(K("up1", "mid", "down", "x", "y", "p", "q"))
    assert len(job.check_keys) == 2


def test_observable_source_asset_job():
    @dg.observable_source_asset
    def src():
        return dg.DataVersion("1")

    defs = dg.Definitions(assets=[src, up1], jobs=[dg.define_asset_job("observe", selection=[src])])
    job = defs.resolve_job_def("observe")
    assert job.asset_keys == K("src")
    assert defs.resolve_job_def("observe").loadable_asset_keys == frozenset()
