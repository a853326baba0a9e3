"""SQLite storage: the conformance suite on a file and in memory, plus SQLite specifics."""

from __future__ import annotations

import pickle
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

import headwater as dg
from headwater.testing.storage_suite import StorageSuite, log_line, materialization


class TestSqliteFileStorage(StorageSuite):
    __test__ = True

    @pytest.fixture
    def instance(self, tmp_path):
        with dg.Instance.local_temp(tmp_path / "home") as instance:
            yield instance

    def reopen(self, instance):
        return dg.Instance.from_directory(instance.root_directory)


class TestSqliteEphemeralStorage(StorageSuite):
    __test__ = True

    @pytest.fixture
    def instance(self):
        with dg.Instance.ephemeral() as instance:
            yield instance


def test_get_uses_headwater_home(headwater_home):
    with dg.Instance.get() as instance:
        assert instance.root_directory == str(headwater_home.resolve())
        assert instance.storage_directory() == str(headwater_home.resolve() / "storage")
        instance.create_run("job", run_id="persisted")
    assert (headwater_home / "headwater.db").is_file()
    with dg.Instance.get() as again:
        assert again.has_run("persisted")


def test_default_home_is_dot_headwater(tmp_path, monkeypatch):
    monkeypatch.delenv("HEADWATER_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    with dg.DagsterInstance.get() as instance:
        assert instance.root_directory == str((tmp_path / ".headwater").resolve())
        # The database is opened (and created) on first use, not by get().
        assert not (tmp_path / ".headwater" / "headwater.db").exists()
        assert instance.get_runs() == []
    assert (tmp_path / ".headwater" / "headwater.db").is_file()


def test_home_that_is_a_file(tmp_path, monkeypatch):
    home = tmp_path / "file"
    home.write_text("")
    monkeypatch.setenv("HEADWATER_HOME", str(home))
    with pytest.raises(dg.HomeNotSetError, match="is a file, not a directory"):
        dg.Instance.get()


def test_database_uses_wal_and_busy_timeout(headwater_home):
    with dg.Instance.get() as instance, instance.storage.database.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_relative_sqlite_url_is_inside_home(headwater_home):
    (headwater_home / "headwater.toml").write_text('[storage]\nurl = "sqlite:///db/events.db"\n')
    with dg.Instance.get() as instance:
        instance.create_run("job")
    assert (headwater_home / "db" / "events.db").is_file()


def test_settings_are_read(headwater_home):
    (headwater_home / "headwater.toml").write_text(
        'io_manager = "memory"\nexecutor = "multiprocess"\n[plugins.alerts]\nchannel = "#data"\n'
    )
    with dg.Instance.get() as instance:
        assert instance.settings.io_manager == "memory"
        assert instance.settings.executor == "multiprocess"
        assert instance.settings.plugins == {"alerts": {"channel": "#data"}}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[storage]\nurl = 5\n", r"\$\.storage\.url must be a string, got 5"),
        (
            '[storage]\nurll = "sqlite://"\n',
            r"unknown setting \$\.storage\.urll; did you mean 'url'",
        ),
        ('io_manger = "fs"\n', r"unknown setting \$\.io_manger; did you mean 'io_manager'"),
        ('storage = "sqlite"\n', r"\$\.storage must be a table"),
        ('[storage]\nurl = "headwater.db"\n', r"\$\.storage\.url must be a database URL"),
        ("[storage\n", "is not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(headwater_home, toml, message):
    (headwater_home / "headwater.toml").write_text(toml)
    with pytest.raises(dg.InvalidConfigError, match=message) as raised:
        dg.Instance.get()
    assert "headwater.toml" in str(raised.value)


def test_unknown_url_scheme(headwater_home):
    (headwater_home / "headwater.toml").write_text('[storage]\nurl = "sqlit:///x.db"\n')
    with pytest.raises(dg.PluginNotFoundError, match=r"scheme 'sqlit'.*did you mean 'sqlite'"):
        dg.Instance.get()


def test_newer_database_is_refused(headwater_home):
    with dg.Instance.get() as instance:
        instance.get_runs()
    with closing(sqlite3.connect(headwater_home / "headwater.db")) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(dg.MigrationError, match=r"revision '9999'.*upgrade headwater"):
        dg.Instance.get().get_runs()


def test_unstamped_headwater_tables_are_refused(headwater_home):
    with dg.Instance.get() as instance:
        instance.get_runs()
    with closing(sqlite3.connect(headwater_home / "headwater.db")) as conn, conn:
        conn.execute("DROP TABLE alembic_version")
    with pytest.raises(dg.MigrationError, match="no schema revision"):
        dg.Instance.get().get_runs()


def test_migrations_build_the_same_schema_as_the_model(tmp_path):
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from headwater.storage import migrate, schema

    assert migrate.head_revision() == schema.HEAD_REVISION
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    with engine.begin() as conn:
        migrate.upgrade(conn)
        assert migrate.current_revision(conn) == schema.HEAD_REVISION
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
    engine.dispose()
    # compare_metadata ignores partial index conditions: compare the stored DDL too.
    with dg.Instance.local_temp(tmp_path / "home") as instance:
        instance.create_run("job")  # opens (and creates) the database
        created = _schema_sql(Path(instance.root_directory) / "headwater.db")
    assert _schema_sql(tmp_path / "migrated.db") == created


def _schema_sql(path) -> dict[str, str]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master"
            " WHERE sql IS NOT NULL AND name != 'alembic_version'"
        ).fetchall()
    return dict(rows)


def test_upgrade_from_empty_database_then_open(headwater_home):
    import sqlalchemy as sa

    from headwater.storage import migrate

    engine = sa.create_engine(f"sqlite:///{headwater_home / 'headwater.db'}")
    with engine.begin() as conn:
        migrate.upgrade(conn, "head")
    engine.dispose()
    with dg.Instance.get() as instance:
        assert instance.upgrade() == (migrate.head_revision(), migrate.head_revision())
        instance.create_run("job")


def test_handle_event_hook_sees_committed_events():
    from headwater._plugins import get_plugin_manager

    seen = []

    class Recorder:
        @dg.hookimpl
        def handle_event(self, event, instance):
            assert instance.get_latest_materialization_event(dg.AssetKey("a")) is not None
            seen.append(event)

    manager = get_plugin_manager()
    recorder = Recorder()
    manager.register(recorder, name="test-recorder")
    try:
        with dg.Instance.ephemeral() as instance:
            instance.report_runless_asset_event(dg.AssetMaterialization("a"))
    finally:
        manager.unregister(recorder)
    assert [e.asset_materialization.asset_key for e in seen] == [dg.AssetKey("a")]


def test_ephemeral_storage_is_shared_across_threads():
    with dg.Instance.ephemeral() as instance:
        run = instance.create_run("job")

        def write(n):
            instance.store_events([log_line(run.run_id, f"{n}-{i}") for i in range(20)])

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(instance.all_logs(run.run_id)) == 80


def test_events_and_runs_pickle():
    entry = materialization("r", "a", "p1", **{"dagster/data_version": "1"})
    assert pickle.loads(pickle.dumps(entry)) == entry
    run = dg.DagsterRun("job", "r", tags={"a": "b"}, asset_selection=[dg.AssetKey("a")])
    assert pickle.loads(pickle.dumps(run)) == run


def test_event_type_values_keep_reference_names():
    assert dg.DagsterEventType.RUN_START.value == "PIPELINE_START"
    assert dg.DagsterEventType.RUN_SUCCESS.value == "PIPELINE_SUCCESS"
    assert dg.DagsterEventType.RUN_FAILURE.value == "PIPELINE_FAILURE"
    assert dg.HeadwaterEventType is dg.DagsterEventType
    assert dg.DagsterEventType("STEP_SUCCESS") is dg.DagsterEventType.STEP_SUCCESS


def test_local_temp_cleans_up_its_directory():
    instance = dg.Instance.local_temp()
    root = instance.root_directory
    instance.dispose()
    import os

    assert not os.path.exists(root)


def test_dropped_temporary_instances_remove_their_directories():
    import gc
    import os

    @dg.asset
    def number():
        return 1

    result = dg.materialize([number])  # records in an ephemeral instance of its own
    roots = [result.instance.root_directory, dg.Instance.ephemeral().root_directory]
    roots.append(dg.Instance.local_temp().root_directory)
    assert result.asset_value("number") == 1
    del result
    gc.collect()
    assert [root for root in roots if os.path.exists(root)] == []
