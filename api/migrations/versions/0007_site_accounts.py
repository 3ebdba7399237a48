"""Accounts for the site's roles (supervisor, hr, viewer), who have no person in a staff file: an account signs in
with its login (a person's employee_id, or the account's name), and its employee_id is only a person's. Failed
sign-ins are counted per login in a table of their own, for logins no account has too, so a lock tells nothing of
which logins exist.

Revision ID: 0007_site_accounts
Revises: 0006_accounts
"""
from alembic import op
import sqlalchemy as sa


revision = "0007_site_accounts"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("login"),
    )
    op.execute("INSERT INTO sign_in_failures (login, failures, locked_until) SELECT employee_id, failures, "
               "locked_until FROM accounts WHERE failures > 0 OR locked_until IS NOT NULL")
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("login", sa.String(length=64), nullable=True))
    op.execute("UPDATE accounts SET login = employee_id")
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("login", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_accounts_login", ["login"])
        batch.alter_column("employee_id", existing_type=sa.String(length=64), nullable=True)
        batch.drop_column("failures")
        batch.drop_column("locked_until")


def downgrade() -> None:
    site_accounts = op.get_bind().execute(sa.text("SELECT count(*) FROM accounts WHERE employee_id IS NULL")).scalar()
    if site_accounts:
        raise RuntimeError(f"{site_accounts} accounts of the site's roles (supervisor, hr, viewer) have no place "
                           "before 0007_site_accounts: delete them and their sign-ins' tokens first")
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.execute("UPDATE accounts SET failures = COALESCE((SELECT f.failures FROM sign_in_failures f "
               "WHERE f.login = accounts.login), 0), locked_until = (SELECT f.locked_until FROM sign_in_failures f "
               "WHERE f.login = accounts.login)")
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("failures", existing_type=sa.Integer(), server_default=None)
        batch.alter_column("employee_id", existing_type=sa.String(length=64), nullable=False)
        batch.drop_constraint("uq_accounts_login", type_="unique")
        batch.drop_column("login")
    op.drop_table("sign_in_failures")
