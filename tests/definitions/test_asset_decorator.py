"""`@asset`: keys, inputs, deps, op names, descriptions, groups and errors."""

import pytest

import headwater as dg


def test_bare_and_called_forms_infer_the_key_from_the_function_name():
    @dg.asset
    def bare():
        return 1

    @dg.asset()
    def called():
        return 1

    assert bare.key == dg.AssetKey("bare")
    assert called.key == dg.AssetKey("called")


def test_key_prefix_and_name_build_the_key_and_the_op_name():
    @dg.asset(key_prefix=["p1", "p2"], name="b")
    def whatever():
        return 1

    assert whatever.key == dg.AssetKey(["p1", "p2", "b"])
    assert whatever.op.name == "p1__p2__b"
    assert whatever.node_def.name == "p1__p2__b"


def test_string_key_prefix_is_one_component():
    @dg.asset(key_prefix="raw")
    def orders():
        return 1

    assert orders.key.path == ["raw", "orders"]


def test_key_argument_overrides_everything_and_allows_dashes_and_dots():
    @dg.asset(key=["warehouse", "daily-sales.v2"])
    def f():
        return 1

    assert f.key == dg.AssetKey(["warehouse", "daily-sales.v2"])
    assert f.op.name == "warehouse__daily_sales_v2"


def test_dashed_name_is_allowed_and_made_an_identifier_for_the_op():
    @dg.asset(name="bad-name")
    def f():
        return 1

    assert f.key == dg.AssetKey("bad-name")
    assert f.op.name == "bad_name"


def test_key_with_name_or_prefix_is_an_error():
    message = "Cannot specify a name or key prefix for @asset when the key argument is provided."
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=message):
        dg.asset(key="a", name="b")
    with pytest.raises(dg.InvalidDefinitionError, match=message):
        dg.asset(key="a", key_prefix="p")


@pytest.mark.parametrize("bad", ["x/y", "has space", "tab\tname"])
def test_invalid_key_components_are_rejected(bad):
    with pytest.raises(dg.InvalidDefinitionError, match="is not a valid name"):

        @dg.asset(name=bad)
        def f():
            return 1


def test_invalid_name_message_names_the_value_and_the_regex():
    with pytest.raises(dg.InvalidDefinitionError) as info:

        @dg.asset(name="x/y")
        def f():
            return 1

    assert str(info.value) == '"x/y" is not a valid name. Names must match regex ^[A-Za-z0-9_]+$.'


def test_parameters_are_upstream_assets_without_the_key_prefix():
    @dg.asset(key_prefix="p")
    def b(a):
        return a

    assert b.key == dg.AssetKey(["p", "b"])
    assert b.keys_by_input_name == {"a": dg.AssetKey("a")}
    assert b.asset_deps[b.key] == {dg.AssetKey("a")}
    assert b.dependency_keys == {dg.AssetKey("a")}


def test_asset_in_key_and_key_prefix():
    @dg.asset(ins={"x": dg.AssetIn(key_prefix="p1"), "y": dg.AssetIn(key=["s", "t"])})
    def c(x, y):
        return x, y

    assert c.keys_by_input_name == {"x": dg.AssetKey(["p1", "x"]), "y": dg.AssetKey(["s", "t"])}


def test_asset_in_rejects_key_and_key_prefix_together():
    with pytest.raises(dg.InvalidDefinitionError, match="key or key_prefix, not both"):
        dg.AssetIn(key="a", key_prefix="p")


def test_ins_key_that_is_not_a_parameter_is_an_error():
    with pytest.raises(
        dg.InvalidDefinitionError,
        match="Key 'zz' in provided ins dict does not correspond to any of the names of the "
        "arguments to the decorated function",
    ):

        @dg.asset(ins={"zz": dg.AssetIn()})
        def f(a):
            return a


def test_deps_in_every_form_become_ordering_only_inputs():
    upstream_spec = dg.AssetSpec("from_spec")

    @dg.asset
    def from_def():
        return 1

    @dg.asset(
        deps=[
            "plain",
            dg.AssetKey(["q", "r"]),
            upstream_spec,
            from_def,
            dg.AssetDep("with_dep"),
        ]
    )
    def target():
        return 1

    assert target.keys_by_input_name == {
        "plain": dg.AssetKey("plain"),
        "q__r": dg.AssetKey(["q", "r"]),
        "from_spec": dg.AssetKey("from_spec"),
        "from_def": dg.AssetKey("from_def"),
        "with_dep": dg.AssetKey("with_dep"),
    }
    assert all(i.dagster_type is dg.Nothing for i in target.op.ins.values())
    assert target(), "deps are not parameters, so a direct call takes no arguments"


def test_string_deps_are_not_split_and_a_slash_is_rejected():
    with pytest.raises(dg.InvalidDefinitionError, match='"a/b" is not a valid name'):

        @dg.asset(deps=["a/b"])
        def f():
            return 1


def test_same_key_in_ins_and_deps_is_accepted():
    @dg.asset(deps=["a"])
    def b(a):
        return a

    assert b.keys_by_input_name == {"a": dg.AssetKey("a")}


def test_non_argument_deps_still_works_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="non_argument_deps"):

        @dg.asset(non_argument_deps={"a"})
        def b():
            return 1

    assert b.asset_deps[b.key] == {dg.AssetKey("a")}


def test_description_comes_from_the_cleaned_docstring():
    @dg.asset
    def documented():
        """First line.

        Second paragraph.
        """

    assert documented.descriptions_by_key[documented.key] == "First line.\n\nSecond paragraph."


def test_explicit_description_wins_and_missing_description_is_absent():
    @dg.asset(description="given")
    def a():
        """Docstring."""

    @dg.asset
    def b():
        return 1

    assert a.descriptions_by_key == {a.key: "given"}
    assert b.descriptions_by_key == {}


def test_group_defaults_to_default_and_can_be_nested():
    @dg.asset
    def a():
        return 1

    @dg.asset(group_name="marketing/paid")
    def b():
        return 1

    assert a.group_names_by_key == {a.key: "default"}
    assert b.get_asset_spec().group_name == "marketing/paid"


@pytest.mark.parametrize("bad", ["bad group", "a//b", "x-y"])
def test_invalid_group_names_are_rejected(bad):
    with pytest.raises(dg.InvalidDefinitionError, match="is not a valid asset group name"):
        dg.asset(group_name=bad)


def test_spec_attributes_are_recorded():
    policy = dg.BackfillPolicy.single_run()
    retry = dg.RetryPolicy(max_retries=2)

    @dg.asset(
        metadata={"owner_note": "x"},
        tags={"tier": "gold"},
        owners=["a@example.com", "team:data"],
        kinds={"python"},
        code_version="3",
        op_tags={"limit": 1},
        retry_policy=retry,
        backfill_policy=policy,
        io_manager_key="warehouse",
        required_resource_keys={"slack"},
    )
    def a():
        return 1

    spec = a.get_asset_spec()
    assert spec.metadata == {"owner_note": "x"}
    assert spec.tags == {"tier": "gold"}
    assert spec.owners == ("a@example.com", "team:data")
    assert spec.kinds == {"python"}
    assert a.code_versions_by_key == {a.key: "3"}
    assert a.op_tags == {"limit": 1}
    assert a.retry_policy is retry
    assert a.backfill_policy is policy
    assert a.io_manager_key_for_asset_key(a.key) == "warehouse"
    assert a.required_resource_keys == {"slack", "warehouse"}


def test_compute_kind_becomes_a_kind():
    @dg.asset(compute_kind="pandas")
    def a():
        return 1

    assert a.get_asset_spec().kinds == {"pandas"}


def test_invalid_owner_and_too_many_kinds_are_rejected():
    with pytest.raises(dg.InvalidDefinitionError, match="Invalid owner 'bob'"):
        dg.asset(owners=["bob"])
    with pytest.raises(dg.InvalidDefinitionError, match="at most 3 kinds"):
        dg.asset(kinds={"a", "b", "c", "d"})


def test_default_output_is_required_and_uses_the_default_io_manager():
    @dg.asset
    def a():
        return 1

    assert a.output_required is True
    assert a.io_manager_key_for_asset_key(a.key) == "io_manager"
    assert a.required_resource_keys == {"io_manager"}


def test_output_required_false_is_recorded():
    @dg.asset(output_required=False)
    def a():
        return 1

    assert a.output_required is False
    assert a.get_asset_spec().skippable is True


def test_none_return_annotation_makes_a_nothing_output_without_io_manager():
    @dg.asset
    def a() -> None:
        return None

    assert a.op.outs["result"].dagster_type is dg.Nothing
    assert a.required_resource_keys == set()


def test_opaque_partitions_and_automation_are_stored_as_given():
    partitions = object()
    condition = object()

    @dg.asset(partitions_def=partitions, automation_condition=condition)
    def a():
        return 1

    assert a.partitions_def is partitions
    assert a.get_asset_spec().partitions_def is partitions
    assert a.automation_conditions_by_key == {a.key: condition}


def test_partition_mappings_from_ins_and_deps():
    mapping_in, mapping_dep = object(), object()

    @dg.asset(
        ins={"a": dg.AssetIn(partition_mapping=mapping_in)},
        deps=[dg.AssetDep("b", partition_mapping=mapping_dep)],
    )
    def c(a):
        return a

    assert c.get_partition_mapping("a") is mapping_in
    assert c.get_partition_mapping(dg.AssetKey("b")) is mapping_dep
    assert c.get_asset_spec().deps[1].partition_mapping is mapping_dep


def test_module_of_the_function_is_recorded():
    @dg.asset
    def a():
        return 1

    assert a.source_module == __name__
