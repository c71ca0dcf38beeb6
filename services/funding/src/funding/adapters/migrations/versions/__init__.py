"""The revisions of funding's schema, one module each, loaded by Alembic by path."""
