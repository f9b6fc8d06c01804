"""import jobs and streamed imports (issues 11, 12, 13): import jobs become rows (state, progress, reason, who,
file, times) so that a restart can say which imports did not finish; the redundant index patent(dataset) goes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 14:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'import_job',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('dataset', sa.String(length=8), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=1000), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('worker', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_import_job_batch_id_import_batch')),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_import_job_created_by_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_job')),
    )
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_job_state'), ['state'], unique=False)
    # Redundant: ix_patent_dataset_district, ix_patent_dataset_type_grant (and later composite indexes) start
    # with dataset, so they serve any lookup by dataset; one index fewer to maintain per imported patent.
    with op.batch_alter_table('patent', schema=None) as batch_op:
        batch_op.drop_index('ix_patent_dataset')


def downgrade() -> None:
    with op.batch_alter_table('patent', schema=None) as batch_op:
        batch_op.create_index('ix_patent_dataset', ['dataset'], unique=False)
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_job_state'))
    op.drop_table('import_job')
