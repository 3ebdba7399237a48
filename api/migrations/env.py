"""Alembic's environment: migrations run online, on the same engine (SQLite pragmas included) the app uses."""
from alembic import context

from api.db import Base, make_engine

config = context.config


def run_migrations() -> None:
    engine = make_engine(config.attributes["database_url"])
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Batch mode drops a table and renames its copy into place; with foreign keys enforced, the drop
                # fails while another table refers to it. SQLite switches enforcement only outside a
                # transaction: off for the migration, the references checked at its end instead.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            # SQLite alters a table by copying it (batch mode); PostgreSQL alters in place.
            context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True,
                              render_as_batch=sqlite)
            with context.begin_transaction():
                context.run_migrations()
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all() if sqlite else []
                if broken:
                    raise RuntimeError(f"the migration left rows referring to no row: {broken[:5]}")
    finally:
        engine.dispose()


run_migrations()
