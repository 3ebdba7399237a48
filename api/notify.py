"""The outbox's senders: each notice of a published version goes to a webhook (JSON POST) and by e-mail
(SMTP), each switched on in the settings (NOTICE_WEBHOOK_URL; NOTICE_SMTP_HOST with NOTICE_MAIL_TO). A
notice stays pending for a sender until that sender has delivered it; a failure is kept in words on it."""
from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.db import NoticeRow, utcnow

TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Senders:
    """The senders the settings switch on."""

    webhook_url: str | None
    smtp_host: str | None
    smtp_port: int
    mail_from: str
    mail_to: str | None  # a pattern with {employee_id}, e.g. "{employee_id}@center.example"

    @classmethod
    def from_config(cls, config) -> "Senders":
        return cls(config.get("NOTICE_WEBHOOK_URL"), config.get("NOTICE_SMTP_HOST"),
                   int(config.get("NOTICE_SMTP_PORT", 25)), config.get("NOTICE_MAIL_FROM", "shiftcast@localhost"),
                   config.get("NOTICE_MAIL_TO"))

    @property
    def names(self) -> list[str]:
        return (["webhook"] if self.webhook_url else []) + (["email"] if self.smtp_host else [])


@dataclass
class Delivery:
    """One round of delivery: notices every sender switched on has delivered, failures and each in words."""

    senders: list[str]
    delivered: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def notice_json(row: NoticeRow) -> dict:
    return {"id": row.id, "site_id": row.site_id, "version_id": row.version_id, "employee_id": row.employee_id,
            "name": row.name, "subject": row.subject, "message": row.message, "changes": row.changes}


def _post_webhook(url: str, row: NoticeRow) -> None:
    data = json.dumps(notice_json(row), ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
        if not 200 <= resp.status < 300:
            raise OSError(f"the webhook answered {resp.status}")


def _send_email(s: Senders, row: NoticeRow) -> None:
    if not s.mail_to:
        raise ValueError("NOTICE_SMTP_HOST is set but NOTICE_MAIL_TO (e.g. '{employee_id}@center.example') is not: "
                         "no address to send to")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = s.mail_from, s.mail_to.format(employee_id=row.employee_id), row.subject
    msg.set_content(row.message)
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=TIMEOUT_S) as smtp:
        smtp.send_message(msg)


def _attempt(row: NoticeRow, sender: str, send: Callable[[], None], errors: list[str]) -> bool:
    try:
        send()
        return True
    except (OSError, smtplib.SMTPException, ValueError, urllib.error.URLError) as exc:
        errors.append(f"notice {row.id} to {row.employee_id} by {sender}: {exc}")
        return False


def deliver_pending(session: Session, senders: Senders, site_ids: frozenset[int] | None = None) -> Delivery:
    """Send every notice some sender switched on has not delivered (of `site_ids`, None: all); commits."""
    out = Delivery(senders=senders.names)
    pending = []
    if senders.webhook_url:
        pending.append(NoticeRow.webhook_sent_at.is_(None))
    if senders.smtp_host:
        pending.append(NoticeRow.email_sent_at.is_(None))
    if not pending:
        return out
    stmt = select(NoticeRow).where(or_(*pending)).order_by(NoticeRow.id)
    if site_ids is not None:
        stmt = stmt.where(NoticeRow.site_id.in_(sorted(site_ids)))
    for row in session.scalars(stmt):
        errors: list[str] = []
        if senders.webhook_url and row.webhook_sent_at is None:
            if _attempt(row, "webhook", lambda: _post_webhook(senders.webhook_url, row), errors):
                row.webhook_sent_at = utcnow()
        if senders.smtp_host and row.email_sent_at is None:
            if _attempt(row, "email", lambda: _send_email(senders, row), errors):
                row.email_sent_at = utcnow()
        row.attempts += 1
        row.error = "; ".join(errors) or None
        out.errors += errors
        if errors:
            out.failed += 1
        else:
            out.delivered += 1
        session.commit()  # each notice's state kept as it goes: a later failure does not resend it
    return out
