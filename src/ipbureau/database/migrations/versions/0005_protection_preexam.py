"""protection: 专利预审 (issue 3): preexam_centre, preexam_filing, preexam_key_enterprise, preexam_examiner,
preexam_case, preexam_document

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('preexam_centre',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('short_name', sa.String(length=32), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=True),
    sa.Column('chains', sa.JSON(), nullable=False),
    sa.Column('ipc_prefixes', sa.JSON(), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('green_deadline_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_preexam_centre_district_code_district')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preexam_centre')),
    sa.UniqueConstraint('code', name=op.f('uq_preexam_centre_code')),
    sa.UniqueConstraint('name', name=op.f('uq_preexam_centre_name'))
    )
    op.create_table('preexam_examiner',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('ipc_prefixes', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['preexam_centre.id'], name=op.f('fk_preexam_examiner_centre_id_preexam_centre')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_preexam_examiner_user_id_app_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_preexam_examiner'))
    )
    op.create_index(op.f('ix_preexam_examiner_centre_id'), 'preexam_examiner', ['centre_id'], unique=False)
    op.create_table('preexam_filing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('ipc_fields', sa.JSON(), nullable=False),
    sa.Column('contact_person', sa.String(length=64), nullable=True),
    sa.Column('contact_phone', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['preexam_centre.id'], name=op.f('fk_preexam_filing_centre_id_preexam_centre')),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_preexam_filing_created_by_app_user')),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], name=op.f('fk_preexam_filing_decided_by_app_user')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_preexam_filing_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preexam_filing')),
    sa.UniqueConstraint('centre_id', 'enterprise_id', name='uq_preexam_filing_centre_enterprise')
    )
    op.create_index(op.f('ix_preexam_filing_centre_id'), 'preexam_filing', ['centre_id'], unique=False)
    op.create_index(op.f('ix_preexam_filing_enterprise_id'), 'preexam_filing', ['enterprise_id'], unique=False)
    op.create_index(op.f('ix_preexam_filing_status'), 'preexam_filing', ['status'], unique=False)
    op.create_table('preexam_key_enterprise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['app_user.id'], name=op.f('fk_preexam_key_enterprise_added_by_app_user')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_preexam_key_enterprise_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preexam_key_enterprise')),
    sa.UniqueConstraint('enterprise_id', name=op.f('uq_preexam_key_enterprise_enterprise_id'))
    )
    op.create_table('preexam_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=32), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('patent_type', sa.String(length=16), nullable=False),
    sa.Column('ipc_main', sa.String(length=16), nullable=False),
    sa.Column('chain_code', sa.String(length=32), nullable=True),
    sa.Column('abstract', sa.Text(), nullable=True),
    sa.Column('applicant', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('green_channel', sa.Boolean(), nullable=False),
    sa.Column('examiner_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('cnipa_application_no', sa.String(length=20), nullable=True),
    sa.Column('cnipa_submitted_on', sa.Date(), nullable=True),
    sa.Column('granted_on', sa.Date(), nullable=True),
    sa.Column('patent_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['preexam_centre.id'], name=op.f('fk_preexam_case_centre_id_preexam_centre')),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_preexam_case_created_by_app_user')),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], name=op.f('fk_preexam_case_decided_by_app_user')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_preexam_case_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['examiner_id'], ['app_user.id'], name=op.f('fk_preexam_case_examiner_id_app_user')),
    sa.ForeignKeyConstraint(['filing_id'], ['preexam_filing.id'], name=op.f('fk_preexam_case_filing_id_preexam_filing')),
    sa.ForeignKeyConstraint(['patent_id'], ['patent.id'], name=op.f('fk_preexam_case_patent_id_patent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preexam_case')),
    sa.UniqueConstraint('case_no', name=op.f('uq_preexam_case_case_no')),
    sa.UniqueConstraint('cnipa_application_no', name=op.f('uq_preexam_case_cnipa_application_no'))
    )
    op.create_index(op.f('ix_preexam_case_centre_id'), 'preexam_case', ['centre_id'], unique=False)
    op.create_index('ix_preexam_case_centre_status', 'preexam_case', ['centre_id', 'status'], unique=False)
    op.create_index(op.f('ix_preexam_case_chain_code'), 'preexam_case', ['chain_code'], unique=False)
    op.create_index(op.f('ix_preexam_case_decided_at'), 'preexam_case', ['decided_at'], unique=False)
    op.create_index(op.f('ix_preexam_case_decision'), 'preexam_case', ['decision'], unique=False)
    op.create_index(op.f('ix_preexam_case_enterprise_id'), 'preexam_case', ['enterprise_id'], unique=False)
    op.create_index(op.f('ix_preexam_case_examiner_id'), 'preexam_case', ['examiner_id'], unique=False)
    op.create_index(op.f('ix_preexam_case_filing_id'), 'preexam_case', ['filing_id'], unique=False)
    op.create_index(op.f('ix_preexam_case_granted_on'), 'preexam_case', ['granted_on'], unique=False)
    op.create_index(op.f('ix_preexam_case_ipc_main'), 'preexam_case', ['ipc_main'], unique=False)
    op.create_index(op.f('ix_preexam_case_patent_id'), 'preexam_case', ['patent_id'], unique=False)
    op.create_index(op.f('ix_preexam_case_received_at'), 'preexam_case', ['received_at'], unique=False)
    op.create_index(op.f('ix_preexam_case_status'), 'preexam_case', ['status'], unique=False)
    op.create_table('preexam_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_path', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['preexam_case.id'], name=op.f('fk_preexam_document_case_id_preexam_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['app_user.id'], name=op.f('fk_preexam_document_uploaded_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preexam_document'))
    )
    op.create_index(op.f('ix_preexam_document_case_id'), 'preexam_document', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_preexam_document_case_id'), table_name='preexam_document')
    op.drop_table('preexam_document')
    op.drop_index(op.f('ix_preexam_case_status'), table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_received_at'), table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_patent_id'), table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_ipc_main'), table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_granted_on'), table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_filing_id'), table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_examiner_id'), table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_enterprise_id'), table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_decision'), table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_decided_at'), table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_chain_code'), table_name='preexam_case')
    op.drop_index('ix_preexam_case_centre_status', table_name='preexam_case')
    op.drop_index(op.f('ix_preexam_case_centre_id'), table_name='preexam_case')
    op.drop_table('preexam_case')
    op.drop_table('preexam_key_enterprise')
    op.drop_index(op.f('ix_preexam_filing_status'), table_name='preexam_filing')
    op.drop_index(op.f('ix_preexam_filing_enterprise_id'), table_name='preexam_filing')
    op.drop_index(op.f('ix_preexam_filing_centre_id'), table_name='preexam_filing')
    op.drop_table('preexam_filing')
    op.drop_index(op.f('ix_preexam_examiner_centre_id'), table_name='preexam_examiner')
    op.drop_table('preexam_examiner')
    op.drop_table('preexam_centre')
