"""optimistic version checks (issue 11): a ``version`` counter on the records two staff may change at once.

The ORM maps each as ``version_id_col`` (database.core.VersionedMixin): existing rows start at 1.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 14:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


# The pre-examination, dispute, enforcement and screening cases, the market's listings and deals.
VERSIONED_TABLES = ("preexam_case", "dispute_case", "enforcement_case", "screening_case", "market_listing",
                    "market_deal")


def upgrade() -> None:
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in reversed(VERSIONED_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
