"""Italian and English labels of the codes reporting shows (methods, actor categories, themes, statuses)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")

METHODS: dict[str, tuple[str, str]] = {
    "open_space_technology": ("Open Space Technology", "Open Space Technology"),
    "world_cafe": ("World Café", "World Café"),
    "thematic_table": ("Tavolo tematico", "Thematic table"),
    "project_table": ("Tavolo di progetto", "Project table"),
    "regional_lab": ("Laboratorio regionale", "Regional lab"),
    "stakeholder_interview": ("Intervista a gruppi di interesse", "Stakeholder interview"),
    "impollinazione": ("Impollinazione", "Cross-pollination"),
    "restitution_event": ("Evento di restituzione", "Restitution event"),
    "training": ("Formazione", "Training"),
    "other": ("Altro", "Other"),
}

# The registry's and workshops' actor categories; the last four are older codes kept for events already logged.
CATEGORIES: dict[str, tuple[str, str]] = {
    "administrator": ("Amministratori", "Administrators"),
    "planning_office_staff": ("Ufficio di piano", "Planning office staff"),
    "health_staff": ("Operatori sanitari", "Health staff"),
    "social_worker": ("Operatori sociali", "Social workers"),
    "educator": ("Educatori", "Educators"),
    "third_sector": ("Terzo settore", "Third sector"),
    "business": ("Imprese", "Businesses"),
    "citizen": ("Cittadini", "Citizens"),
    "other": ("Altro", "Other"),
    "administration": ("Amministrazioni", "Administrations"),
    "planning_office": ("Ufficio di piano", "Planning office"),
    "ausl": ("AUSL", "AUSL"),
    "asp": ("ASP", "ASP"),
}

THEMES: dict[str, tuple[str, str]] = {
    "oltre_i_servizi": ("Oltre i servizi", "Beyond services"),
    "reti_vive": ("Reti vive", "Living networks"),
    "il_fronte_interno": ("Il fronte interno", "The inner front"),
    "fronte_interno": ("Il fronte interno", "The inner front"),
    "i_prodotti_tangibili": ("I prodotti tangibili", "Tangible products"),
    "prodotti_tangibili": ("I prodotti tangibili", "Tangible products"),
    "nuovi_linguaggi_competenze": ("Nuovi linguaggi e nuove competenze", "New languages and new skills"),
    "nuovi_linguaggi_e_nuove_competenze": (
        "Nuovi linguaggi e nuove competenze",
        "New languages and new skills",
    ),
    "nuovi_linguaggi": ("Nuovi linguaggi e nuove competenze", "New languages and new skills"),
    "narrare_i_processi": ("Narrare i processi", "Telling the processes"),
}

INVENTION_KINDS: dict[str, tuple[str, str]] = {
    "action": ("Azione", "Action"),
    "product": ("Prodotto", "Product"),
    "document": ("Documento", "Document"),
    "service_organisation": ("Organizzazione dei servizi", "Service organisation"),
    "citizen_engagement": ("Coinvolgimento dei cittadini", "Citizen engagement"),
    "practice": ("Pratica", "Practice"),
}

# The workshops API's PriorityState values (reporting shows the same codes).
PRIORITY_STATUSES: dict[str, tuple[str, str]] = {
    "proposed": ("Proposta", "Proposed"),
    "submitted": ("Presentata", "Submitted"),
    "validated": ("Validata", "Validated"),
    "rejected": ("Respinta", "Rejected"),
    "assigned": ("Assegnata", "Assigned"),
    "in_progress": ("In corso", "In progress"),
    "reported": ("Restituita", "Reported"),
    "linked_to_plan_action": ("Collegata al piano", "Linked to the plan"),
}

PRIORITY_OUTCOMES: dict[str, tuple[str, str]] = {
    "achieved": ("Raggiunto", "Achieved"),
    "partly_achieved": ("Parzialmente raggiunto", "Partly achieved"),
    "not_achieved": ("Non raggiunto", "Not achieved"),
    "carried_over": ("Rinviato all'anno successivo", "Carried over to next year"),
}

# The dashboard's buckets of priorities (figures.Scope.priorities_by_outcome).
PRIORITY_BUCKETS: dict[str, tuple[str, str]] = {
    "validated": ("Validate", "Validated"),
    "rejected": ("Respinte", "Rejected"),
    "pending": ("In attesa", "Pending"),
    "reported": ("Restituite", "Reported"),
}

# Citizens' proposals: their life cycle (workshops' ProposalState), the report categories every process's own
# answer states map to, and the answer states of a process that defines none (workshops' defaults).
PROPOSAL_STATES: dict[str, tuple[str, str]] = {
    "published": ("Pubblicata", "Published"),
    "withdrawn": ("Ritirata", "Withdrawn"),
    "merged": ("Unita a un'altra", "Merged into another"),
    "promoted": ("Diventata priorità", "Became a priority"),
}

ANSWER_CATEGORIES: dict[str, tuple[str, str]] = {
    "accepted": ("Accolte", "Accepted"),
    "evaluating": ("In valutazione", "Under evaluation"),
    "rejected": ("Non accolte", "Rejected"),
}

DEFAULT_ANSWER_STATES: dict[str, tuple[str, str]] = {
    "accolta": ("Accolta", "Accepted"),
    "in_valutazione": ("In valutazione", "Under evaluation"),
    "non_accolta": ("Non accolta", "Not accepted"),
}

WORKSHOP_STATUSES: dict[str, tuple[str, str]] = {
    "planned": ("Programmato", "Planned"),
    "confirmed": ("Confermato", "Confirmed"),
    "held": ("Svolto", "Held"),
    "cancelled": ("Annullato", "Cancelled"),
    "postponed": ("Rinviato", "Postponed"),
}

PROCESS_STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("Bozza", "Draft"),
    "active": ("Attivo", "Active"),
    "closed": ("Concluso", "Closed"),
}

BODIES: dict[str, tuple[str, str]] = {
    "ufficio_di_piano": ("Ufficio di Piano", "Ufficio di Piano"),
    "comitato_di_distretto": ("Comitato di Distretto", "Comitato di Distretto"),
    "steering_group_core": ("cabina di regia ristretta", "core steering group"),
    "steering_group_extended": ("cabina di regia allargata", "extended steering group"),
    "thematic_table": ("tavolo tematico", "thematic table"),
    "project_table": ("tavolo di progetto", "project table"),
    "gri": ("GRI", "GRI"),
    "ctss": ("Conferenza territoriale sociale e sanitaria", "Conferenza territoriale sociale e sanitaria"),
}

RELATIONS: dict[str, tuple[str, str]] = {
    "proposes_to": ("propone a", "proposes to"),
    "validates": ("valida le proposte di", "validates"),
    "convenes": ("convoca", "convenes"),
    "reports_to": ("riferisce a", "reports to"),
    "supports": ("sostiene", "supports"),
}

AGREEMENT_KINDS: dict[str, tuple[str, str]] = {
    "accordo_di_programma": ("Accordo di programma", "Programme agreement"),
    "protocollo_d_intesa": ("Protocollo d'intesa", "Memorandum of understanding"),
}

STATURE: dict[str, tuple[str, str]] = {
    "core_steering_group_size": ("Cabina di regia ristretta", "Core steering group"),
    "core_steering_group": ("Cabina di regia ristretta", "Core steering group"),
    "extended_steering_group_size": ("Cabina di regia allargata", "Extended steering group"),
    "extended_steering_group": ("Cabina di regia allargata", "Extended steering group"),
    "people_involved": ("Persone coinvolte per categoria", "People involved by category"),
}

# The default evaluation card (workshops' default template): short names of its dimensions and its choices.
EVALUATION_QUESTIONS: dict[str, tuple[str, str]] = {
    "ascolto": ("Ascolto", "Being listened to"),
    "relazioni": ("Relazioni", "Relationships"),
    "cambiamento": ("Cambiamento dei servizi", "Change in services"),
    "influenza": ("Influenza sul Piano di Zona", "Influence on the local plan"),
    "continuita": ("Continuità della partecipazione", "Keeping taking part"),
    "commenti": ("Commenti", "Comments"),
    "fiducia": ("Fiducia", "Trust"),
    "nuove_relazioni": ("Nuove relazioni", "New relationships"),
}

EVALUATION_CHOICES: dict[str, tuple[str, str]] = {
    "si": ("Sì", "Yes"),
    "in_parte": ("In parte", "Partly"),
    "no": ("No", "No"),
    "non_so": ("Non so", "Don't know"),
    "true": ("Sì", "Yes"),
    "false": ("No", "No"),
}

MONTHS_IT = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)


def _humanise(code: str) -> str:
    # Only code-shaped strings (lower case, underscores) are humanised; free text is shown as written.
    if code == code.lower() and " " not in code:
        return code.replace("_", " ").strip().capitalize() or "—"
    return code


def label(table: dict[str, tuple[str, str]], code: str | None, lang: str = "it") -> str:
    """The label of ``code`` in ``lang`` ("it" or "en"); unknown codes are humanised."""
    if not code:
        return "—"
    pair = table.get(code)
    if pair is None:
        return _humanise(code)
    return pair[0] if lang == "it" else pair[1]


def to_rome(value: datetime) -> datetime:
    """A UTC timestamp in Europe/Rome time."""
    return value.astimezone(ROME)


def date_it(value: date | datetime | None) -> str:
    """A date as Italians write it: 12/03/2019 (datetimes in Europe/Rome)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_rome(value)
    return value.strftime("%d/%m/%Y")


MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_en(value: date | datetime | None) -> str:
    """A date as English text writes it: 12 March 2019 (datetimes in Europe/Rome)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_rome(value).date()
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def datetime_en(value: datetime | None) -> str:
    """Date and time in Europe/Rome as English text writes them: 12 March 2019, 17:30."""
    if value is None:
        return "—"
    local = to_rome(value)
    return f"{date_en(local)}, {local:%H:%M}"


def datetime_it(value: datetime | None) -> str:
    """Date and time in Europe/Rome: 12/03/2019 17:30."""
    if value is None:
        return "—"
    return to_rome(value).strftime("%d/%m/%Y %H:%M")


def month_it(key: str) -> str:
    """``2019-03`` -> ``marzo 2019``."""
    try:
        year, month = key.split("-")
        return f"{MONTHS_IT[int(month) - 1]} {year}"
    except (ValueError, IndexError):
        return key


def number_it(value: int | float | None, decimals: int | None = None) -> str:
    """A number as Italians write it: 12.345 and 4,7 (``decimals`` fixed, else up to two, trailing zeros dropped)."""
    if value is None or isinstance(value, bool):
        return "—"
    if isinstance(value, int) and decimals is None:
        text = f"{value:,d}"
    elif decimals is not None:
        text = f"{float(value):,.{decimals}f}"
    else:
        text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    # Swap the English separators: "," for thousands becomes ".", "." for decimals becomes ",".
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
