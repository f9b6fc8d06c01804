"""official statistics beside computed ones, and the Nice classification (issue 13.3–13.5).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 14:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'official_statistic',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=16), nullable=False),
        sa.Column('region_code', sa.String(length=2), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('indicator', sa.String(length=100), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('source_url', sa.String(length=500), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_by_name', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('region_code', 'period', 'indicator', 'scope', 'source_url',
                            name='uq_official_statistic_key'),
    )
    op.create_index('ix_official_statistic_region_code', 'official_statistic', ['region_code'])
    op.create_index('ix_official_statistic_year', 'official_statistic', ['year'])
    op.create_index('ix_official_statistic_indicator_year', 'official_statistic', ['indicator', 'year'])

    op.create_table(
        'nice_class',
        sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('heading', sa.String(length=600), nullable=False),
        sa.Column('edition', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('number'),
    )
    op.create_table(
        'nice_group',
        sa.Column('code', sa.String(length=4), nullable=False),
        sa.Column('class_number', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['class_number'], ['nice_class.number']),
        sa.PrimaryKeyConstraint('code'),
    )
    op.create_index('ix_nice_group_class_number', 'nice_group', ['class_number'])
    op.create_table(
        'nice_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_code', sa.String(length=4), nullable=False),
        sa.Column('item_code', sa.String(length=8), nullable=False),
        sa.Column('class_number', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['group_code'], ['nice_group.code']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_nice_item_group_code', 'nice_item', ['group_code'])
    op.create_index('ix_nice_item_item_code', 'nice_item', ['item_code'])
    op.create_index('ix_nice_item_class_number', 'nice_item', ['class_number'])


def downgrade() -> None:
    op.drop_index('ix_nice_item_class_number', table_name='nice_item')
    op.drop_index('ix_nice_item_item_code', table_name='nice_item')
    op.drop_index('ix_nice_item_group_code', table_name='nice_item')
    op.drop_table('nice_item')
    op.drop_index('ix_nice_group_class_number', table_name='nice_group')
    op.drop_table('nice_group')
    op.drop_table('nice_class')
    op.drop_index('ix_official_statistic_indicator_year', table_name='official_statistic')
    op.drop_index('ix_official_statistic_year', table_name='official_statistic')
    op.drop_index('ix_official_statistic_region_code', table_name='official_statistic')
    op.drop_table('official_statistic')
