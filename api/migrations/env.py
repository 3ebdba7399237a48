"""Alembic's environment: migrations run online, on the same engine (SQLite pragmas included) the app uses."""
from alembic import context

from api.db import Base, make_engine

config = context.config


def run_migrations() -> None:
    engine = make_engine(config.attributes["database_url"])
    try:
        with engine.connect() as connection:
            # SQLite alters a table by copying it (batch mode); PostgreSQL alters in place.
            context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True,
                              render_as_batch=connection.dialect.name == "sqlite")
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations()
