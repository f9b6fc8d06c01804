"""sessions, tokens and login throttling (issue 11): server-side browser sessions and API tokens
(``auth_session``), counted sign-in failures (``login_failure``) and the locks they cause (``login_lock``).
Declared in ``auth/models.py``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 14:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'auth_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ip_address', sa.String(length=64), nullable=True),
        sa.Column('user_agent', sa.String(length=255), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('end_reason', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_auth_session_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_session')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_auth_session_secret_hash')),
    )
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_session_user_id'), ['user_id'], unique=False)

    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('ip_address', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure')),
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_username_created', ['username', 'created_at'], unique=False)
        batch_op.create_index('ix_login_failure_address_created', ['ip_address', 'created_at'], unique=False)

    op.create_table(
        'login_lock',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('unlocked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('unlocked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['unlocked_by_id'], ['app_user.id'],
                                name=op.f('fk_login_lock_unlocked_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_lock')),
    )
    with op.batch_alter_table('login_lock', schema=None) as batch_op:
        batch_op.create_index('ix_login_lock_kind_subject', ['kind', 'subject'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_lock', schema=None) as batch_op:
        batch_op.drop_index('ix_login_lock_kind_subject')
    op.drop_table('login_lock')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_address_created')
        batch_op.drop_index('ix_login_failure_username_created')
    op.drop_table('login_failure')
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_session_user_id'))
    op.drop_table('auth_session')
