"""Ship the default participatory evaluation card (Italian, with English labels) as data.

A migration data step rather than a start-up hook: every database that is migrated has it exactly once
(including the test databases built from migrations), with a fixed id clients can rely on, and it is
recorded in the event log like any template created through the API (``evaluation_template.created``).
The content is frozen here on purpose: later changes are new template versions made through the API.
The source pages do not publish the regional cards' questions (DOMAIN.md), so these are ours.

Revision ID: workshops_outcomes_0003
Revises: workshops_outcomes_0002
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from shared.db import JSONType, UTCDateTime
from shared.eventlog import NewEvent, append

revision = "workshops_outcomes_0003"
down_revision = "workshops_outcomes_0002"
branch_labels = None
depends_on = None

SCHEMA = "workshops"
DEFAULT_TEMPLATE_ID = uuid.UUID("e7869feb-8e08-5124-b619-27931bc0d591")
NAME_IT = "Carta per la valutazione partecipata"
NAME_EN = "Participatory evaluation card"


def _scale(code: str, it: str, en: str) -> dict:
    return {
        "code": code,
        "kind": "scale",
        "question": {"it": it, "en": en},
        "scale_min": 1,
        "scale_max": 5,
        "choices": [],
        "required": True,
    }


DIMENSIONS = [
    _scale(
        "ascolto",
        "Quanto ti sei sentito/a ascoltato/a durante il percorso?",
        "How far did you feel listened to during the process?",
    ),
    _scale(
        "relazioni",
        "Il percorso ha creato o rafforzato relazioni tra servizi, terzo settore e cittadini?",
        "Did the process create or strengthen ties between services, third sector and citizens?",
    ),
    _scale(
        "cambiamento",
        "Quanto il percorso ha cambiato il modo di lavorare dei servizi?",
        "How much did the process change the way services work?",
    ),
    {
        "code": "influenza",
        "kind": "choice",
        "question": {
            "it": "Le proposte emerse hanno inciso sul Piano di Zona?",
            "en": "Did the proposals shape the local plan (Piano di Zona)?",
        },
        "scale_min": None,
        "scale_max": None,
        "choices": [
            {"code": "si", "label": {"it": "Sì", "en": "Yes"}},
            {"code": "in_parte", "label": {"it": "In parte", "en": "Partly"}},
            {"code": "no", "label": {"it": "No", "en": "No"}},
            {"code": "non_so", "label": {"it": "Non so", "en": "Don't know"}},
        ],
        "required": False,
    },
    _scale(
        "continuita",
        "Quanto è probabile che continuerai a partecipare?",
        "How likely are you to keep taking part?",
    ),
    {
        "code": "commenti",
        "kind": "text",
        "question": {"it": "Cosa cambieresti del percorso?", "en": "What would you change in the process?"},
        "scale_min": None,
        "scale_max": None,
        "choices": [],
        "required": False,
    },
]


_metadata = sa.MetaData()
# Full Table objects (not sa.table): SQLite maps the schema away only for these.
templates = sa.Table(
    "evaluation_templates",
    _metadata,
    sa.Column("id", sa.Uuid()),
    sa.Column("district_id", sa.Uuid()),
    sa.Column("name_it", sa.String()),
    sa.Column("name_en", sa.String()),
    sa.Column("current_version", sa.Integer()),
    sa.Column("version", sa.Integer()),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("updated_at", UTCDateTime()),
    schema=SCHEMA,
)
versions = sa.Table(
    "evaluation_template_versions",
    _metadata,
    sa.Column("id", sa.Uuid()),
    sa.Column("template_id", sa.Uuid()),
    sa.Column("number", sa.Integer()),
    sa.Column("dimensions", JSONType),
    sa.Column("created_at", UTCDateTime()),
    schema=SCHEMA,
)


def upgrade() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    bind.execute(
        templates.insert().values(
            id=DEFAULT_TEMPLATE_ID,
            district_id=None,
            name_it=NAME_IT,
            name_en=NAME_EN,
            current_version=1,
            version=1,
            created_at=now,
            updated_at=now,
        )
    )
    bind.execute(
        versions.insert().values(
            id=uuid.uuid5(DEFAULT_TEMPLATE_ID, "1"),
            template_id=DEFAULT_TEMPLATE_ID,
            number=1,
            dimensions=DIMENSIONS,
            created_at=now,
        )
    )
    # The event goes through the store so it takes its place in the hash chain like any other.
    session = Session(bind=bind)
    append(
        session,
        stream_type="evaluation_template",
        stream_id=str(DEFAULT_TEMPLATE_ID),
        expected_version=0,
        events_to_append=[
            NewEvent(
                "evaluation_template.created",
                {
                    "template_id": str(DEFAULT_TEMPLATE_ID),
                    "district_id": None,
                    "template_version": 1,
                    "name_it": NAME_IT,
                    "name_en": NAME_EN,
                    "dimension_codes": [d["code"] for d in DIMENSIONS],
                },
                metadata={"source": "migration workshops_outcomes_0003"},
            )
        ],
        actor_id="system:migration",
        correlation_id="migration:workshops_outcomes_0003",
    )


def downgrade() -> None:
    # The template's event stays in the append-only log; the rows go.
    bind = op.get_bind()
    bind.execute(versions.delete().where(versions.c.template_id == DEFAULT_TEMPLATE_ID))
    bind.execute(templates.delete().where(templates.c.id == DEFAULT_TEMPLATE_ID))
