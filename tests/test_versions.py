"""Roster versions: draft -> published, the change list of a version made after publishing, notices in the
outbox delivered to a local webhook and a local SMTP server, calendars whose UIDs stay and SEQUENCE rises,
and the audit trail of it all."""
from __future__ import annotations

import csv
import io
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import icalendar
import pytest

from api import testing
from api.db import Site
from scheduler.data import load_staff
from shiftcast.exports.specimen import specimen_roster

B = 2
MONTH = "2026-12"


class Webhook(BaseHTTPRequestHandler):
    received: list[dict]

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.server.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib to hand over one message per connection (RFC 5321's happy path)."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 test ESMTP")
        message = {"to": []}
        while line := self.rfile.readline().decode():
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test")
            elif verb == "MAIL":
                self.reply("250 ok")
            elif verb == "RCPT":
                message["to"].append(line.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                body = []
                while (part := self.rfile.readline().decode("utf-8")) != ".\r\n":
                    body.append(part)
                message["data"] = "".join(body)
                self.server.received.append(message)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def serving(server):
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def receivers():
    web = serving(ThreadingHTTPServer(("127.0.0.1", 0), Webhook))
    mail = serving(socketserver.ThreadingTCPServer(("127.0.0.1", 0), Smtp))
    yield web, mail
    web.shutdown()
    mail.shutdown()
    web.server_close()
    mail.server_close()


@pytest.fixture
def app(tmp_path, receivers):
    web, mail = receivers
    app = testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}",
                      NOTICE_WEBHOOK_URL=f"http://127.0.0.1:{web.server_address[1]}/hook",
                      NOTICE_SMTP_HOST="127.0.0.1", NOTICE_SMTP_PORT=mail.server_address[1],
                      NOTICE_MAIL_TO="{employee_id}@center.test")
    with app.extensions["shiftcast"].sessions() as s:
        s.add(Site(id=B, name="north"))
        s.commit()
    return app


def bearer(app, role: str, sites: list[int] | None = None, name: str | None = None) -> dict:
    return {"Authorization": f"Bearer {testing.token(app.config['DATABASE_URL'], role, name, sites)}"}


def set_day(roster, employee_id: str, day: str, code: str) -> str:
    """Put `code` on the person's day of a specimen roster; the code it had."""
    a = roster.assignments
    at = (a["employee_id"] == employee_id) & (a["date"] == day)
    before = a.loc[at, "shift"].item()
    a.loc[at, "shift"] = code
    a.loc[at, "lunch_start"] = "12:00" if code in ("E", "L") else None
    return before


@pytest.fixture
def rosters(app):
    """Two rosters of December: the first, and the same with A000 resting on the 10th and A001 working the 16th."""
    staff = load_staff(testing.staff_csv(4, 1))
    first = specimen_roster(staff, MONTH)
    second = specimen_roster(staff, MONTH)
    was_10 = set_day(second, "A000", "2026-12-10", "OFF")
    was_16 = set_day(second, "A001", "2026-12-16", "L")
    assert was_10 in ("E", "L") and was_16 == "OFF"
    url = app.config["DATABASE_URL"]
    return {"first": testing.store_roster(url, first, MONTH, staff), "second": testing.store_roster(url, second, MONTH, staff),
            "was_10": was_10, "people": len(staff)}


def events(ics: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}


def test_publish_revise_and_tell(app, rosters, receivers):
    client, (web, mail) = app.test_client(), receivers
    sup = bearer(app, "supervisor", name="Ms Wang")
    viewer = bearer(app, "viewer")

    v1 = client.post("/api/v1/versions", json={"roster_id": rosters["first"], "note": "December as planned"}, headers=sup)
    assert v1.status_code == 201, v1.json
    v1 = v1.json
    assert (v1["state"], v1["number"], v1["changes"], v1["created_by"]) == ("draft", 1, None, "Ms Wang")
    # A draft is the supervisor's alone.
    assert client.get(f"/api/v1/versions/{v1['id']}", headers=viewer).status_code == 404
    assert client.get(f"/api/v1/versions/{v1['id']}/ics/A000", headers=viewer).status_code == 404
    assert client.get("/api/v1/versions", headers=viewer).json["items"] == []

    published = client.post(f"/api/v1/versions/{v1['id']}/publish", json={"reason": "month start"}, headers=sup)
    assert published.status_code == 200, published.json
    assert published.json["notices"] == rosters["people"]
    assert published.json["delivery"] == {"senders": ["webhook", "email"], "delivered": rosters["people"], "failed": 0,
                                          "errors": []}
    assert len(web.received) == len(mail.received) == rosters["people"]
    assert {m["to"][0] for m in mail.received} == {f"A{i:03d}@center.test" for i in range(4)} | {"L000@center.test"}
    assert [v["id"] for v in client.get("/api/v1/versions", headers=viewer).json["items"]] == [v1["id"]]
    first_ics = events(client.get(f"/api/v1/versions/{v1['id']}/ics/A000", headers=viewer).data)
    uid_10 = "20261210-A000@shiftcast"
    assert first_ics[uid_10]["SEQUENCE"] == 0 and "STATUS" not in first_ics[uid_10]
    again = client.post(f"/api/v1/versions/{v1['id']}/publish", json={}, headers=sup)
    assert again.status_code == 409 and "already published" in again.json["detail"]

    # A change after publishing: a new version with its change list, only those affected told.
    web.received.clear()
    mail.received.clear()
    v2 = client.post("/api/v1/versions", json={"roster_id": rosters["second"]}, headers=sup).json
    assert v2["number"] == 2 and v2["based_on_id"] == v1["id"]
    assert [(c["employee_id"], c["date"], c["before"], c["after"]) for c in v2["changes"]] == [
        ("A000", "2026-12-10", rosters["was_10"], "OFF"), ("A001", "2026-12-16", "OFF", "L")]
    out = client.post(f"/api/v1/versions/{v2['id']}/publish", json={"reason": "A000 rests on the 10th"}, headers=sup)
    assert out.json["notices"] == 2 and out.json["delivery"]["delivered"] == 2
    told = {m["employee_id"]: m for m in web.received}
    assert set(told) == {"A000", "A001"}
    assert f"2026-12-10 {rosters['was_10']} → OFF" in told["A000"]["message"]
    assert sorted(m["to"][0] for m in mail.received) == ["A000@center.test", "A001@center.test"]
    assert "Subject: Roster 2026-12 changed (version 2)" in mail.received[0]["data"]

    # Phones update in place: the same UIDs, SEQUENCE raised on the changed days only, a shift taken away cancelled.
    second_ics = events(client.get(f"/api/v1/versions/{v2['id']}/ics/A000", headers=viewer).data)
    assert set(second_ics) == set(first_ics)
    assert second_ics[uid_10]["SEQUENCE"] == 1 and second_ics[uid_10]["STATUS"] == "CANCELLED"
    assert second_ics["20261211-A000@shiftcast"]["SEQUENCE"] == 0
    a001 = events(client.get(f"/api/v1/versions/{v2['id']}/ics/A001", headers=viewer).data)
    assert a001["20261216-A001@shiftcast"]["SEQUENCE"] == 1 and "STATUS" not in a001["20261216-A001@shiftcast"]
    assert client.get(f"/api/v1/versions/{v2['id']}/ics/Z999", headers=viewer).status_code == 404

    # The audit trail: who, when, what and why; supervisors only, also as CSV.
    trail = client.get("/api/v1/audit", headers=sup).json["items"]
    assert [(e["action"], e["actor"], e["reason"]) for e in trail] == [
        ("version.create", "Ms Wang", "December as planned"), ("version.publish", "Ms Wang", "month start"),
        ("version.create", "Ms Wang", ""), ("version.publish", "Ms Wang", "A000 rests on the 10th")]
    assert trail[3]["detail"]["changed_days"] == 2 and trail[3]["subject"] == f"roster version {v2['id']}"
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/audit/csv?action=version.publish",
                                                      headers=sup).data.decode("utf-8-sig"))))
    assert [r["reason"] for r in rows] == ["month start", "A000 rests on the 10th"]
    assert client.get("/api/v1/audit", headers=viewer).status_code == 403


def test_failed_delivery_is_said_and_sent_later(app, rosters, receivers):
    client, (web, mail) = app.test_client(), receivers
    sup = bearer(app, "supervisor")
    port = web.server_address[1]
    web.shutdown()
    web.server_close()
    v = client.post("/api/v1/versions", json={"roster_id": rosters["first"]}, headers=sup).json
    out = client.post(f"/api/v1/versions/{v['id']}/publish", json={}, headers=sup).json
    assert out["delivery"]["failed"] == rosters["people"] and out["delivery"]["delivered"] == 0
    assert "by webhook" in out["delivery"]["errors"][0] and "A000" in " ".join(out["delivery"]["errors"])
    # E-mail went; the webhook is still owed, and the notice says why.
    assert len(mail.received) == rosters["people"]
    pending = client.get("/api/v1/notices?pending=true", headers=sup).json["items"]
    assert len(pending) == rosters["people"] and pending[0]["email_sent_at"] and pending[0]["webhook_sent_at"] is None
    assert "webhook" in pending[0]["error"]
    back = serving(ThreadingHTTPServer(("127.0.0.1", port), Webhook))
    try:
        sent = client.post("/api/v1/notices/send", headers=sup).json
        assert sent["delivered"] == rosters["people"] and sent["failed"] == 0
        assert len(back.received) == rosters["people"] and len(mail.received) == rosters["people"]  # no mail twice
        assert client.get("/api/v1/notices?pending=true", headers=sup).json["items"] == []
    finally:
        back.shutdown()
        back.server_close()


def test_versions_of_another_site_are_404_and_viewers_cannot_publish(app, rosters):
    client = app.test_client()
    sup = bearer(app, "supervisor")
    v = client.post("/api/v1/versions", json={"roster_id": rosters["first"]}, headers=sup).json
    other = bearer(app, "supervisor", [B])
    for method, path in (("GET", f"/api/v1/versions/{v['id']}"), ("POST", f"/api/v1/versions/{v['id']}/publish"),
                         ("GET", f"/api/v1/versions/{v['id']}/ics/A000")):
        r = client.open(path, method=method, headers=other, json={} if method == "POST" else None)
        assert r.status_code == 404, (path, r.json)
    assert client.post("/api/v1/versions", json={"roster_id": rosters["first"]}, headers=other).status_code == 404
    assert client.get("/api/v1/versions", headers=other).json["items"] == []
    assert client.get("/api/v1/audit", headers=other).json["items"] == []
    assert client.get("/api/v1/notices", headers=other).json["items"] == []
    viewer = bearer(app, "viewer")
    assert client.post(f"/api/v1/versions/{v['id']}/publish", json={}, headers=viewer).status_code == 403
    assert client.post("/api/v1/versions", json={"roster_id": rosters["first"]}, headers=viewer).status_code == 403
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/versions", "/api/v1/versions/{version_id}/publish", "/api/v1/versions/{version_id}/ics/{employee_id}",
                 "/api/v1/notices", "/api/v1/notices/send", "/api/v1/audit", "/api/v1/audit/csv"):
        assert path in paths, path
