"""Calling assets and ops directly, and the parameters they receive."""

import pytest

import headwater as dg


def test_direct_call_passes_upstream_values_positionally_and_by_name():
    @dg.asset
    def total(a, b):
        return a + b

    assert total(1, 2) == 3
    assert total(1, b=5) == 6


def test_direct_call_returns_the_raw_result():
    @dg.asset
    def a():
        return dg.MaterializeResult(metadata={"rows": 3})

    assert a() == dg.MaterializeResult(metadata={"rows": 3})


def test_context_parameter_takes_the_first_positional_argument():
    class FakeContext:  # any object can be the context of a direct call
        resources = None

    seen = []

    @dg.asset
    def a(context, up):
        seen.append(context)
        return up

    ctx = FakeContext()
    assert a(ctx, 4) == 4
    assert seen == [ctx]


def test_missing_context_or_input_is_an_invocation_error():
    @dg.asset
    def a(context, up):
        return up

    @dg.asset
    def b(up):
        return up

    with pytest.raises(dg.InvalidInvocationError, match="context"):
        a()
    with pytest.raises(dg.InvalidInvocationError, match="No value provided for input 'up'"):
        b()
    with pytest.raises(dg.InvalidInvocationError, match="unexpected argument"):
        b(1, nope=2)


def test_default_values_of_inputs_are_used():
    @dg.asset
    def a(up=10):
        return up

    assert a() == 10


def test_context_detected_by_annotation_name():
    class AssetExecutionContext:
        pass

    @dg.asset
    def a(ctx: AssetExecutionContext, up):
        return up

    assert a.op.signature.context_param == "ctx"
    assert a.keys_by_input_name == {"up": dg.AssetKey("up")}


def test_invoke_seam_used_by_the_engine():
    @dg.asset
    def a(context, up):
        return (context, up)

    assert a._invoke("ctx", {"up": 1}) == ("ctx", 1)


def test_op_decorator_and_direct_call():
    @dg.op(out=dg.Out(io_manager_key="m"), tags={"t": "1"})
    def add_one(x):
        """Adds one."""
        return x + 1

    assert isinstance(add_one, dg.OpDefinition)
    assert add_one.name == "add_one"
    assert add_one.description == "Adds one."
    assert set(add_one.ins) == {"x"}
    assert add_one.outs["result"].io_manager_key == "m"
    assert add_one(1) == 2


def test_op_name_must_be_valid_and_not_reserved():
    with pytest.raises(dg.InvalidDefinitionError, match='"bad name" is not a valid name'):
        dg.op(name="bad name")(lambda: 1)
    with pytest.raises(dg.InvalidDefinitionError, match="reserved"):
        dg.op(name="context")(lambda: 1)


def test_from_op_wraps_an_existing_op():
    @dg.op(out={"x": dg.Out(), "y": dg.Out()})
    def split(upstream):
        return 1, 2

    assets = dg.AssetsDefinition.from_op(
        split,
        keys_by_input_name={"upstream": dg.AssetKey(["raw", "up"])},
        key_prefix="p",
        group_name="g",
        internal_asset_deps={"y": set()},
    )
    assert assets.keys == {dg.AssetKey(["p", "x"]), dg.AssetKey(["p", "y"])}
    assert assets.asset_deps[dg.AssetKey(["p", "x"])] == {dg.AssetKey(["raw", "up"])}
    assert assets.asset_deps[dg.AssetKey(["p", "y"])] == set()
    assert set(assets.group_names_by_key.values()) == {"g"}
