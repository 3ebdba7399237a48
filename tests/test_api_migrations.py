"""The store's schema comes from the migrations: `shiftcast db upgrade` on an empty SQLite and PostgreSQL database
gives exactly the tables of api/db.py's models, and the app works on it."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from api import testing
from api.db import Base, make_engine
from api.migrate import alembic_config
from cli import main

# The local PostgreSQL (trust auth); each test run makes its own database there and drops it after.
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def schema_differences(url: str) -> list:
    """What autogenerate would change to make the store at `url` match the models (nothing, when in step)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def upgraded_and_working(url: str) -> None:
    """`shiftcast db upgrade` on the empty store at `url`, twice (the second is a no-op); then a token and an
    upload through the app."""
    for _ in range(2):
        result = CliRunner().invoke(main, ["db", "upgrade", "--database-url", url])
        assert result.exit_code == 0, result.output
    assert revision(url) == head()
    assert {"tokens", "datasets", "results", "exports", "jobs"} <= set(inspect(create_engine(url)).get_table_names())
    assert schema_differences(url) == []
    client = testing.app(url).test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    r = client.post("/api/v1/datasets/calls", data=testing.calls_csv(days=1), headers={**auth, "Content-Type": "text/csv"})
    assert r.status_code == 201, r.json
    assert client.get(f"/api/v1/datasets/{r.json['id']}/content", headers=auth).data == testing.calls_csv(days=1)


def test_upgrade_makes_the_models_schema_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert revision(url) is None
    upgraded_and_working(url)


@pytest.fixture
def postgres_url():
    """A new, empty PostgreSQL database for one test, dropped after it."""
    pytest.importorskip("psycopg", reason="psycopg (the test extra) is not installed")
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"shiftcast_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server here: skip, saying why
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES} ({type(exc).__name__}); the SQLite test still runs")
    try:
        yield POSTGRES.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_makes_the_models_schema_on_postgresql(postgres_url):
    upgraded_and_working(postgres_url)
