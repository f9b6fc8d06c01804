"""matching engine and embeddings (issue 14): index the vectors' model, so that the vectors of another model
(USE-m3 before this revision, any later change of encoder) are found and re-embedded by `ipbureau embed-missing`.
The old vectors stay until replaced (they are never used: market.embeddings compares the model name).

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-29 14:30:00
"""
from alembic import op


revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_market_patent_embedding_model', 'market_patent_embedding', ['model'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_market_patent_embedding_model', table_name='market_patent_embedding')
