"""protection: 非正常专利申请筛查 (issue 3): screening_run, screening_flag, screening_case

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screening_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset', sa.String(length=8), nullable=False),
    sa.Column('filed_from', sa.Date(), nullable=True),
    sa.Column('filed_to', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('applications', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Integer(), nullable=False),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['started_by'], ['app_user.id'], name=op.f('fk_screening_run_started_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_run'))
    )
    op.create_table('screening_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=False),
    sa.Column('sign', sa.String(length=24), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['patent_id'], ['patent.id'], name=op.f('fk_screening_flag_patent_id_patent'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['screening_run.id'], name=op.f('fk_screening_flag_run_id_screening_run'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_flag')),
    sa.UniqueConstraint('patent_id', 'sign', name='uq_screening_flag_patent_id_sign')
    )
    with op.batch_alter_table('screening_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_flag_patent_id'), ['patent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_flag_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_flag_sign'), ['sign'], unique=False)

    op.create_table('screening_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=False),
    sa.Column('total_score', sa.Float(), nullable=False),
    sa.Column('signs', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('handling', sa.String(length=16), nullable=True),
    sa.Column('handling_note', sa.Text(), nullable=True),
    sa.Column('handled_on', sa.Date(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], name=op.f('fk_screening_case_decided_by_app_user')),
    sa.ForeignKeyConstraint(['patent_id'], ['patent.id'], name=op.f('fk_screening_case_patent_id_patent'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['screening_run.id'], name=op.f('fk_screening_case_run_id_screening_run'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_case')),
    sa.UniqueConstraint('patent_id', name=op.f('uq_screening_case_patent_id'))
    )
    with op.batch_alter_table('screening_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_case_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_case_handled_on'), ['handled_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_case_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_case_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_case_total_score'), ['total_score'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('screening_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_case_total_score'))
        batch_op.drop_index(batch_op.f('ix_screening_case_status'))
        batch_op.drop_index(batch_op.f('ix_screening_case_run_id'))
        batch_op.drop_index(batch_op.f('ix_screening_case_handled_on'))
        batch_op.drop_index(batch_op.f('ix_screening_case_decided_at'))
    op.drop_table('screening_case')
    with op.batch_alter_table('screening_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_flag_sign'))
        batch_op.drop_index(batch_op.f('ix_screening_flag_run_id'))
        batch_op.drop_index(batch_op.f('ix_screening_flag_patent_id'))
    op.drop_table('screening_flag')
    op.drop_table('screening_run')
