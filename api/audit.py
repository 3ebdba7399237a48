"""The audit trail: every request, decision, edit and publish, recorded with who, when, what and why."""
from __future__ import annotations

import csv
import io

from flask import g
from sqlalchemy.orm import Session

from api.db import AuditEvent

CSV_COLUMNS = ("id", "at", "site_id", "actor", "action", "subject", "reason", "detail")


def record(session: Session, site_id: int, action: str, subject: str, reason: str = "",
           detail: dict | None = None) -> AuditEvent:
    """Add an audit event by the request's caller (the caller's transaction commits it with the change)."""
    token = g.get("token")
    event = AuditEvent(site_id=site_id, actor=token.name if token else "", token_id=token.id if token else None,
                       action=action, subject=subject, reason=reason, detail=detail or {})
    session.add(event)
    return event


def audit_csv(events: list[AuditEvent]) -> bytes:
    """The events as CSV (UTF-8 with a byte-order mark, so a spreadsheet reads the Chinese names)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in events:
        detail = "; ".join(f"{k}={v}" for k, v in (e.detail or {}).items())
        writer.writerow([e.id, e.at.isoformat(timespec="seconds") + "Z", e.site_id, e.actor, e.action, e.subject,
                         e.reason, detail])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
