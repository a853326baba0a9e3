"""Storage: the SQL schema, its migrations and the SQL storage used by every backend.

Importing this package is cheap; SQLAlchemy and alembic are imported by the submodules that
need them (`schema`, `engine`, `sql`, `migrate`), which ``import headwater`` never loads.
"""
