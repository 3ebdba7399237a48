"""Roster versions (draft -> published, with their change lists), the outbox of notices, the audit trail,
tokens of one person (an agent, a group or team leader), and their requests.

Revision ID: 0005_publishing
Revises: 0004_job_parent
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_publishing"
down_revision = "0004_job_parent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("person_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("person_group", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("person_team", sa.String(length=100), nullable=True))
    op.create_table(
        "roster_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("roster_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.ForeignKeyConstraint(["roster_id"], ["results.id"]),
        sa.ForeignKeyConstraint(["based_on_id"], ["roster_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "month", "number"),
    )
    op.create_index("ix_roster_versions_site_id", "roster_versions", ["site_id"], unique=False)
    op.create_index("ix_roster_versions_month", "roster_versions", ["month"], unique=False)
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("webhook_sent_at", sa.DateTime(), nullable=True),
        sa.Column("email_sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["roster_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notices_site_id", "notices", ["site_id"], unique=False)
    op.create_index("ix_notices_version_id", "notices", ["version_id"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.ForeignKeyConstraint(["token_id"], ["tokens.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_events_site_id", "audit_events", ["site_id"], unique=False)
    op.create_index("ix_audit_events_at", "audit_events", ["at"], unique=False)
    op.create_table(
        "time_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("employee_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("group_name", sa.String(length=100), nullable=False),
        sa.Column("team_name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("shift", sa.String(length=20), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.Column("partner_agreed_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("routing", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("impact", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["roster_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_time_requests_site_id", "time_requests", ["site_id"], unique=False)
    op.create_index("ix_time_requests_version_id", "time_requests", ["version_id"], unique=False)
    op.create_index("ix_time_requests_month", "time_requests", ["month"], unique=False)
    op.create_index("ix_time_requests_state", "time_requests", ["state"], unique=False)


def downgrade() -> None:
    for index in ("state", "month", "version_id", "site_id"):
        op.drop_index(f"ix_time_requests_{index}", table_name="time_requests")
    op.drop_table("time_requests")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_index("ix_audit_events_site_id", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_notices_version_id", table_name="notices")
    op.drop_index("ix_notices_site_id", table_name="notices")
    op.drop_table("notices")
    op.drop_index("ix_roster_versions_month", table_name="roster_versions")
    op.drop_index("ix_roster_versions_site_id", table_name="roster_versions")
    op.drop_table("roster_versions")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("person_team")
        batch.drop_column("person_group")
        batch.drop_column("person_id")
