"""The store's schema by migrations (Alembic, api/migrations): what `shiftcast db upgrade` runs."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    """Alembic's configuration for the store at `database_url` (no alembic.ini: the URL is the only setting)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an attribute, not an option: options are %-interpolated and URLs may hold % escapes.
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the store's schema to `revision` (the newest by default); an empty database gets all of it."""
    command.upgrade(alembic_config(database_url), revision)
