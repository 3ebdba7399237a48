"""Signing in: a supervisor makes a person's account or a named account of a site's role (`shiftcast user
create`), which signs in with its login (the employee_id, or the name) and password (POST /api/v1/session) and
gets a token of its role and scope, exactly as a token of that role made for the person or the site; a wrong login
or password is refused alike, repeated failures lock the login whether an account has it or not, the sign-in
expires, and signing out ends it."""
from __future__ import annotations

import datetime as dt
import re
import statistics
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from api import testing
from api import accounts
from api.accounts import MAX_FAILURES, AccountRefused, create_account
from api.db import Account, Site, Token
from cli import main
from cli.commands import user as user_command
from scheduler.data import load_staff
from shiftcast.exports.specimen import specimen_roster

PASSWORD = "rest-day-42"


def bearer(text: str) -> dict:
    return {"Authorization": f"Bearer {text}"}


def user(url: str, *args: str, password: str = PASSWORD):
    return CliRunner().invoke(main, ["user", *args, "--database-url", url], input=f"{password}\n{password}\n")


@pytest.fixture
def floor(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    client = app.test_client()
    sup = bearer(testing.token(url, "supervisor"))
    staff_id = client.post("/api/v1/datasets/staff", data=testing.people_staff_csv(),
                           headers={**sup, "Content-Type": "text/csv"}).json["id"]
    for person, role in (("A001", "agent"), ("G001", "group_leader")):
        made = user(url, "create", "--person", person, "--staff-id", str(staff_id), "--role", role)
        assert made.exit_code == 0, made.output
    return client, url, staff_id


@pytest.fixture
def published(floor):
    """The floor with a published version of a month: the version's id."""
    client, url, staff_id = floor
    sup = bearer(testing.token(url, "supervisor"))
    month = (dt.date.today().replace(day=1) + dt.timedelta(days=62)).strftime("%Y-%m")
    staff = load_staff(testing.people_staff_csv())
    roster_id = testing.store_roster(url, specimen_roster(staff, month), month, staff, inputs={"staff_id": staff_id})
    version = client.post("/api/v1/versions", json={"roster_id": roster_id}, headers=sup).json["id"]
    assert client.post(f"/api/v1/versions/{version}/publish", json={}, headers=sup).status_code == 200
    return version


def sign_in(client, login: str, password: str = PASSWORD):
    return client.post("/api/v1/session", json={"login": login, "password": password})


def test_the_user_command_makes_an_account_with_only_a_hash_and_says_what_it_refuses(floor):
    client, url, staff_id = floor
    with testing.sessions(url)() as s:
        account = s.scalar(select(Account).where(Account.employee_id == "A001"))
        assert (account.name, account.role, account.person_group, account.person_team) == ("Agent 1", "agent", "G1", "T1")
        assert PASSWORD not in account.password_hash and account.password_hash.startswith(("scrypt:", "pbkdf2:"))
    listed = user(url, "list")
    assert listed.exit_code == 0 and "A001\tAgent 1\tagent\tG1\tT1\tsite 1\tactive" in listed.output
    assert PASSWORD not in listed.output
    cases = [(["create", "--person", "A001", "--staff-id", str(staff_id), "--role", "agent"], "has an account already"),
             (["create", "--person", "A009", "--staff-id", str(staff_id), "--role", "agent"], "'A009' is not on staff"),
             (["create", "--person", "A002", "--staff-id", str(staff_id), "--role", "team_leader"],
              "A002 is a agent in"),
             (["password", "--login", "A404"], "A404 has no account")]
    for args, words in cases:
        refused = user(url, *args)
        assert refused.exit_code == 2 and words in refused.output, refused.output
    short = user(url, "create", "--person", "A002", "--staff-id", str(staff_id), "--role", "agent", password="short")
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    # The password can come on standard input (scripts), never echoed.
    piped = CliRunner().invoke(main, ["user", "create", "--person", "A002", "--staff-id", str(staff_id), "--role", "agent",
                                      "--password", "-", "--database-url", url], input="another-pass\n")
    assert piped.exit_code == 0 and "another-pass" not in piped.output, piped.output
    assert sign_in(client, "A002", "another-pass").status_code == 201


def test_a_sign_in_carries_the_scope_of_its_role_and_sees_only_that(floor, published):
    client, url, staff_id = floor
    signed = sign_in(client, "A001")
    assert signed.status_code == 201, signed.json
    body = signed.json
    assert (body["role"], body["person"], body["group"], body["team"], body["sites"]) == ("agent", "A001", "G1", "T1", [1])
    agent = bearer(body["token"])
    me = client.get("/api/v1/me", headers=agent).json
    # The same as a token of the role made for the person through the API.
    admin = bearer(testing.token(url, "admin"))
    made = client.post("/api/v1/tokens", json={"name": "Agent 1", "role": "agent", "person": "A001",
                                                "staff_id": staff_id}, headers=admin).json["token"]
    assert me == client.get("/api/v1/me", headers=bearer(made)).json
    assert me["scope"] == "self"
    leader = bearer(sign_in(client, "G001").json["token"])
    seen = client.get("/api/v1/me", headers=leader).json
    assert (seen["role"], seen["scope"], seen["group"]) == ("group_leader", "group", "G1")
    # Another person's data is not there for the agent; the floor's data is not theirs to read.
    v = published
    assert client.get(f"/api/v1/versions/{v}/ics/A001", headers=agent).status_code == 200
    assert client.get(f"/api/v1/versions/{v}/ics/A002", headers=agent).status_code == 404
    mine = client.get(f"/api/v1/versions/{v}/schedules", headers=agent).json["employees"]
    assert [e["employee_id"] for e in mine] == ["A001"]
    group = client.get(f"/api/v1/versions/{v}/schedules", headers=leader).json["employees"]
    assert sorted(e["employee_id"] for e in group) == ["A001", "A002", "G001"]
    assert client.get("/api/v1/datasets", headers=agent).status_code == 403
    with testing.sessions(url)() as s:
        for token in s.scalars(select(Token).where(Token.account_id.is_not(None))):
            assert dt.timedelta(hours=11.9) < token.expires_at - token.created_at <= dt.timedelta(hours=12)


def test_a_wrong_person_or_password_is_refused_alike_and_repeats_lock_the_account(floor):
    client, url, _ = floor
    earlier = bearer(sign_in(client, "A001").json["token"])
    wrong_password, no_such_person = sign_in(client, "A001", "not-it-at-all"), sign_in(client, "A404")
    assert wrong_password.status_code == no_such_person.status_code == 401
    assert wrong_password.json["detail"] == no_such_person.json["detail"] == "wrong login or password"
    for _ in range(MAX_FAILURES - 1):
        assert sign_in(client, "A001", "not-it-at-all").status_code == 401
    locked = sign_in(client, "A001")  # the right password, too late
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 14 * 60, locked.json
    assert "failed sign-ins in a row" in locked.json["detail"]
    assert sign_in(client, "G001").status_code == 201  # others are not locked out
    assert client.get("/api/v1/me", headers=earlier).status_code == 200  # a lock ends no sign-in
    reset = user(url, "password", "--login", "A001", password="a-new-password")
    assert reset.exit_code == 0, reset.output
    assert client.get("/api/v1/me", headers=earlier).status_code == 401  # a new password ends them all
    assert sign_in(client, "A001").status_code == 401
    assert sign_in(client, "A001", "a-new-password").status_code == 201


def test_a_site_role_account_signs_in_with_its_name_and_sees_what_a_token_of_its_role_sees(floor, published):
    client, url, _ = floor
    for name, role, site in (("li.wei", "supervisor", []), ("hr.zhao", "hr", []), ("view.chen", "viewer", []),
                             ("north.sun", "supervisor", ["--site", "north"])):
        made = user(url, "create", "--name", name, "--role", role, *site)
        assert made.exit_code == 0 and f"signs in on the page with {name} and the password" in made.output, made.output
    assert "site 2 'north' added" in made.output
    signed = {}
    for name in ("li.wei", "hr.zhao", "view.chen", "north.sun"):
        body = sign_in(client, name).json
        signed[name] = bearer(body["token"])
        me = client.get("/api/v1/me", headers=signed[name]).json
        # The same as an API token of the role, of the name and the site, made by an admin.
        made = bearer(testing.token(url, body["role"], name, body["sites"]))
        assert me == client.get("/api/v1/me", headers=made).json
        assert (body["login"], body["name"], body["person"], body["group"], me["scope"]) == (name, name, "", "", "site")
    assert [sign_in(client, n).json["sites"] for n in ("li.wei", "north.sun")] == [[1], [2]]
    sup, hr, viewer, north = (signed[n] for n in ("li.wei", "hr.zhao", "view.chen", "north.sun"))
    v1 = client.get(f"/api/v1/versions/{published}", headers=sup).json
    draft = client.post("/api/v1/versions", json={"roster_id": v1["roster_id"]}, headers=sup)
    assert draft.status_code == 201, draft.json
    v2 = draft.json["id"]
    # A draft is the supervisors' (404 for the others); another site's versions are not there for north's.
    for who in (hr, viewer, north):
        assert client.get(f"/api/v1/versions/{v2}", headers=who).status_code == 404
    assert client.get(f"/api/v1/versions/{published}", headers=north).status_code == 404
    assert client.get("/api/v1/versions", headers=north).json["items"] == []
    everyone = client.get(f"/api/v1/versions/{published}/schedules", headers=hr).json["employees"]
    assert len(everyone) == len(load_staff(testing.people_staff_csv()))
    # Only a supervisor publishes; hr and viewers read the site's data and change none of it.
    for who in (hr, viewer):
        assert client.post(f"/api/v1/versions/{v2}/publish", json={}, headers=who).status_code == 403
        assert client.get("/api/v1/datasets", headers=who).status_code == 200
    assert client.post("/api/v1/datasets/staff", data=testing.people_staff_csv(),
                       headers={**viewer, "Content-Type": "text/csv"}).status_code == 403
    done = client.post(f"/api/v1/versions/{v2}/publish", json={"reason": "signed in"}, headers=sup)
    assert done.status_code == 200 and done.json["version"]["published_by"] == "li.wei", done.json
    audit = client.get("/api/v1/audit", headers=sup).json["items"]
    assert any((a["actor"], a["action"]) == ("li.wei", "version.publish") for a in audit), audit
    assert client.get("/api/v1/audit", headers=hr).status_code == 403
    listed = user(url, "list").output
    assert "li.wei\tli.wei\tsupervisor\t\t\tsite 1\tactive" in listed and "north.sun\tnorth.sun\tsupervisor" in listed


def test_the_user_command_refuses_a_wrong_role_person_or_name_in_words(floor):
    client, url, staff_id = floor
    assert user(url, "create", "--name", "li.wei", "--role", "supervisor").exit_code == 0
    sid = str(staff_id)
    cases = [(["--name", "it.boss", "--role", "admin"], "'admin' is not one of"),
             (["--name", "it.boss", "--role", "boss"], "'boss' is not one of"),
             (["--person", "A002", "--staff-id", sid, "--role", "supervisor"],
              "an account of role supervisor sees the whole site: it is given no person (--person and --staff-id)"),
             (["--name", "A002", "--role", "agent"], "an account of role agent is one person's"),
             (["--person", "A002", "--role", "agent"], "--person and --staff-id go together"),
             (["--person", "A002", "--staff-id", sid, "--role", "agent", "--name", "a2"], "without --name or --site"),
             (["--role", "viewer"], "--name: an account of role viewer is named"),
             (["--name", "li.wei", "--role", "hr"], "li.wei has an account already (supervisor li.wei)"),
             (["--name", "A001", "--role", "viewer"], "A001 has an account already (agent Agent 1)"),
             (["--name", "li wei", "--role", "viewer"], "login 'li wei': one word"),
             (["--name", "south.sup", "--role", "supervisor", "--site", "south", "--password", "short"],
              "at least 8 characters")]
    for args, words in cases:
        refused = user(url, "create", *args)
        assert refused.exit_code == 2 and words in refused.output, (args, refused.output)
    with testing.sessions(url)() as s:
        assert s.scalar(select(Site.id).where(Site.name == "south")) is None  # a refused account adds no site
        assert sorted(s.scalars(select(Account.login))) == ["A001", "G001", "li.wei"]
        with pytest.raises(AccountRefused, match="an admin uses an API token"):
            create_account(s, "admin", "it.boss", 1, PASSWORD)
    assert user_command.ROLES == accounts.ROLES


def test_a_login_no_account_has_is_locked_alike_and_no_account_is_made(floor):
    client, url, _ = floor
    for _ in range(MAX_FAILURES - 1):  # a success forgets the failures before it
        assert sign_in(client, "A001", "not-it-at-all").status_code == 401
    assert sign_in(client, "A001").status_code == 201
    answers = {}
    for login in ("A001", "ghost"):
        for _ in range(MAX_FAILURES):
            assert sign_in(client, login, "not-it-at-all").json["detail"] == "wrong login or password"
        answers[login] = sign_in(client, login, PASSWORD)
    known, unknown = answers["A001"], answers["ghost"]
    assert known.status_code == unknown.status_code == 429
    assert abs(int(known.headers["Retry-After"]) - int(unknown.headers["Retry-After"])) <= 2
    locked = f"{MAX_FAILURES} failed sign-ins in a row: try again after HH:MM UTC, or ask a supervisor for a new password"
    assert [re.sub(r"\d\d:\d\d", "HH:MM", r.json["detail"]) for r in (known, unknown)] == [locked] * 2
    with testing.sessions(url)() as s:
        assert sorted(s.scalars(select(Account.login))) == ["A001", "G001"]
    assert "locked until" in user(url, "list").output.splitlines()[0]  # A001's
    # The same work whether an account has the login or not: a wrong password and an unknown login take alike.
    took = {"known": [], "unknown": []}
    for i in range(MAX_FAILURES - 1):
        for kind, login in (("known", "G001"), ("unknown", f"nobody{i}")):
            start = time.perf_counter()
            assert sign_in(client, login, "not-it-at-all").status_code == 401
            took[kind].append(time.perf_counter() - start)
    ratio = statistics.median(took["unknown"]) / statistics.median(took["known"])
    assert 0.5 < ratio < 2, took


def test_signing_out_ends_the_sign_in_and_an_expired_one_is_refused(floor):
    client, url, _ = floor
    agent = bearer(sign_in(client, "A001").json["token"])
    assert client.get("/api/v1/me", headers=agent).status_code == 200
    assert client.delete("/api/v1/session", headers=agent).status_code == 204
    gone = client.get("/api/v1/me", headers=agent)
    assert gone.status_code == 401 and "revoked" in gone.json["detail"]
    # An API token is not a sign-in: signing out does not revoke it.
    viewer = bearer(testing.token(url, "viewer"))
    assert client.delete("/api/v1/session", headers=viewer).status_code == 409
    assert client.get("/api/v1/me", headers=viewer).status_code == 200
    # A sign-in past its hours is refused, saying so.
    expiring = testing.app(url, SIGNIN_HOURS=-1).test_client()
    late = bearer(sign_in(expiring, "A001").json["token"])
    refused = client.get("/api/v1/me", headers=late)
    assert refused.status_code == 401 and refused.json["detail"] == "the sign-in has expired: sign in again"


def test_the_session_paths_are_in_the_openapi_document(floor):
    client, _, _ = floor
    path = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/session"]
    assert set(path) == {"post", "delete"}
    assert path["post"]["security"] == [] and {"201", "401", "429"} <= set(path["post"]["responses"])
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert schemas["SignIn"]["required"] == ["login", "password"] and "login" in schemas["SessionOut"]["required"]
    assert "204" in path["delete"]["responses"]
