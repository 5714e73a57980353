"""Alembic migrations of every component, each with its own version table, upgraded together.

A component is a folder of Alembic revisions (``<package>/migrations``) with an ``env.py`` that calls
``shared.migrations.env.run``. Revision files are named ``YYYY_MM_DD_slug.py``. Order matters where tables
of one component reference another's (none do across services), so ``COMPONENTS`` lists them in order.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


@dataclass(frozen=True)
class Component:
    """One set of migrations with its own version table."""

    name: str
    script_location: str

    @property
    def version_table(self) -> str:
        """The Alembic version table of this component."""
        return f"alembic_version_{self.name}"


COMPONENTS: tuple[Component, ...] = (
    Component("eventlog", "shared.eventlog:migrations"),
    Component("platform", "shared.platform:migrations"),
    Component("registry", "services.registry:migrations"),
    Component("workshops", "services.workshops.processes:migrations"),
    Component("workshops_outcomes", "services.workshops.outcomes:migrations"),
    Component("workshops_sessions", "services.workshops.sessions:migrations"),
    Component("workshops_participation", "services.workshops.participation:migrations"),
    Component("workshops_attachments", "services.workshops.attachments:migrations"),
    Component("workshops_imports", "services.workshops.imports:migrations"),
    Component("workshops_knowledge", "services.workshops.knowledge:migrations"),
    # After every workshops component: the search index is backfilled from their tables.
    Component("workshops_search", "services.workshops.search:migrations"),
    Component("reporting", "services.reporting:migrations"),
    Component("webhooks", "services.reporting.webhooks:migrations"),
)


def _config(component: Component) -> Config:
    config = Config()
    config.set_main_option("script_location", component.script_location)
    config.attributes["component"] = component
    return config


def upgrade_all(engine: Engine, *, revision: str = "head") -> None:
    """Upgrade every component to ``revision`` (default: head), each in its own transaction."""
    for component in COMPONENTS:
        config = _config(component)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)


def pending(engine: Engine) -> list[str]:
    """Names of the components whose database revision is not at head."""
    behind: list[str] = []
    with engine.connect() as connection:
        for component in COMPONENTS:
            heads = set(ScriptDirectory.from_config(_config(component)).get_heads())
            context = MigrationContext.configure(connection, opts={"version_table": component.version_table})
            if set(context.get_current_heads()) != heads:
                behind.append(component.name)
    return behind
