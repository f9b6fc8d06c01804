"""market: 技术需求、匹配与推送，站内通知 (issue 5)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
