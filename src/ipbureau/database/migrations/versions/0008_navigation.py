"""navigation: 产业链定义与导航报告 (issue 4): navigation_chain (staff edits of the chains), navigation_project (delivered reports)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('navigation_chain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('ipc_prefixes', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('segments', sa.JSON(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['app_user.id'], name=op.f('fk_navigation_chain_updated_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_navigation_chain')),
    sa.UniqueConstraint('code', name=op.f('uq_navigation_chain_code'))
    )
    op.create_table('navigation_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chain_code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('client', sa.String(length=200), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=True),
    sa.Column('dataset', sa.String(length=8), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_navigation_project_created_by_app_user')),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_navigation_project_district_code_district')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_navigation_project'))
    )
    with op.batch_alter_table('navigation_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_navigation_project_chain_code'), ['chain_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_navigation_project_dataset'), ['dataset'], unique=False)
        batch_op.create_index(batch_op.f('ix_navigation_project_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_navigation_project_published_on'), ['published_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('navigation_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_navigation_project_published_on'))
        batch_op.drop_index(batch_op.f('ix_navigation_project_district_code'))
        batch_op.drop_index(batch_op.f('ix_navigation_project_dataset'))
        batch_op.drop_index(batch_op.f('ix_navigation_project_chain_code'))
    op.drop_table('navigation_project')
    op.drop_table('navigation_chain')
