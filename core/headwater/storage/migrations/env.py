"""Alembic environment: runs migrations on the connection headwater hands over.

headwater calls alembic programmatically with ``config.attributes["connection"]`` set; the
``alembic`` command line (with ``alembic.ini`` here and ``-x url=...``) works for developers
writing a new revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from headwater.storage.schema import metadata

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
