"""`@multi_asset`, `AssetOut`, specs, subsetting."""

import pytest

import headwater as dg


def test_outs_keys_default_to_output_names_and_the_op_keeps_the_function_name():
    @dg.multi_asset(outs={"o1": dg.AssetOut(), "o2": dg.AssetOut(key_prefix="pp")})
    def m(a):
        return 1, 2

    assert m.keys == {dg.AssetKey("o1"), dg.AssetKey(["pp", "o2"])}
    assert m.keys_by_output_name == {"o1": dg.AssetKey("o1"), "o2": dg.AssetKey(["pp", "o2"])}
    assert m.op.name == "m"
    assert m.asset_deps == {
        dg.AssetKey("o1"): {dg.AssetKey("a")},
        dg.AssetKey(["pp", "o2"]): {dg.AssetKey("a")},
    }


def test_asset_out_attributes_reach_the_specs_and_outputs():
    @dg.multi_asset(
        outs={
            "x": dg.AssetOut(
                group_name="g", io_manager_key="im", is_required=False, tags={"k": "v"}
            ),
            "y": dg.AssetOut(key=["k", "y"], description="why"),
        },
        group_name="other",
        code_version="7",
    )
    def m():
        yield dg.Output(1, output_name="x")

    x, y = dg.AssetKey("x"), dg.AssetKey(["k", "y"])
    assert m.group_names_by_key == {x: "g", y: "other"}
    assert m.io_manager_key_for_asset_key(x) == "im"
    assert m.is_output_required("x") is False
    assert m.descriptions_by_key == {y: "why"}
    assert m.tags_by_key[x] == {"k": "v"}
    assert m.code_versions_by_key == {x: "7", y: "7"}


def test_internal_asset_deps_override_lineage():
    @dg.multi_asset(
        outs={"a": dg.AssetOut(), "b": dg.AssetOut()},
        internal_asset_deps={"a": {dg.AssetKey("up")}, "b": {dg.AssetKey("a")}},
    )
    def m(up):
        return 1, 2

    assert m.asset_deps == {
        dg.AssetKey("a"): {dg.AssetKey("up")},
        dg.AssetKey("b"): {dg.AssetKey("a")},
    }


def test_specs_form_takes_lineage_from_spec_deps():
    @dg.multi_asset(specs=[dg.AssetSpec("s1", deps=["a"]), dg.AssetSpec("s2", deps=["s1"])])
    def m():
        pass

    assert m.keys_by_output_name == {"s1": dg.AssetKey("s1"), "s2": dg.AssetKey("s2")}
    assert m.asset_deps == {
        dg.AssetKey("s1"): {dg.AssetKey("a")},
        dg.AssetKey("s2"): {dg.AssetKey("s1")},
    }
    assert m.keys_by_input_name == {"a": dg.AssetKey("a")}
    assert m.group_names_by_key == {dg.AssetKey("s1"): "default", dg.AssetKey("s2"): "default"}


def test_outs_and_specs_are_mutually_exclusive():
    with pytest.raises(dg.InvalidDefinitionError, match="both outs and specs"):
        dg.multi_asset(outs={"a": dg.AssetOut()}, specs=[dg.AssetSpec("b")])
    with pytest.raises(dg.InvalidDefinitionError, match="needs outs"):
        dg.multi_asset()


def test_key_of_a_multi_asset_is_an_error():
    @dg.multi_asset(outs={"a": dg.AssetOut(), "b": dg.AssetOut()})
    def m():
        return 1, 2

    with pytest.raises(dg.InvalidDefinitionError, match=r"use \.keys"):
        m.key  # noqa: B018 - the property access is the test


def test_subset_of_a_subsettable_multi_asset():
    @dg.multi_asset(
        outs={"a": dg.AssetOut(is_required=False), "b": dg.AssetOut(is_required=False)},
        can_subset=True,
    )
    def m():
        yield dg.Output(1, output_name="a")

    sub = m.subset_for({dg.AssetKey("a")})
    assert sub.keys == {dg.AssetKey("a")}
    assert sub.keys_by_output_name == {"a": dg.AssetKey("a")}
    assert sub.node_keys_by_output_name == m.keys_by_output_name
    assert sub.is_subset
    assert not m.is_subset
    assert list(sub.specs_by_key) == [dg.AssetKey("a")]


def test_subset_of_a_non_subsettable_multi_asset_is_refused():
    @dg.multi_asset(outs={"x": dg.AssetOut(), "y": dg.AssetOut()})
    def m():
        return 1, 2

    with pytest.raises(dg.InvalidSubsetError, match="does not support subsetting"):
        m.subset_for({dg.AssetKey("x")})
    assert m.subset_for({dg.AssetKey("x"), dg.AssetKey("y")}) is m


def test_multi_asset_direct_call():
    @dg.multi_asset(outs={"a": dg.AssetOut(), "b": dg.AssetOut()})
    def m(up):
        return up, up * 2

    assert m(2) == (2, 4)


def test_different_partitions_in_one_definition_are_refused():
    with pytest.raises(dg.InvalidDefinitionError, match="different partitions definitions"):

        @dg.multi_asset(
            specs=[dg.AssetSpec("a", partitions_def="p1"), dg.AssetSpec("b", partitions_def="p2")]
        )
        def m():
            pass
