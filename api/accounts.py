"""Sign-in accounts: a supervisor makes an account with a password (`shiftcast user create`), a person's of the
staff file (agent, group or team leader: its login is their employee_id) or one of the site's roles (supervisor,
hr, viewer: its login is the account's name); signing in with the login and password issues a token of the
account's role and scope that expires (api.auth's tokens, the one implementation of roles and scopes); signing out
revokes it.

Only a salted hash of the password is stored (werkzeug.security). A failed sign-in says "wrong login or password"
whichever was wrong; after MAX_FAILURES in a row for one login the login is locked for LOCKED_FOR, whether an
account has it or not, so neither the words, the lock nor the time taken tell which logins exist.
"""
from __future__ import annotations

import datetime as dt
import functools
import re

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from api.auth import ALL_SITES, Person, PersonNeeded, check_person, create_token
from api.auth import ROLES as TOKEN_ROLES
from api.db import Account, SignInFailures, Token, utcnow

# An account is of one site; a role that sees every site (admin) uses an API token.
ROLES = tuple(role for role in TOKEN_ROLES if role not in ALL_SITES)
MAX_FAILURES = 5
LOCKED_FOR = dt.timedelta(minutes=15)
MIN_PASSWORD = 8
LOGIN = re.compile(r"[^\s/]{1,64}")  # one word: it is typed on a phone and named in commands
WRONG = "wrong login or password"


class AccountRefused(ValueError):
    """An account that cannot be made or a password that is not taken, in words."""


class SignInRefused(Exception):
    """A sign-in refused: the login or password is wrong (`locked_until` None), or the login is locked."""

    def __init__(self, message: str, locked_until: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountRefused(f"a password has at least {MIN_PASSWORD} characters")
    return generate_password_hash(password)


def create_account(session: Session, role: str, name: str, site_id: int, password: str,
                   person: Person | None = None, created_by: str = "") -> Account:
    """A new account of `role` on site `site_id` with `password`, committed: `person`'s (a role of api.auth.PEOPLE,
    `name` as their staff file gives it), whose login is their employee_id, or for a role of the whole site none,
    and its login is `name`. AccountRefused when the role takes no account, the person is missing or not wanted,
    the login is not one word or has an account already, or the password is short."""
    if role not in ROLES:
        raise AccountRefused(f"unknown role {role!r}: accounts are for {', '.join(ROLES)}"
                             + (f"; an {role} uses an API token (shiftcast token create)" if role in TOKEN_ROLES
                                else ""))
    try:
        check_person(role, person is not None, "an account")
    except PersonNeeded as exc:
        raise AccountRefused(str(exc)) from None
    login = person.employee_id if person is not None else name
    if not LOGIN.fullmatch(login):
        raise AccountRefused(f"login {login!r}: one word of 1 to 64 characters, without spaces or '/'")
    taken = session.scalar(select(Account).where(Account.login == login))
    if taken is not None:
        raise AccountRefused(f"{login} has an account already ({taken.role} {taken.name}): `shiftcast user "
                             f"password --login {login}` sets a new password")
    row = Account(login=login, name=name, role=role, site_id=site_id, password_hash=_checked_password(password),
                  created_by=created_by)
    if person is not None:
        row.employee_id, row.person_group, row.person_team = person.employee_id, person.group, person.team
    session.add(row)
    session.commit()
    return row


def set_password(session: Session, login: str, password: str) -> Account:
    """Give the account of `login` a new password and unlock it; its sign-ins so far are revoked."""
    row = session.scalar(select(Account).where(Account.login == login))
    if row is None:
        raise AccountRefused(f"{login} has no account: `shiftcast user create` makes one")
    row.password_hash = _checked_password(password)
    _forget_failures(session, login)
    _revoke_sessions(session, row.id)
    session.commit()
    return row


def locked_until(session: Session, login: str, now: dt.datetime) -> dt.datetime | None:
    """Until when `login` is locked after failed sign-ins, or None."""
    until = session.scalar(select(SignInFailures.locked_until).where(SignInFailures.login == login))
    return until if until is not None and until > now else None


def _revoke_sessions(session: Session, account_id: int) -> None:
    now = utcnow()
    for token in session.scalars(select(Token).where(Token.account_id == account_id, Token.revoked_at.is_(None))):
        token.revoked_at = now


@functools.cache
def _stand_in_hash() -> str:
    # Checked against when no account has the login, so an unknown login costs the same time as a wrong password.
    return generate_password_hash("no account has this login")


def sign_in(session: Session, login: str, password: str, lasts: dt.timedelta) -> tuple[Token, str]:
    """A token of the account's role, person and site that expires after `lasts` (committed), and its text;
    SignInRefused when the login or password is wrong or the login is locked."""
    now = utcnow()
    until = locked_until(session, login, now)
    if until is not None:
        raise SignInRefused(f"{MAX_FAILURES} failed sign-ins in a row: try again after {until:%H:%M} UTC, or ask a "
                            "supervisor for a new password", until)
    row = session.scalar(select(Account).where(Account.login == login))
    if not check_password_hash(row.password_hash if row is not None else _stand_in_hash(), password) or row is None:
        _failed(session, login, now)
        raise SignInRefused(WRONG)
    _forget_failures(session, login)
    person = Person(row.employee_id, row.person_group, row.person_team) if row.employee_id is not None else None
    return create_token(session, row.name, row.role, [row.site_id], person, account_id=row.id,
                        expires_at=now + lasts)


def _failed(session: Session, login: str, now: dt.datetime) -> None:
    """Count a failed sign-in of `login` (committed), locking it at MAX_FAILURES. The count is one UPDATE, so
    sign-ins failing at once are all counted; the first failure of a login inserts its row."""
    counted = update(SignInFailures).where(SignInFailures.login == login).values(failures=SignInFailures.failures + 1)
    if session.execute(counted).rowcount == 0:
        try:
            session.execute(insert(SignInFailures).values(login=login, failures=1))
            session.commit()
        except IntegrityError:  # another sign-in of the login inserted its row meanwhile
            session.rollback()
            session.execute(counted)
    session.execute(update(SignInFailures)
                    .where(SignInFailures.login == login, SignInFailures.failures >= MAX_FAILURES)
                    .values(failures=0, locked_until=now + LOCKED_FOR))
    session.commit()


def _forget_failures(session: Session, login: str) -> None:
    session.execute(delete(SignInFailures).where(SignInFailures.login == login))


def sign_out(session: Session, token_id: int) -> bool:
    """Revoke the sign-in's token `token_id` (committed); False when it is an API token, not a sign-in's."""
    token = session.get(Token, token_id)
    if token is None or token.account_id is None:
        return False
    token.revoked_at = token.revoked_at or utcnow()
    session.commit()
    return True
