"""The store's schema comes from the migrations: `shiftcast db upgrade` on an empty SQLite and PostgreSQL database
gives exactly the tables of api/db.py's models, and the app works on it."""
from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from api import testing
from api.auth import token_hash
from api.db import DEFAULT_SITE_ID, Base, make_engine
from api.migrate import alembic_config
from cli import main

# The local PostgreSQL (trust auth); each test run makes its own database there and drops it after.
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "rest-day-42"


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
    assert ({"tokens", "datasets", "results", "exports", "jobs", "actual_days", "actual_intervals"}
            <= set(inspect(create_engine(url)).get_table_names()))
    assert schema_differences(url) == []
    client = testing.app(url).test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    r = client.post("/api/v1/datasets/calls", data=testing.calls_csv(days=1), headers={**auth, "Content-Type": "text/csv"})
    assert r.status_code == 201, r.json
    assert client.get(f"/api/v1/datasets/{r.json['id']}/content", headers=auth).data == testing.calls_csv(days=1)
    for _ in range(2):  # the second replaces the day the first kept, in one transaction
        r = client.post("/api/v1/actuals", data=testing.calls_csv(days=1), headers={**auth, "Content-Type": "text/csv"})
        assert r.status_code == 201, r.json
    assert "replaced those sent at" in r.json["days"][0]["message"]
    assert [d["intervals"] for d in client.get("/api/v1/actuals", headers=auth).json["items"]] == [40]


def test_upgrade_makes_the_models_schema_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert revision(url) is None
    upgraded_and_working(url)


@pytest.fixture
def postgres_url():
    """A new, empty PostgreSQL database for one test, dropped after it."""
    try:
        with testing.postgres_database() as url:
            yield url
    except testing.Unavailable as exc:  # no server here: skip, saying why
        pytest.skip(f"{exc}; the SQLite test still runs")


def test_upgrade_makes_the_models_schema_on_postgresql(postgres_url):
    upgraded_and_working(postgres_url)


def store_before_sites(url: str) -> dict[str, str]:
    """A store at the first revision (before sites) with a supervisor's upload and a job; the tokens by role."""
    from api.migrate import upgrade

    upgrade(url, "0001")
    engine = create_engine(url)
    tokens = {"supervisor": "sc_old-supervisor", "admin": "sc_old-admin"}
    try:
        with engine.begin() as c:
            for role, text_ in tokens.items():  # ids 1 (the supervisor) and 2
                c.execute(text("INSERT INTO tokens (name, role, token_hash, created_at) "
                               "VALUES (:name, :role, :hash, CURRENT_TIMESTAMP)"),
                          {"name": role, "role": role, "hash": token_hash(text_)})
            c.execute(text("INSERT INTO datasets (kind, name, rows, sha256, content, summary, created_by, created_at) "
                           "VALUES ('calls', 'calls.csv', 40, 'x', :content, '{}', 'supervisor', CURRENT_TIMESTAMP)"),
                      {"content": testing.calls_csv(days=1)})
            c.execute(text("INSERT INTO jobs (kind, state, params, progress, attempts, cancel_requested, created_by, "
                           "created_at) VALUES ('forecast', 'queued', '{}', '{}', 0, false, 'supervisor', CURRENT_TIMESTAMP)"))
    finally:
        engine.dispose()
    return tokens


def sites_migrated_and_working(url: str) -> None:
    """Upgrade a store made before sites: its rows and its non-admin tokens are in the one default site, the
    schema matches the models, and the old tokens read the old rows through the app."""
    tokens = store_before_sites(url)
    result = CliRunner().invoke(main, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert revision(url) == head() and schema_differences(url) == []
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            assert c.execute(text("SELECT id, name FROM sites")).all() == [(DEFAULT_SITE_ID, "default")]
            for table in ("datasets", "jobs"):
                assert c.execute(text(f"SELECT site_id FROM {table}")).scalars().all() == [DEFAULT_SITE_ID]
            assert c.execute(text("SELECT token_id, site_id FROM token_sites")).all() == [(1, DEFAULT_SITE_ID)]
    finally:
        engine.dispose()
    client = testing.app(url).test_client()
    for role, token in tokens.items():
        auth = {"Authorization": f"Bearer {token}"}
        assert [d["site_id"] for d in client.get("/api/v1/datasets", headers=auth).json["items"]] == [DEFAULT_SITE_ID]
        assert client.get("/api/v1/jobs/1", headers=auth).json["site_id"] == DEFAULT_SITE_ID
    sup = {"Authorization": f"Bearer {tokens['supervisor']}"}
    r = client.post("/api/v1/datasets/calls", data=testing.calls_csv(days=1), headers={**sup, "Content-Type": "text/csv"})
    assert r.status_code == 201 and r.json["site_id"] == DEFAULT_SITE_ID
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    r = client.post("/api/v1/sites", json={"name": "north"}, headers=admin)
    assert r.status_code == 201 and r.json["id"] == DEFAULT_SITE_ID + 1


def test_a_store_made_before_sites_becomes_the_default_site_on_sqlite(tmp_path):
    sites_migrated_and_working(f"sqlite:///{tmp_path / 'old.sqlite'}")


def test_a_store_made_before_sites_becomes_the_default_site_on_postgresql(postgres_url):
    sites_migrated_and_working(postgres_url)


def accounts_before_logins(url: str) -> str:
    """A store at 0006_accounts with three people's accounts: A001 with two failures, A002 locked, G001 with a
    sign-in's token; the token."""
    from werkzeug.security import generate_password_hash

    from api.migrate import upgrade

    upgrade(url, "0006_accounts")
    engine = create_engine(url)
    locked = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=10)
    try:
        with engine.begin() as c:
            for employee_id, failures, until in (("A001", 2, None), ("A002", 0, locked), ("G001", 0, None)):
                c.execute(text("INSERT INTO accounts (employee_id, name, role, person_group, person_team, site_id, "
                               "password_hash, failures, locked_until, created_by, created_at) VALUES (:id, :id, "
                               "'agent', 'G1', 'T1', 1, :hash, :failures, :until, 'test', CURRENT_TIMESTAMP)"),
                          {"id": employee_id, "hash": generate_password_hash(PASSWORD), "failures": failures,
                           "until": until})
            c.execute(text("INSERT INTO tokens (name, role, token_hash, created_at, person_id, person_group, "
                           "person_team, account_id) VALUES ('G001', 'agent', :hash, CURRENT_TIMESTAMP, 'G001', 'G1', "
                           "'T1', 3)"), {"hash": token_hash("sc_signed-in")})
            c.execute(text("INSERT INTO token_sites (token_id, site_id) VALUES (1, 1)"))
    finally:
        engine.dispose()
    return "sc_signed-in"


def accounts_migrated_and_working(url: str) -> None:
    """Upgrade a store whose accounts signed in with their employee_id: they sign in with it as their login, their
    failures and locks are kept, a sign-in goes on, and a site role's account can be made; going back to
    0006_accounts is refused while a site role's account exists, and keeps the people's failures."""
    from alembic import command

    signed_in = accounts_before_logins(url)
    result = CliRunner().invoke(main, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert revision(url) == head() and schema_differences(url) == []
    client = testing.app(url).test_client()

    def sign_in(login: str, password: str = PASSWORD):
        return client.post("/api/v1/session", json={"login": login, "password": password})

    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {signed_in}"}).status_code == 200
    assert sign_in("A002").status_code == 429
    assert [sign_in("A001", "wrong-password").status_code for _ in range(3)] == [401] * 3
    assert sign_in("A001").status_code == 429  # 2 failures before, 3 after: locked at 5
    assert sign_in("G001").json["person"] == "G001"
    made = CliRunner().invoke(main, ["user", "create", "--name", "li.wei", "--role", "supervisor", "--password",
                                     PASSWORD, "--database-url", url])
    assert made.exit_code == 0, made.output
    assert sign_in("li.wei").json["role"] == "supervisor"
    with pytest.raises(RuntimeError, match="1 accounts of the site's roles"):
        command.downgrade(alembic_config(url), "0006_accounts")
    engine = create_engine(url)
    try:
        with engine.begin() as c:
            c.execute(text("UPDATE tokens SET account_id = NULL WHERE name = 'li.wei'"))
            c.execute(text("DELETE FROM accounts WHERE login = 'li.wei'"))
        command.downgrade(alembic_config(url), "0006_accounts")
        with engine.connect() as c:
            kept = c.execute(text("SELECT employee_id, failures, locked_until IS NOT NULL FROM accounts "
                                  "ORDER BY employee_id")).all()
        assert kept == [("A001", 0, True), ("A002", 0, True), ("G001", 0, False)]
    finally:
        engine.dispose()


def test_accounts_made_before_logins_sign_in_as_before_on_sqlite(tmp_path):
    accounts_migrated_and_working(f"sqlite:///{tmp_path / 'old.sqlite'}")


def test_accounts_made_before_logins_sign_in_as_before_on_postgresql(postgres_url):
    accounts_migrated_and_working(postgres_url)
