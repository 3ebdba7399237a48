"""Sites: datasets, results, jobs and tokens belong to a call center. A store made before sites keeps all
its data in one site, "default" (id 1), and each of its non-admin tokens sees that site. Jobs record the
token that queued them, their owner.

Revision ID: 0002_sites
Revises: 0001
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = "0002_sites"
down_revision = "0001"
branch_labels = None
depends_on = None

DEFAULT_SITE_ID = 1  # api.db.DEFAULT_SITE_ID, written out: a migration must not change when the models do
SITED = ("datasets", "results", "jobs")


def upgrade() -> None:
    sites = op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    # The first row of a new table: id 1 (DEFAULT_SITE_ID) on SQLite and PostgreSQL alike, and the id
    # sequence knows it (an explicit id would leave PostgreSQL's sequence to hand out 1 again).
    op.bulk_insert(sites, [{"name": "default", "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}])
    op.create_table(
        "token_sites",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.ForeignKeyConstraint(["token_id"], ["tokens.id"]),
        sa.PrimaryKeyConstraint("token_id", "site_id"),
    )
    op.execute(f"INSERT INTO token_sites (token_id, site_id) SELECT id, {DEFAULT_SITE_ID} FROM tokens WHERE role <> 'admin'")
    for table in SITED:
        with op.batch_alter_table(table) as batch:
            # Every row there is the default site's; the default goes once they are.
            batch.add_column(sa.Column("site_id", sa.Integer(), nullable=False, server_default=str(DEFAULT_SITE_ID)))
            batch.create_foreign_key(f"fk_{table}_site_id_sites", "sites", ["site_id"], ["id"])
            batch.create_index(f"ix_{table}_site_id", ["site_id"])
        with op.batch_alter_table(table) as batch:
            batch.alter_column("site_id", server_default=None)
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("token_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_jobs_token_id_tokens", "tokens", ["token_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint("fk_jobs_token_id_tokens", type_="foreignkey")
        batch.drop_column("token_id")
    for table in reversed(SITED):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_site_id")
            batch.drop_constraint(f"fk_{table}_site_id_sites", type_="foreignkey")
            batch.drop_column("site_id")
    op.drop_table("token_sites")
    op.drop_table("sites")
