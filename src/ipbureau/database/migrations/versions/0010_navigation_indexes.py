"""navigation: covering indexes on patent for the navigation report (filings by dataset, year,
Tianjin and district; the dataset's data stamp). Declared in ``navigation/models.py``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 23:30:00
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_patent_dataset_filing_province_district', 'patent',
                    ['dataset', 'filing_date', 'province_code', 'district_code'], unique=False)
    op.create_index('ix_patent_dataset_updated', 'patent', ['dataset', 'updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_patent_dataset_updated', table_name='patent')
    op.drop_index('ix_patent_dataset_filing_province_district', table_name='patent')
