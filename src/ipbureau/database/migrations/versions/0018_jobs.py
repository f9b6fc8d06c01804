"""background jobs (one mechanism for imports and screening runs): the table ``import_job`` becomes the generic
``background_job`` (kind, subject, stage, result_id); existing import jobs are copied over (kind "import.<kind>",
the file as subject, the import batch as result_id). Screening jobs were kept in memory only: none to copy.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 18:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

COMMON = ('id', 'dataset', 'state', 'done', 'total', 'message', 'problems', 'created_by', 'worker', 'created_at',
          'started_at', 'finished_at')


def _common_columns() -> list[sa.Column]:
    return [
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('dataset', sa.String(length=8), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=1000), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('worker', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    ]


def _import_job_columns() -> list[sa.Column]:
    return [*_common_columns(), sa.Column('kind', sa.String(length=16), nullable=False),
            sa.Column('filename', sa.String(length=255), nullable=False),
            sa.Column('batch_id', sa.Integer(), nullable=True)]


def _background_job_columns() -> list[sa.Column]:
    return [*_common_columns(), sa.Column('kind', sa.String(length=32), nullable=False),
            sa.Column('subject', sa.String(length=255), nullable=False),
            sa.Column('stage', sa.String(length=100), nullable=False),
            sa.Column('result_id', sa.Integer(), nullable=True)]


def upgrade() -> None:
    op.create_table(
        'background_job', *_background_job_columns(),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_background_job_created_by_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_background_job')),
    )
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_job_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_background_job_state'), ['state'], unique=False)
    old = sa.table('import_job', *_import_job_columns())
    rows = op.get_bind().execute(sa.select(old)).mappings().all()
    if rows:
        op.bulk_insert(sa.table('background_job', *_background_job_columns()), [
            {**{name: row[name] for name in COMMON}, 'kind': f"import.{row['kind']}", 'subject': row['filename'],
             'stage': '', 'result_id': row['batch_id']} for row in rows])
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_job_state'))
    op.drop_table('import_job')


def downgrade() -> None:
    op.create_table(
        'import_job', *_import_job_columns(),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_import_job_batch_id_import_batch')),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_import_job_created_by_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_job')),
    )
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_job_state'), ['state'], unique=False)
    new = sa.table('background_job', *_background_job_columns())
    rows = op.get_bind().execute(sa.select(new).where(new.c.kind.like('import.%'))).mappings().all()
    if rows:  # screening jobs have no place in the old table: they were kept in memory then
        op.bulk_insert(sa.table('import_job', *_import_job_columns()), [
            {**{name: row[name] for name in COMMON}, 'kind': row['kind'].partition('.')[2][:16],
             'filename': row['subject'], 'batch_id': row['result_id']} for row in rows])
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_job_state'))
        batch_op.drop_index(batch_op.f('ix_background_job_kind'))
    op.drop_table('background_job')
