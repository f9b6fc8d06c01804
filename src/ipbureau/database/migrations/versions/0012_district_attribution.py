"""district attribution rules and zones (issue 13): the rule that attributed a patent's or an enterprise's district
(``patent.district_rule``, ``enterprise.district_rule``) and the districts staff assigned by hand
(``district_assignment``, kept across re-imports). Declared in ``reference/models.py``, ``patents/models.py`` and
``enterprises/models.py``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 14:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'district_assignment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('record_key', sa.String(length=64), nullable=False),
        sa.Column('district_code', sa.String(length=6), nullable=False),
        sa.Column('assigned_by', sa.String(length=64), nullable=True),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['district_code'], ['district.code'],
                                name=op.f('fk_district_assignment_district_code_district')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_district_assignment')),
        sa.UniqueConstraint('kind', 'record_key', name='uq_district_assignment_record'),
    )
    with op.batch_alter_table('patent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_rule', sa.String(length=64), nullable=True))
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_rule', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('district_rule')
    with op.batch_alter_table('patent', schema=None) as batch_op:
        batch_op.drop_column('district_rule')
    op.drop_table('district_assignment')
