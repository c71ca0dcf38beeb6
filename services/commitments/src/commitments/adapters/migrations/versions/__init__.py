"""The revisions of commitments's schema, one module each, loaded by Alembic by path."""
