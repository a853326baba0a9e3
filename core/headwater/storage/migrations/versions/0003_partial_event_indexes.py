"""Index only events about an asset by key and by type (partial indexes).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_KEY_TYPE = ("ix_events_asset_key_type_id", ["asset_key", "event_type", "id"])
_TYPE = ("ix_events_type_id", ["event_type", "id"])


def upgrade() -> None:
    about_an_asset = sa.text("asset_key IS NOT NULL")
    for name, columns in (_KEY_TYPE, _TYPE):
        op.drop_index(name, table_name="events")
        op.create_index(
            name,
            "events",
            columns,
            unique=False,
            sqlite_where=about_an_asset,
            postgresql_where=about_an_asset,
        )


def downgrade() -> None:
    for name, columns in (_KEY_TYPE, _TYPE):
        op.drop_index(name, table_name="events")
        op.create_index(name, "events", columns, unique=False)
