"""`Definitions`: normalisation, duplicate detection, merge, source assets."""

import pytest

import headwater as dg


def make(name, group=None):
    @dg.asset(name=name, group_name=group)
    def _fn():
        return 1

    return _fn


def test_building_definitions_does_no_validation_until_asked():
    a1, a2 = make("x"), make("x")
    defs = dg.Definitions(assets=[a1, a2])
    with pytest.raises(
        dg.DuplicateDefinitionError, match=r"Duplicate asset key: AssetKey\(\['x'\]\)"
    ):
        dg.Definitions.validate_loadable(defs)


def test_duplicate_key_error_names_the_modules():
    defs = dg.Definitions(assets=[make("x"), make("x")])
    with pytest.raises(dg.InvalidDefinitionError) as info:
        defs._normalized_assets()
    assert str(info.value).count(f"module '{__name__}'") == 2


def test_the_same_definition_twice_is_not_a_duplicate():
    a = make("x")
    assert len(dg.Definitions(assets=[a, a])._normalized_assets()) == 1


def test_specs_become_external_assets_and_identical_duplicates_collapse():
    defs = dg.Definitions(
        assets=[dg.AssetSpec("ext", deps=["up"]), dg.AssetSpec("ext", deps=["up"])]
    )
    (external,) = defs._normalized_assets()
    assert external.keys == {dg.AssetKey("ext")}
    assert external.is_external
    assert not external.is_materializable
    assert not external.is_executable
    assert not external.is_observable
    assert external.specs_by_key[dg.AssetKey("ext")].group_name == "default"
    assert external.asset_deps[dg.AssetKey("ext")] == {dg.AssetKey("up")}


def test_conflicting_specs_are_an_error():
    defs = dg.Definitions(assets=[dg.AssetSpec("ext"), dg.AssetSpec("ext", description="other")])
    with pytest.raises(
        dg.InvalidDefinitionError, match="Received conflicting AssetSpecs with the same key: ext"
    ):
        defs.get_all_asset_specs()


def test_spec_and_asset_with_the_same_key_are_duplicates():
    defs = dg.Definitions(assets=[make("x"), dg.AssetSpec("x")])
    with pytest.raises(dg.DuplicateDefinitionError, match="Duplicate asset key"):
        defs._normalized_assets()


def test_source_asset_is_deprecated_and_external():
    with pytest.warns(DeprecationWarning, match="use AssetSpec"):
        source = dg.SourceAsset("raw", io_manager_key="warehouse", metadata={"m": 1})
    assert not source.is_observable
    (external,) = dg.Definitions(assets=[source])._normalized_assets()
    assert external.is_external
    assert not external.is_executable
    assert external.io_manager_key_for_asset_key(dg.AssetKey("raw")) == "warehouse"
    with pytest.raises(dg.InvalidDefinitionError, match="has no observe_fn"):
        source.op  # noqa: B018 - the property access is the test


def test_source_asset_and_asset_with_the_same_key_are_duplicates():
    with pytest.warns(DeprecationWarning, match="use AssetSpec"):
        source = dg.SourceAsset("x")
    defs = dg.Definitions(assets=[source, make("x")])
    with pytest.raises(
        dg.DuplicateDefinitionError, match=r"Duplicate asset key: AssetKey\(\['x'\]\)"
    ):
        defs._normalized_assets()


def test_observable_source_asset_is_an_observable_external_asset():
    @dg.observable_source_asset(group_name="raw")
    def feed():
        return dg.DataVersion("1")

    assert isinstance(feed, dg.SourceAsset)
    assert feed.is_observable
    assert feed.op.name == "feed"
    (observable,) = dg.Definitions(assets=[feed])._normalized_assets()
    assert observable.is_observable
    assert observable.is_executable
    assert observable.is_external
    assert observable.group_names_by_key == {dg.AssetKey("feed"): "raw"}


def test_to_source_asset_copies_the_io_manager():
    @dg.asset(io_manager_key="warehouse", metadata={"m": 1})
    def a():
        return 1

    source = a.to_source_asset()
    assert isinstance(source, dg.SourceAsset)
    assert (source.key, source.io_manager_key, source.metadata) == (a.key, "warehouse", {"m": 1})
    assert [s.key for s in a.to_source_assets()] == [a.key]


def test_asset_checks_are_included_in_normalised_assets():
    @dg.asset_check(asset="x")
    def c():
        return dg.AssetCheckResult(passed=True)

    defs = dg.Definitions(assets=[make("x")], asset_checks=[c])
    normalized = defs._normalized_assets()
    assert c in normalized
    assert [s.key for s in defs.get_all_asset_specs()] == [dg.AssetKey("x")]


def test_get_assets_def_and_unknown_key():
    a = make("alpha")
    defs = dg.Definitions(assets=[a])
    assert defs.get_assets_def("alpha") is a
    with pytest.raises(dg.InvalidDefinitionError, match="did you mean 'alpha'"):
        defs.get_assets_def("alpah")


def test_wrong_object_in_assets_is_a_clear_error():
    with pytest.raises(dg.InvalidDefinitionError, match="Definitions got 3"):
        dg.Definitions(assets=[3])._normalized_assets()


class NamedThing:
    def __init__(self, name):
        self.name = name


def test_duplicate_schedule_or_sensor_names_are_an_error():
    defs = dg.Definitions(schedules=[NamedThing("s")], sensors=[NamedThing("s")])
    with pytest.raises(dg.DuplicateDefinitionError, match="Duplicate definition found for s"):
        dg.Definitions.validate_loadable(defs)


def test_duplicate_job_names_are_an_error():
    defs = dg.Definitions(jobs=[NamedThing("j"), NamedThing("j")])
    with pytest.raises(dg.DuplicateDefinitionError, match="Duplicate definition found for j"):
        defs.resolve_all_job_defs()


def test_merge_concatenates_and_checks_resources():
    shared = object()
    a, b = make("a"), make("b")
    merged = dg.Definitions.merge(
        dg.Definitions(assets=[a], resources={"r": shared}, metadata={"team": "x"}),
        dg.Definitions(assets=[b], resources={"r": shared, "s": 1}),
    )
    assert merged.assets == (a, b)
    assert merged.resources == {"r": shared, "s": 1}
    assert merged.metadata == {"team": "x"}
    with pytest.raises(dg.InvalidDefinitionError, match="resource 'r' is given different values"):
        dg.Definitions.merge(
            dg.Definitions(resources={"r": object()}), dg.Definitions(resources={"r": object()})
        )
    with pytest.raises(dg.InvalidDefinitionError, match="different executors"):
        dg.Definitions.merge(dg.Definitions(executor=object()), dg.Definitions(executor=object()))


def test_with_attributes_renames_keys_and_sets_groups():
    @dg.asset
    def b(a):
        return a

    renamed = b.with_attributes(
        asset_key_replacements={
            dg.AssetKey("b"): dg.AssetKey(["p", "b"]),
            dg.AssetKey("a"): dg.AssetKey(["p", "a"]),
        },
        group_names_by_key={dg.AssetKey("b"): "g"},
    )
    assert renamed.keys == {dg.AssetKey(["p", "b"])}
    assert renamed.keys_by_input_name == {"a": dg.AssetKey(["p", "a"])}
    assert renamed.asset_deps == {dg.AssetKey(["p", "b"]): {dg.AssetKey(["p", "a"])}}
    assert b.group_names_by_key == {dg.AssetKey("b"): "default"}
    assert renamed.group_names_by_key == {dg.AssetKey(["p", "b"]): "g"}


def test_with_attributes_group_is_applied_and_conflicting_groups_are_refused():
    plain, grouped = make("p"), make("q", group="mine")
    assert plain.with_attributes(group_names_by_key={plain.key: "g"}).group_names_by_key == {
        plain.key: "g"
    }
    with pytest.raises(dg.InvalidDefinitionError, match="already has group 'mine'"):
        grouped.with_attributes(group_names_by_key={grouped.key: "other"})


def test_map_asset_specs_and_with_resources():
    a = make("a")
    tagged = a.map_asset_specs(lambda s: s.replace_attributes(tags={"t": "1"}))
    assert tagged.tags_by_key == {a.key: {"t": "1"}}
    with pytest.raises(dg.InvalidDefinitionError, match="cannot change asset keys"):
        a.map_asset_specs(lambda s: s.replace_attributes(key="other"))
    bound = a.with_resources({"r": 1}).with_resources({"r": 2, "s": 3})
    assert bound.resource_defs == {"r": 1, "s": 3}


def test_jobs_resolve_through_definitions():
    @dg.asset
    def a():
        return 1

    @dg.asset
    def b(a):
        return a

    defs = dg.Definitions(assets=[a, b], jobs=[dg.define_asset_job("only_b", selection=[b])])
    dg.Definitions.validate_loadable(defs)
    assert defs.get_job_def("only_b").name == "only_b"
    assert [j.name for j in defs.resolve_all_job_defs()] == ["only_b"]
    assert defs.get_implicit_global_asset_job_def().name == "__ASSET_JOB"
    assert defs.resolve_asset_graph() is defs.resolve_asset_graph()
    with pytest.raises(
        dg.InvalidDefinitionError, match=r"No job named 'only_c'.*did you mean 'only_b'"
    ):
        defs.resolve_job_def("only_c")


def test_a_one_part_dependency_resolves_to_the_only_asset_of_that_name_in_its_group():
    @dg.asset(key_prefix="raw")
    def orders():
        return 1

    @dg.asset
    def cleaned(orders):
        return orders + 1

    @dg.asset(key_prefix="stg", name="orders", group_name="staging")
    def staged_orders():
        return 10

    # raw/orders is the only "orders" in cleaned's (default) group; stg/orders is elsewhere.
    assert dg.materialize_to_memory([orders, cleaned, staged_orders]).asset_value("cleaned") == 2

    @dg.asset(key_prefix="other", name="orders")
    def other_orders():
        return 5

    with pytest.raises(
        dg.InvalidDefinitionError, match=r"Assets with that name: other/orders, raw/orders"
    ):
        dg.materialize_to_memory([orders, other_orders, cleaned])
