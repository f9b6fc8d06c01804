"""matching (issue 14; chained after 0018_jobs, which another area added in the same session): demands' stored query vectors (market_demand_embedding), so that matching a stored demand
never encodes its text in a request; computed after the demand's commit in the background or by
`ipbureau embed-missing`, like the patents' vectors.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 18:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('market_demand_embedding',
    sa.Column('demand_id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=32), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['demand_id'], ['market_demand.id'], name=op.f('fk_market_demand_embedding_demand_id_market_demand'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('demand_id', name=op.f('pk_market_demand_embedding'))
    )
    op.create_index('ix_market_demand_embedding_model', 'market_demand_embedding', ['model'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_market_demand_embedding_model', table_name='market_demand_embedding')
    op.drop_table('market_demand_embedding')
