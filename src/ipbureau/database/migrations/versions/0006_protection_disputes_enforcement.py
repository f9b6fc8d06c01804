"""protection: 纠纷调解、行政裁决、行政执法 (issue 3) (dispute_investigator, dispute_case, dispute_party, dispute_session, enforcement_case)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dispute_investigator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('affiliations', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('dataset', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_investigator'))
    )

    with op.batch_alter_table('dispute_investigator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_investigator_dataset'), ['dataset'], unique=False)

    op.create_table('dispute_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ip_type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('ip_numbers', sa.String(length=500), nullable=True),
    sa.Column('ipc', sa.String(length=16), nullable=True),
    sa.Column('claim', sa.Text(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=True),
    sa.Column('handling_org', sa.String(length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('agreement_amount_yuan', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('confirmation_court', sa.String(length=200), nullable=True),
    sa.Column('confirmation_on', sa.Date(), nullable=True),
    sa.Column('confirmation_ruling_no', sa.String(length=100), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('investigator_id', sa.Integer(), nullable=True),
    sa.Column('hearing_on', sa.Date(), nullable=True),
    sa.Column('hearing_notes', sa.Text(), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decision_reasons', sa.Text(), nullable=True),
    sa.Column('decision_no', sa.String(length=100), nullable=True),
    sa.Column('concluded_on', sa.Date(), nullable=True),
    sa.Column('dataset', sa.String(length=8), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_dispute_case_created_by_app_user')),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_dispute_case_district_code_district')),
    sa.ForeignKeyConstraint(['handler_id'], ['app_user.id'], name=op.f('fk_dispute_case_handler_id_app_user')),
    sa.ForeignKeyConstraint(['investigator_id'], ['dispute_investigator.id'], name=op.f('fk_dispute_case_investigator_id_dispute_investigator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_case')),
    sa.UniqueConstraint('case_no', name=op.f('uq_dispute_case_case_no'))
    )

    with op.batch_alter_table('dispute_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_case_concluded_on'), ['concluded_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_case_dataset'), ['dataset'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_case_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_case_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_case_handler_id'), ['handler_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_case_investigator_id'), ['investigator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_case_ip_type'), ['ip_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_case_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_case_received_on'), ['received_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_case_status'), ['status'], unique=False)

    op.create_table('enforcement_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('enforcement_unit', sa.String(length=200), nullable=False),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('party_enterprise_id', sa.Integer(), nullable=True),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('party_credit_code', sa.String(length=18), nullable=True),
    sa.Column('party_is_person', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('amount_involved_yuan', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('fines_yuan', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('penalty_decision_no', sa.String(length=100), nullable=True),
    sa.Column('transferred', sa.Boolean(), nullable=False),
    sa.Column('transferred_on', sa.Date(), nullable=True),
    sa.Column('transferred_organ', sa.String(length=200), nullable=True),
    sa.Column('dataset', sa.String(length=8), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_enforcement_case_created_by_app_user')),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_enforcement_case_district_code_district')),
    sa.ForeignKeyConstraint(['handler_id'], ['app_user.id'], name=op.f('fk_enforcement_case_handler_id_app_user')),
    sa.ForeignKeyConstraint(['party_enterprise_id'], ['enterprise.id'], name=op.f('fk_enforcement_case_party_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enforcement_case')),
    sa.UniqueConstraint('case_no', name=op.f('uq_enforcement_case_case_no'))
    )

    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enforcement_case_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_enforcement_case_closed_on'), ['closed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_enforcement_case_dataset'), ['dataset'], unique=False)
        batch_op.create_index(batch_op.f('ix_enforcement_case_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_enforcement_case_handler_id'), ['handler_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enforcement_case_opened_on'), ['opened_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_enforcement_case_party_enterprise_id'), ['party_enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enforcement_case_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_enforcement_case_transferred'), ['transferred'], unique=False)
        batch_op.create_index(batch_op.f('ix_enforcement_case_transferred_on'), ['transferred_on'], unique=False)

    op.create_table('dispute_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('is_person', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['dispute_case.id'], name=op.f('fk_dispute_party_case_id_dispute_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_dispute_party_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_party'))
    )

    with op.batch_alter_table('dispute_party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_party_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_party_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_party_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('dispute_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('participants', sa.String(length=500), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['dispute_case.id'], name=op.f('fk_dispute_session_case_id_dispute_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_dispute_session_created_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_session'))
    )

    with op.batch_alter_table('dispute_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_session_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dispute_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_session_case_id'))

    op.drop_table('dispute_session')

    with op.batch_alter_table('dispute_party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_party_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_dispute_party_credit_code'))
        batch_op.drop_index(batch_op.f('ix_dispute_party_case_id'))

    op.drop_table('dispute_party')

    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enforcement_case_transferred_on'))
        batch_op.drop_index(batch_op.f('ix_enforcement_case_transferred'))
        batch_op.drop_index(batch_op.f('ix_enforcement_case_status'))
        batch_op.drop_index(batch_op.f('ix_enforcement_case_party_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_enforcement_case_opened_on'))
        batch_op.drop_index(batch_op.f('ix_enforcement_case_handler_id'))
        batch_op.drop_index(batch_op.f('ix_enforcement_case_district_code'))
        batch_op.drop_index(batch_op.f('ix_enforcement_case_dataset'))
        batch_op.drop_index(batch_op.f('ix_enforcement_case_closed_on'))
        batch_op.drop_index(batch_op.f('ix_enforcement_case_category'))

    op.drop_table('enforcement_case')

    with op.batch_alter_table('dispute_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_case_status'))
        batch_op.drop_index(batch_op.f('ix_dispute_case_received_on'))
        batch_op.drop_index(batch_op.f('ix_dispute_case_kind'))
        batch_op.drop_index(batch_op.f('ix_dispute_case_ip_type'))
        batch_op.drop_index(batch_op.f('ix_dispute_case_investigator_id'))
        batch_op.drop_index(batch_op.f('ix_dispute_case_handler_id'))
        batch_op.drop_index(batch_op.f('ix_dispute_case_district_code'))
        batch_op.drop_index(batch_op.f('ix_dispute_case_deadline'))
        batch_op.drop_index(batch_op.f('ix_dispute_case_dataset'))
        batch_op.drop_index(batch_op.f('ix_dispute_case_concluded_on'))

    op.drop_table('dispute_case')

    with op.batch_alter_table('dispute_investigator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_investigator_dataset'))

    op.drop_table('dispute_investigator')
