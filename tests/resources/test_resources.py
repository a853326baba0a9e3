"""Resources: ConfigurableResource, ResourceDefinition, EnvVar and build_resources."""

import pytest

import headwater as dg
from headwater.resources import missing_resource_keys, raise_for_missing_resources


class Database(dg.ConfigurableResource):
    url: str
    pool: int = 2

    def setup_for_execution(self, context):
        self._events = [*getattr(self, "_events", []), "setup"]
        EVENTS.append(f"setup {self.url}")

    def teardown_after_execution(self, context):
        EVENTS.append(f"teardown {self.url}")


class Client(dg.ConfigurableResource):
    db: Database
    name: str = "client"

    def setup_for_execution(self, context):
        EVENTS.append(f"setup client sees {self.db.url}")

    def teardown_after_execution(self, context):
        EVENTS.append("teardown client")


EVENTS: list[str] = []


@pytest.fixture(autouse=True)
def _clear_events():
    EVENTS.clear()


def test_marker_attribute():
    assert Database._headwater_resource is True
    assert not getattr(Database, "_headwater_config", False)


def test_dependencies_initialise_first_and_tear_down_last():
    db = Database(url="sqlite://")
    with dg.build_resources({"client": Client(db=db), "db": db}) as res:
        assert res.client.db is res.db
        assert EVENTS == ["setup sqlite://", "setup client sees sqlite://"]
    assert EVENTS[2:] == ["teardown client", "teardown sqlite://"]


def test_nested_resource_not_at_top_level_is_initialised_inline():
    with dg.build_resources({"client": Client(db=Database(url="x"))}) as res:
        assert res.client.db.url == "x"
    assert EVENTS == ["setup x", "setup client sees x", "teardown client", "teardown x"]


def test_env_var_resolved_at_initialisation_and_never_shown(monkeypatch):
    monkeypatch.setenv("HW_TEST_DB_URL", "postgres://secret@host")
    monkeypatch.setenv("HW_TEST_POOL", "7")
    db = Database(url=dg.EnvVar("HW_TEST_DB_URL"), pool=dg.EnvVar.int("HW_TEST_POOL"))
    assert db.url == "HW_TEST_DB_URL"
    assert "secret" not in repr(db)
    with dg.build_resources({"db": db}) as res:
        assert res.db.url == "postgres://secret@host"
        assert res.db.pool == 7
        for shown in (
            repr(res.db),
            str(res.db),
            repr(res.db.get_resource_context().resource_config),
        ):
            assert "secret" not in shown
            assert "EnvVar('HW_TEST_DB_URL')" in shown or "HW_TEST_DB_URL" in shown
    run_config = dg.RunConfig(resources={"db": db}).to_config_dict()
    assert run_config["resources"]["db"]["config"]["url"] == {"env": "HW_TEST_DB_URL"}


def test_unset_env_var_names_variable_and_path(monkeypatch):
    monkeypatch.delenv("HW_TEST_MISSING", raising=False)
    with (
        pytest.raises(
            dg.InvalidConfigError,
            match=r"\$\.resources\.db\.config\.url: "
            r"environment variable 'HW_TEST_MISSING' is not set",
        ),
        dg.build_resources({"db": Database(url=dg.EnvVar("HW_TEST_MISSING"))}),
    ):
        pass


def test_env_var_in_run_config(monkeypatch):
    monkeypatch.setenv("HW_TEST_URL2", "from-env")
    config = {"db": {"config": {"url": {"env": "HW_TEST_URL2"}}}}
    with dg.build_resources({"db": Database(url="default")}, resource_config=config) as res:
        assert res.db.url == "from-env"


def test_run_config_overrides_python_values_and_is_checked():
    run_config = {"resources": {"db": {"config": {"pool": 9}}}}
    with dg.build_resources({"db": Database(url="u")}, run_config=run_config) as res:
        assert (res.db.url, res.db.pool) == ("u", 9)
    bad = {"resources": {"db": {"config": {"pol": 9}}}}
    with (
        pytest.raises(
            dg.InvalidConfigError,
            match=r"\$\.resources\.db\.config: unknown field 'pol'; did you mean 'pool'\? "
            r"Allowed fields: url, pool\.",
        ),
        dg.build_resources({"db": Database(url="u")}, run_config=bad),
    ):
        pass


def test_init_failure_names_the_resource_key():
    class Broken(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            raise ConnectionError("refused")

    with (
        pytest.raises(
            dg.ResourceFunctionError, match="resource 'warehouse': ConnectionError: refused"
        ),
        dg.build_resources({"ok": Database(url="u"), "warehouse": Broken()}),
    ):
        pass
    assert EVENTS == ["setup u", "teardown u"]


def test_function_resources_with_config_dependencies_and_teardown():
    @dg.resource(config_schema={"greeting": str})
    def greeter(init_context):
        EVENTS.append("open")
        yield f"{init_context.resource_config['greeting']} {init_context.resources.name}"
        EVENTS.append("close")

    resources = {"greeter": greeter, "name": "world"}
    greeter_needs_name = dg.ResourceDefinition(
        greeter.resource_fn, config_schema={"greeting": str}, required_resource_keys={"name"}
    )
    resources["greeter"] = greeter_needs_name
    config = {"greeter": {"config": {"greeting": "hi"}}}
    with dg.build_resources(resources, resource_config=config) as res:
        assert res.greeter == "hi world"
        assert EVENTS == ["open"]
    assert EVENTS == ["open", "close"]


def test_missing_required_resource_message():
    needs = dg.ResourceDefinition(lambda ctx: 1, required_resource_keys={"foo"})
    with (
        pytest.raises(
            dg.InvalidDefinitionError,
            match=r"resource with key 'foo' required by resource 'r' was not provided",
        ),
        dg.build_resources({"r": needs}),
    ):
        pass


def test_missing_resource_helpers_give_reference_message():
    assert missing_resource_keys({"foo", "io_manager"}, ["io_manager"]) == ["foo"]
    with pytest.raises(dg.InvalidDefinitionError) as info:
        raise_for_missing_resources({"f": ["foo"]}, ["io_manager"])
    assert str(info.value) == (
        "resource with key 'foo' required by op 'f' was not provided. Please provide a resource "
        "to key 'foo', or change the required key to one of the following keys which points to "
        "a resource: ['io_manager']"
    )


def test_plain_objects_hardcoded_and_builtin_definitions():
    with dg.build_resources(
        {
            "plain": {"a": 1},
            "fixed": dg.ResourceDefinition.hardcoded_resource(3),
            "nothing": dg.ResourceDefinition.none_resource(),
        }
    ) as res:
        assert res.plain == {"a": 1}
        assert res.fixed == 3
        assert res.nothing is None


def test_direct_invocation_with_init_context():
    @dg.resource(config_schema={"n": int})
    def doubled(init_context):
        return init_context.resource_config["n"] * 2

    assert doubled(dg.build_init_resource_context(config={"n": 4})) == 8

    @dg.resource
    def no_context():
        return "plain"

    assert no_context() == "plain"


def test_resource_factory_creates_value():
    class Connection(dg.ConfigurableResourceFactory[str]):
        host: str

        def create_resource(self, context):
            return f"conn to {self.host}"

    with dg.build_resources({"conn": Connection(host="h")}) as res:
        assert res.conn == "conn to h"


def test_private_attributes_can_be_set_but_fields_cannot():
    db = Database(url="u")
    db._client = object()
    with pytest.raises(AttributeError, match=r"Database\.url is a config field"):
        db.url = "v"


def test_resource_field_types_are_checked():
    with pytest.raises(dg.InvalidConfigError, match=r"Client\.db: expected Database, got 'x'"):
        Client(db="x")


def test_resource_and_io_manager_decorators_take_the_docstring_bare_or_called():
    @dg.resource
    def bare(_context):
        """Bare resource."""

    @dg.resource(version="1")
    def called(_context):
        """Called resource."""

    @dg.io_manager
    def bare_io(_context):
        """Bare IO manager."""

    assert (bare.description, called.description, called.version) == (
        "Bare resource.",
        "Called resource.",
        "1",
    )
    assert isinstance(bare_io, dg.IOManagerDefinition)
    assert bare_io.description == "Bare IO manager."
