"""Actuals: the days of actual calls each site sent (one row per site and day, the last one sent) and their
intervals. A table rather than datasets of kind `actuals`: a day sent again replaces only that day, a range of
days is read by one query, and the history a forecast reads is built from rows, not by re-reading files.

Revision ID: 0003_actuals
Revises: 0002_sites
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_actuals"
down_revision = "0002_sites"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actual_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("intervals", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "day"),
    )
    op.create_index("ix_actual_days_site_id", "actual_days", ["site_id"], unique=False)
    op.create_table(
        "actual_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("interval_start", sa.DateTime(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=True),
        sa.Column("abandoned", sa.Integer(), nullable=True),
        sa.Column("aht_s", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["day_id"], ["actual_days.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_actual_intervals_day_id", "actual_intervals", ["day_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_actual_intervals_day_id", table_name="actual_intervals")
    op.drop_table("actual_intervals")
    op.drop_index("ix_actual_days_site_id", table_name="actual_days")
    op.drop_table("actual_days")
