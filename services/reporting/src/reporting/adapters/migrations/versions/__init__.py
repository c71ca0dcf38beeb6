"""The revisions of reporting's schema, one module each, loaded by Alembic by path."""
