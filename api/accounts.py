"""People's sign-in: a supervisor makes a person's account with a password (`shiftcast user create`); signing in
with the employee_id and password issues a token of the account's role and scope that expires (api.auth's
tokens, the one implementation of roles and scopes); signing out revokes it.

Only a salted hash of the password is stored (werkzeug.security). A failed sign-in says "wrong person or
password" whichever was wrong; after MAX_FAILURES in a row the account is locked for LOCKED_FOR.
"""
from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from api.auth import PEOPLE, Person, create_token
from api.db import Account, Token, utcnow

MAX_FAILURES = 5
LOCKED_FOR = dt.timedelta(minutes=15)
MIN_PASSWORD = 8
WRONG = "wrong person or password"


class AccountRefused(ValueError):
    """An account that cannot be made or a password that is not taken, in words."""


class SignInRefused(Exception):
    """A sign-in refused: the person or password is wrong (`locked_until` None), or the account is locked."""

    def __init__(self, message: str, locked_until: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountRefused(f"a password has at least {MIN_PASSWORD} characters")
    return generate_password_hash(password)


def create_account(session: Session, person: Person, role: str, name: str, site_id: int, password: str,
                   created_by: str = "") -> Account:
    """A new account for `person` (of PEOPLE's `role`, on a staff file of `site_id`) with `password`, committed.
    AccountRefused when the role is not a person's, the person has an account already, or the password is short."""
    if role not in PEOPLE:
        raise AccountRefused(f"accounts are for {', '.join(PEOPLE)}; a {role} uses an API token "
                             "(shiftcast token create)")
    if session.scalar(select(Account.id).where(Account.employee_id == person.employee_id)) is not None:
        raise AccountRefused(f"{person.employee_id} has an account already: `shiftcast user password` sets a new "
                             "password")
    row = Account(employee_id=person.employee_id, name=name, role=role, person_group=person.group,
                  person_team=person.team, site_id=site_id, password_hash=_checked_password(password),
                  created_by=created_by)
    session.add(row)
    session.commit()
    return row


def set_password(session: Session, employee_id: str, password: str) -> Account:
    """Give the account of `employee_id` a new password and unlock it; its sign-ins so far are revoked."""
    row = session.scalar(select(Account).where(Account.employee_id == employee_id))
    if row is None:
        raise AccountRefused(f"{employee_id} has no account: `shiftcast user create` makes one")
    row.password_hash, row.failures, row.locked_until = _checked_password(password), 0, None
    _revoke_sessions(session, row.id)
    session.commit()
    return row


def _revoke_sessions(session: Session, account_id: int) -> None:
    now = utcnow()
    for token in session.scalars(select(Token).where(Token.account_id == account_id, Token.revoked_at.is_(None))):
        token.revoked_at = now


@functools.cache
def _stand_in_hash() -> str:
    # Checked against when no account has the id, so an unknown person costs the same time as a wrong password.
    return generate_password_hash("no account has this id")


def sign_in(session: Session, employee_id: str, password: str, lasts: dt.timedelta) -> tuple[Token, str]:
    """A token of the account's role, person and site that expires after `lasts` (committed), and its text;
    SignInRefused when the person or password is wrong or the account is locked."""
    row = session.scalar(select(Account).where(Account.employee_id == employee_id))
    now = utcnow()
    if row is None:
        check_password_hash(_stand_in_hash(), password)
        raise SignInRefused(WRONG)
    if row.locked_until is not None and row.locked_until > now:
        raise SignInRefused(f"{MAX_FAILURES} failed sign-ins in a row: try again after "
                            f"{row.locked_until:%H:%M} UTC, or ask a supervisor for a new password", row.locked_until)
    if not check_password_hash(row.password_hash, password):
        row.failures += 1
        if row.failures >= MAX_FAILURES:
            row.failures, row.locked_until = 0, now + LOCKED_FOR
        session.commit()
        raise SignInRefused(WRONG)
    row.failures, row.locked_until = 0, None
    return create_token(session, row.name, row.role, [row.site_id],
                        Person(row.employee_id, row.person_group, row.person_team),
                        account_id=row.id, expires_at=now + lasts)


def sign_out(session: Session, token_id: int) -> bool:
    """Revoke the sign-in's token `token_id` (committed); False when it is an API token, not a sign-in's."""
    token = session.get(Token, token_id)
    if token is None or token.account_id is None:
        return False
    token.revoked_at = token.revoked_at or utcnow()
    session.commit()
    return True
