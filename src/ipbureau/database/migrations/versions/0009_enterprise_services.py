"""enterprises: 培育评估、服务走访、培训、费用减缴 (issue 4)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
