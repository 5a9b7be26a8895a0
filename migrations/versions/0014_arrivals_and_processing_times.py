"""arrivals at the port and published processing times

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-01 02:30:00

A new staff role, ``port_officer`` (the role CHECK constraint widened; ``users.port_code``
for the officer's own port); ``arrivals``, one row per inspection recorded at a port;
``processing_times``, the published figures a beat task recomputes; and
``traveler_profiles.passport_lookup``, the keyed hash of passport number + date of birth a
port officer's lookup uses. The hash needs the application's key, which a migration does
not have: existing profiles get theirs from ``flask --app wsgi reindex-passports`` (run it
once after upgrading; a profile saved again gets its own anyway).
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

OLD_ROLES = ("traveler", "employer", "officer", "supervisor", "admin")
NEW_ROLES = OLD_ROLES + ("port_officer",)
OUTCOMES = ("admitted", "secondary", "refused", "admitted_other")


def _roles(values):
    allowed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), f"role IN ({allowed})")


def _country(name):
    return sa.Enum('US', 'CA', name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    _roles(NEW_ROLES)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('port_code', sa.String(length=32), nullable=True))
    with op.batch_alter_table('traveler_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passport_lookup', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_traveler_profiles_passport_lookup'),
                              ['passport_lookup'], unique=False)
    op.create_table(
        'arrivals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('petition_id', sa.Integer(), nullable=True),
        sa.Column('country', _country('arrival_country'), nullable=False),
        sa.Column('port_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('admitted_until', sa.Date(), nullable=True),
        sa.Column('reason_code', sa.String(length=64), nullable=True),
        sa.Column('inspection_started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('inspection_ended_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.Column('warnings', sa.JSON(), server_default='[]', nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"outcome IN {OUTCOMES}", name=op.f('ck_arrivals_outcome')),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id'],
                                name=op.f('fk_arrivals_category_id_categories')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_arrivals_event_id_events')),
        sa.ForeignKeyConstraint(['officer_id'], ['users.id'],
                                name=op.f('fk_arrivals_officer_id_users')),
        sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'],
                                name=op.f('fk_arrivals_petition_id_petitions')),
        sa.ForeignKeyConstraint(['port_id'], ['ports.id'],
                                name=op.f('fk_arrivals_port_id_ports')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_arrivals')))
    with op.batch_alter_table('arrivals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrivals_petition_id'), ['petition_id'],
                              unique=False)
        batch_op.create_index('ix_arrivals_port_started', ['port_id', 'inspection_started_at'],
                              unique=False)
    op.create_table(
        'processing_times',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('country', _country('processing_country'), nullable=False),
        sa.Column('queue_code', sa.String(length=64), nullable=False),
        sa.Column('queue_name', sa.String(length=200), nullable=False),
        sa.Column('category_code', sa.String(length=32), nullable=False),
        sa.Column('category_name', sa.String(length=200), nullable=False),
        sa.Column('median_days', sa.Integer(), nullable=False),
        sa.Column('p80_days', sa.Integer(), nullable=False),
        sa.Column('decisions', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_processing_times')),
        sa.UniqueConstraint('country', 'queue_code', 'category_code',
                            name='uq_processing_times_queue_category'))


def downgrade():
    op.drop_table('processing_times')
    with op.batch_alter_table('arrivals', schema=None) as batch_op:
        batch_op.drop_index('ix_arrivals_port_started')
        batch_op.drop_index(batch_op.f('ix_arrivals_petition_id'))
    op.drop_table('arrivals')
    with op.batch_alter_table('traveler_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_traveler_profiles_passport_lookup'))
        batch_op.drop_column('passport_lookup')
    # The old vocabulary has no port officers: their accounts are kept (the audit trail
    # names them) but disabled, with the role that grants the least (a traveler with no
    # petitions sees nothing).
    op.execute("UPDATE users SET role = 'traveler', is_active_account = false "
               "WHERE role = 'port_officer'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('port_code')
    _roles(OLD_ROLES)
