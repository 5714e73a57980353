"""GIN index on workshops.facilitator_ids for facilitators' agendas (PostgreSQL; SQLite has no equivalent).

Revision ID: workshops_0003
Revises: workshops_0002
"""

from alembic import op

revision = "workshops_0003"
down_revision = "workshops_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_workshops_workshops_facilitator_ids_gin",
            "workshops",
            ["facilitator_ids"],
            schema="workshops",
            postgresql_using="gin",
            postgresql_ops={"facilitator_ids": "jsonb_path_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(
            "ix_workshops_workshops_facilitator_ids_gin", table_name="workshops", schema="workshops"
        )
