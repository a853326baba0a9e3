"""Key/value pairs and dynamic partition keys (mixed into `SqlStorage`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from headwater.storage import schema

if TYPE_CHECKING:
    from headwater.storage.engine import Database


class KeyValueStore:
    """Needs ``self._db`` (a `Database`) and ``self._upsert`` (the dialect's upsert builder)."""

    _db: Database
    _upsert: Callable[..., Any]

    def get_kv(self, keys: Iterable[str]) -> dict[str, str]:
        """The stored values of ``keys`` (missing keys are left out)."""
        query = sa.select(schema.kv.c.key, schema.kv.c.value).where(schema.kv.c.key.in_(list(keys)))
        with self._db.read() as conn:
            return {row.key: row.value for row in conn.execute(query)}

    def set_kv(self, values: Mapping[str, str]) -> None:
        """Store ``values`` (replacing existing keys) in one transaction."""
        if not values:
            return
        statement = self._upsert(
            schema.kv, ["key"], {"key": sa.bindparam("k"), "value": sa.bindparam("v")}, None
        )
        with self._db.write() as conn:
            conn.execute(statement, [{"k": k, "v": v} for k, v in values.items()])

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        """The keys added to a dynamic partitions definition, in the order they were added."""
        table = schema.dynamic_partitions
        query = (
            sa.select(table.c.partition)
            .where(table.c.partitions_def_name == partitions_def_name)
            .order_by(table.c.id)
        )
        with self._db.read() as conn:
            return list(conn.execute(query).scalars())

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        """Whether ``partition_key`` was added to the named dynamic partitions definition."""
        table = schema.dynamic_partitions
        query = sa.select(table.c.id).where(
            table.c.partitions_def_name == partitions_def_name,
            table.c.partition == partition_key,
        )
        with self._db.read() as conn:
            return conn.execute(query).first() is not None

    def add_dynamic_partitions(
        self, partitions_def_name: str, partition_keys: Sequence[str]
    ) -> None:
        """Add keys to a dynamic partitions definition; keys already there are kept once."""
        table = schema.dynamic_partitions
        with self._db.write() as conn:
            existing = set(
                conn.execute(
                    sa.select(table.c.partition).where(
                        table.c.partitions_def_name == partitions_def_name
                    )
                ).scalars()
            )
            new = [key for key in dict.fromkeys(partition_keys) if key not in existing]
            if new:
                now = time.time()
                conn.execute(
                    table.insert(),
                    [
                        {
                            "partitions_def_name": partitions_def_name,
                            "partition": key,
                            "create_timestamp": now,
                        }
                        for key in new
                    ],
                )

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        """Remove one key from a dynamic partitions definition."""
        table = schema.dynamic_partitions
        with self._db.write() as conn:
            conn.execute(
                table.delete().where(
                    table.c.partitions_def_name == partitions_def_name,
                    table.c.partition == partition_key,
                )
            )
