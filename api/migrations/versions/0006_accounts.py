"""People's sign-in accounts (a password hash, with a lock after repeated failures), and the short-lived tokens
a sign-in issues: each token may name its account and when it expires.

Revision ID: 0006_accounts
Revises: 0005_publishing
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_accounts"
down_revision = "0005_publishing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("person_group", sa.String(length=100), nullable=False),
        sa.Column("person_team", sa.String(length=100), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("employee_id"),
    )
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key("fk_tokens_account_id_accounts", "accounts", ["account_id"], ["id"])
        batch.create_index("ix_tokens_account_id", ["account_id"])


def downgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.drop_index("ix_tokens_account_id")
        batch.drop_constraint("fk_tokens_account_id_accounts", type_="foreignkey")
        batch.drop_column("expires_at")
        batch.drop_column("account_id")
    op.drop_table("accounts")
