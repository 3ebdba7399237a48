"""Alembic migrations of the store (api.migrate runs them)."""
