"""The revisions of the commitments schema, one module each, loaded by Alembic by path."""
