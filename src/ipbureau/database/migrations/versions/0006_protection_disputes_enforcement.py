"""protection: 纠纷调解、行政裁决、行政执法 (issue 3)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
