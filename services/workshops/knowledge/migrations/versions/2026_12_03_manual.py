"""The collective manual: chapters, method cards with every revision, comments, publications; seed cards.

The seed cards are the methods the programme's pages name (Open Space Technology, World Café, impollinazione,
interviews with interest groups, thematic and project tables, restitution events), each as revision 1 with no
author, recorded in the event log like any card written through the API (``method_card.created``). Their
texts are short readings of the sources; facilitators revise them through the API.

Revision ID: workshops_knowledge_0001
Revises:
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from shared.db import UTCDateTime
from shared.eventlog import NewEvent, append
from shared.migrations.helpers import create_schema

revision = "workshops_knowledge_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "workshops"
NAMESPACE = uuid.UUID("5d1f0c8e-3b7a-4f2e-9a61-0c4d2e8b7f10")

CHAPTERS = (
    ("ascoltare", "Ascoltare il territorio", 1),
    ("lavorare-insieme", "Metodi per lavorare insieme", 2),
    ("tavoli", "Tavoli e architetture istituzionali", 3),
    ("restituire", "Restituire alla comunità", 4),
)

# (code, chapter, workshop method, position, title, summary, body)
CARDS = (
    (
        "interviste-gruppi-di-interesse",
        "ascoltare",
        "stakeholder_interview",
        1,
        "Interviste a gruppi di interesse",
        "Interviste strutturate ai gruppi portatori di interesse all'avvio del processo.",
        "All'avvio del processo si incontrano i gruppi di interesse del territorio con interviste strutturate: "
        "amministratori, operatori dei servizi, terzo settore, imprese, cittadini.\n\n"
        "Servono a mettere a fuoco gli oggetti di lavoro e ad allargare il numero delle persone coinvolte "
        'nella stesura del piano di zona (la "partecipazione incrementale" della Bassa Romagna).\n\n'
        "Occorre allestire contesti di ascolto per intercettare istanze non rappresentate.",
    ),
    (
        "open-space-technology",
        "lavorare-insieme",
        "open_space_technology",
        1,
        "Open Space Technology",
        "I partecipanti costruiscono l'agenda nella prima mezz'ora; i gruppi lavorano in parallelo.",
        "Nella prima mezz'ora i partecipanti costruiscono insieme l'agenda: chi propone un tema ne convoca il "
        "gruppo.\n\n"
        "I gruppi lavorano in parallelo; ognuno è libero di spostarsi dove sente di poter imparare o "
        "contribuire.\n\n"
        "La giornata si chiude con un instant report di ogni gruppo, restituito a tutti.",
    ),
    (
        "world-cafe",
        "lavorare-insieme",
        "world_cafe",
        2,
        "World Café",
        "Tavoli di 4-5 persone, giri di 20-30 minuti, una raccolta finale in plenaria.",
        "Ci si siede a tavoli di 4-5 persone per giri di 20-30 minuti su una domanda.\n\n"
        "Alla fine di ogni giro tutti cambiano tavolo tranne l'ospite, che racconta ai nuovi arrivati "
        "quanto emerso.\n\n"
        "Una plenaria di raccolta (harvest) chiude il lavoro.",
    ),
    (
        "impollinazione",
        "lavorare-insieme",
        "impollinazione",
        3,
        "Impollinazione",
        "Portare le idee da un gruppo all'altro, da un tavolo all'altro.",
        "L'impollinazione porta idee, domande e soluzioni da un gruppo all'altro e da un tavolo all'altro.\n\n"
        "Nella Bassa Romagna è stata un metodo a sé: gli operatori sono usciti dagli uffici e hanno avviato un "
        'lavoro di "artigianato sociale": un fare, disfare, sbagliare anche e poi ripartire.',
    ),
    (
        "tavolo-tematico",
        "tavoli",
        "thematic_table",
        1,
        "Tavolo tematico",
        "Un tavolo stabile su un tema che redige le schede del piano.",
        "Il tavolo tematico è stabile e lavora su un tema (ad esempio la fragilità), redigendo le schede "
        "intervento del piano di zona.\n\n"
        "Per superare i target si ragiona per temi e politiche trasversali capaci di leggere il nuovo "
        "contesto sociale.",
    ),
    (
        "tavolo-di-progetto",
        "tavoli",
        "project_table",
        2,
        "Tavolo di progetto",
        "Un tavolo costituito per una priorità validata, per il tempo che serve.",
        "Il Comitato di Distretto, su proposta dell'Ufficio di Piano, valida e consegna le priorità annuali; "
        "l'Ufficio di Piano organizza i tavoli di progetto (o si avvale dei GRI) per trattarle.\n\n"
        "Il tavolo dura il tempo della priorità e ne restituisce gli esiti.",
    ),
    (
        "evento-di-restituzione",
        "restituire",
        "restitution_event",
        1,
        "Evento di restituzione",
        "L'evento pubblico in cui i risultati dell'anno tornano alla comunità.",
        "Ogni anno l'Ufficio di Piano organizza un evento di restituzione collettiva degli esiti sia "
        "progettuali che processuali del lavoro partecipativo.\n\n"
        "Dà visibilità ai processi, connette i diversi lavori e rafforza il senso di appartenenza.",
    ),
)


def _id(kind: str, code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}:{code}")


def upgrade() -> None:
    create_schema(SCHEMA)
    chapters = op.create_table(
        "manual_chapters",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    cards = op.create_table(
        "method_cards",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("chapter_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.manual_chapters.id"), nullable=False),
        sa.Column("method", sa.String(40), nullable=True, unique=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_workshops_method_cards_chapter_id", "method_cards", ["chapter_id"], schema=SCHEMA)
    revisions = op.create_table(
        "method_card_revisions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("card_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.method_cards.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("author_id", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("card_id", "number", name="uq_workshops_method_card_revisions_number"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_method_card_revisions_card_id", "method_card_revisions", ["card_id"], schema=SCHEMA
    )
    op.create_index(
        "ix_workshops_method_card_revisions_author_id", "method_card_revisions", ["author_id"], schema=SCHEMA
    )
    op.create_table(
        "method_card_comments",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("card_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.method_cards.id"), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_workshops_method_card_comments_card_created",
        "method_card_comments",
        ["card_id", "created_at"],
        schema=SCHEMA,
    )
    op.create_table(
        "manual_publications",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "edition_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.editions.id"), nullable=False, unique=True
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("published_by", sa.String(64), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "manual_publication_cards",
        sa.Column(
            "publication_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.manual_publications.id"), primary_key=True
        ),
        sa.Column("card_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.method_cards.id"), primary_key=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        schema=SCHEMA,
    )
    _seed(chapters, cards, revisions)


def _seed(chapters: sa.Table, cards: sa.Table, revisions: sa.Table) -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    session = Session(bind=bind)
    chapter_ids = {code: _id("chapter", code) for code, _, _ in CHAPTERS}
    for code, title, position in CHAPTERS:
        bind.execute(
            chapters.insert().values(
                id=chapter_ids[code], code=code, title=title, position=position, version=1, created_at=now
            )
        )
        _event(
            session,
            "manual_chapter",
            chapter_ids[code],
            "manual_chapter.created",
            {
                "chapter_id": str(chapter_ids[code]),
                "code": code,
                "position": position,
            },
        )
    for code, chapter, method, position, title, summary, body in CARDS:
        card_id = _id("card", code)
        bind.execute(
            cards.insert().values(
                id=card_id,
                code=code,
                chapter_id=chapter_ids[chapter],
                method=method,
                position=position,
                revision=1,
                title=title,
                summary=summary,
                body=body,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        bind.execute(
            revisions.insert().values(
                id=_id("revision", f"{code}:1"),
                card_id=card_id,
                number=1,
                title=title,
                summary=summary,
                body=body,
                note="Scheda iniziale tratta dalle pagine del programma Community Lab",
                author_id=None,
                created_at=now,
            )
        )
        _event(
            session,
            "method_card",
            card_id,
            "method_card.created",
            {
                "card_id": str(card_id),
                "code": code,
                "chapter_id": str(chapter_ids[chapter]),
                "method": method,
                "revision": 1,
                "author_id": None,
            },
        )


def _event(session: Session, stream_type: str, stream_id: uuid.UUID, event_type: str, payload: dict) -> None:
    # Through the store, so the seed takes its place in the hash chain like any other event.
    append(
        session,
        stream_type=stream_type,
        stream_id=str(stream_id),
        expected_version=0,
        events_to_append=[NewEvent(event_type, payload, metadata={"source": f"migration {revision}"})],
        actor_id="system:migration",
        correlation_id=f"migration:{revision}",
    )


def downgrade() -> None:
    # The seed events stay in the append-only log; the tables go.
    for table in (
        "manual_publication_cards",
        "manual_publications",
        "method_card_comments",
        "method_card_revisions",
        "method_cards",
        "manual_chapters",
    ):
        op.drop_table(table, schema=SCHEMA)
