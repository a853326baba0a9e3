"""Asset checks: specs on assets and `@asset_check` definitions."""

import pytest

import headwater as dg


def test_check_specs_on_an_asset_become_outputs_named_after_asset_and_check():
    @dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="b", blocking=True)])
    def b():
        yield dg.Output(1)
        yield dg.AssetCheckResult(passed=True)

    (spec,) = b.check_specs
    assert spec.key == dg.AssetCheckKey(dg.AssetKey("b"), "positive")
    assert spec.asset_key == dg.AssetKey("b")
    assert spec.blocking is True
    assert b.check_keys == {spec.key}
    assert list(b.check_specs_by_output_name) == ["b_positive"]
    assert b.get_output_name_for_check_key(spec.key) == "b_positive"
    assert "b_positive" in b.op.outs


def test_check_spec_for_another_asset_is_an_error():
    with pytest.raises(dg.InvalidDefinitionError, match="targets other"):

        @dg.asset(check_specs=[dg.AssetCheckSpec("c", asset="other")])
        def b():
            return 1


def test_check_spec_names_are_validated():
    with pytest.raises(dg.InvalidDefinitionError, match='"not ok" is not a valid name'):
        dg.AssetCheckSpec("not ok", asset="a")


def test_asset_check_decorator_builds_a_check_only_definition():
    @dg.asset
    def orders():
        return [1, 2]

    @dg.asset_check(asset=orders, blocking=True, additional_deps=["customers"])
    def orders_not_empty(orders):
        """Orders has rows."""
        return dg.AssetCheckResult(passed=len(orders) > 0)

    assert isinstance(orders_not_empty, dg.AssetChecksDefinition)
    assert isinstance(orders_not_empty, dg.AssetsDefinition)
    assert orders_not_empty.keys == set()
    (spec,) = orders_not_empty.check_specs
    assert spec.key == dg.AssetCheckKey(dg.AssetKey("orders"), "orders_not_empty")
    assert spec.description == "Orders has rows."
    assert [d.asset_key for d in spec.additional_deps] == [dg.AssetKey("customers")]
    assert orders_not_empty.keys_by_input_name == {
        "orders": dg.AssetKey("orders"),
        "customers": dg.AssetKey("customers"),
    }
    assert orders_not_empty([1]).passed is True


def test_asset_check_without_parameters_and_with_a_name():
    @dg.asset_check(asset="a", name="fresh")
    def check():
        return dg.AssetCheckResult(passed=True)

    assert check.check_keys == {dg.AssetCheckKey(dg.AssetKey("a"), "fresh")}
    assert check.dependency_keys == {dg.AssetKey("a")}


def test_check_result_defaults():
    result = dg.AssetCheckResult(passed=False, asset_key="a", check_name="c")
    assert result.severity is dg.AssetCheckSeverity.ERROR
    assert result.asset_key == dg.AssetKey("a")
    assert dg.AssetCheckKey(dg.AssetKey(["a", "b"]), "c").to_user_string() == "a/b:c"


def test_subset_keeps_checks_of_selected_assets():
    @dg.multi_asset(
        outs={"a": dg.AssetOut(is_required=False), "b": dg.AssetOut(is_required=False)},
        check_specs=[dg.AssetCheckSpec("ca", asset="a"), dg.AssetCheckSpec("cb", asset="b")],
        can_subset=True,
    )
    def m():
        pass

    sub = m.subset_for({dg.AssetKey("a")})
    assert sub.check_keys == {dg.AssetCheckKey(dg.AssetKey("a"), "ca")}
    only_checks = m.subset_for(set(), {dg.AssetCheckKey(dg.AssetKey("b"), "cb")})
    assert only_checks.keys == set()
    assert only_checks.check_keys == {dg.AssetCheckKey(dg.AssetKey("b"), "cb")}
