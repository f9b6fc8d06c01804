"""enterprises: 培育评估、服务走访、培训、费用减缴 (issue 4)

enterprise_ip_management, enterprise_assessment, service_team, service_visit, service_training,
service_training_attendance, service_fee_reduction.

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
    op.create_table('service_team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('leader', sa.String(length=64), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('dataset', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_team')),
    sa.UniqueConstraint('name', name=op.f('uq_service_team_name'))
    )
    with op.batch_alter_table('service_team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_team_dataset'), ['dataset'], unique=False)

    op.create_table('enterprise_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('breakdown', sa.JSON(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_enterprise_assessment_created_by_app_user')),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], name=op.f('fk_enterprise_assessment_decided_by_app_user')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_enterprise_assessment_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_assessment')),
    sa.UniqueConstraint('enterprise_id', 'year', 'level', name='uq_enterprise_assessment_year_level')
    )
    with op.batch_alter_table('enterprise_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_assessment_decided_on'), ['decided_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_assessment_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_assessment_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_assessment_year'), ['year'], unique=False)

    op.create_table('enterprise_ip_management',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('ip_staff', sa.Integer(), nullable=False),
    sa.Column('has_ip_department', sa.Boolean(), nullable=False),
    sa.Column('standard_certified', sa.Boolean(), nullable=False),
    sa.Column('has_ip_policy', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_enterprise_ip_management_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['updated_by'], ['app_user.id'], name=op.f('fk_enterprise_ip_management_updated_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_ip_management')),
    sa.UniqueConstraint('enterprise_id', name=op.f('uq_enterprise_ip_management_enterprise_id'))
    )
    op.create_table('service_training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('organiser', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=True),
    sa.Column('total_participants', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('dataset', sa.String(length=8), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_service_training_created_by_app_user')),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_service_training_district_code_district')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_training'))
    )
    with op.batch_alter_table('service_training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_training_dataset'), ['dataset'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_training_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_training_held_on'), ['held_on'], unique=False)

    op.create_table('service_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('staff_count', sa.Integer(), nullable=False),
    sa.Column('problems_raised', sa.Integer(), nullable=False),
    sa.Column('problems_solved', sa.Integer(), nullable=False),
    sa.Column('topics', sa.Text(), nullable=True),
    sa.Column('follow_up', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_service_visit_created_by_app_user')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_service_visit_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['team_id'], ['service_team.id'], name=op.f('fk_service_visit_team_id_service_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_visit'))
    )
    with op.batch_alter_table('service_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_visit_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_visit_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_visit_visited_on'), ['visited_on'], unique=False)

    op.create_table('service_fee_reduction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('amount_yuan', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('patents_count', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_service_fee_reduction_created_by_app_user')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_service_fee_reduction_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batch.id'], name=op.f('fk_service_fee_reduction_import_batch_id_import_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_fee_reduction')),
    sa.UniqueConstraint('enterprise_id', 'year', name='uq_service_fee_reduction_year')
    )
    with op.batch_alter_table('service_fee_reduction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_fee_reduction_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_fee_reduction_import_batch_id'), ['import_batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_fee_reduction_recorded_on'), ['recorded_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_fee_reduction_year'), ['year'], unique=False)

    op.create_table('service_training_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_service_training_attendance_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['training_id'], ['service_training.id'], name=op.f('fk_service_training_attendance_training_id_service_training'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_training_attendance')),
    sa.UniqueConstraint('training_id', 'enterprise_id', name='uq_service_training_attendance_pair')
    )
    with op.batch_alter_table('service_training_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_training_attendance_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_training_attendance_training_id'), ['training_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('service_training_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_training_attendance_training_id'))
        batch_op.drop_index(batch_op.f('ix_service_training_attendance_enterprise_id'))

    op.drop_table('service_training_attendance')
    with op.batch_alter_table('service_fee_reduction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_fee_reduction_year'))
        batch_op.drop_index(batch_op.f('ix_service_fee_reduction_recorded_on'))
        batch_op.drop_index(batch_op.f('ix_service_fee_reduction_import_batch_id'))
        batch_op.drop_index(batch_op.f('ix_service_fee_reduction_enterprise_id'))

    op.drop_table('service_fee_reduction')
    with op.batch_alter_table('service_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_visit_visited_on'))
        batch_op.drop_index(batch_op.f('ix_service_visit_team_id'))
        batch_op.drop_index(batch_op.f('ix_service_visit_enterprise_id'))

    op.drop_table('service_visit')
    with op.batch_alter_table('service_training', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_training_held_on'))
        batch_op.drop_index(batch_op.f('ix_service_training_district_code'))
        batch_op.drop_index(batch_op.f('ix_service_training_dataset'))

    op.drop_table('service_training')
    op.drop_table('enterprise_ip_management')
    with op.batch_alter_table('enterprise_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_assessment_year'))
        batch_op.drop_index(batch_op.f('ix_enterprise_assessment_status'))
        batch_op.drop_index(batch_op.f('ix_enterprise_assessment_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_enterprise_assessment_decided_on'))

    op.drop_table('enterprise_assessment')
    with op.batch_alter_table('service_team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_team_dataset'))

    op.drop_table('service_team')
