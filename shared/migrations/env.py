"""The body of every component's Alembic ``env.py``: run on the connection the caller handed over."""

from __future__ import annotations

from alembic import context


def run() -> None:
    """Run the component's migrations online, on ``config.attributes['connection']``."""
    config = context.config
    component = config.attributes["component"]
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        version_table=component.version_table,
        transactional_ddl=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
