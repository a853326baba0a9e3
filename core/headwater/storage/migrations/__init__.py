"""Alembic migration scripts for the headwater schema (run through `headwater.storage.migrate`)."""
