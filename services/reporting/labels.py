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

CATEGORIES: dict[str, tuple[str, str]] = {
    "administration": ("Amministrazioni", "Administrations"),
    "planning_office": ("Ufficio di Piano", "Planning office"),
    "ausl": ("AUSL", "AUSL"),
    "asp": ("ASP", "ASP"),
    "third_sector": ("Terzo settore", "Third sector"),
    "business": ("Imprese", "Businesses"),
    "citizen": ("Cittadini", "Citizens"),
    "other": ("Altro", "Other"),
}

THEMES: dict[str, tuple[str, str]] = {
    "oltre_i_servizi": ("Oltre i servizi", "Beyond services"),
    "reti_vive": ("Reti vive", "Living networks"),
    "il_fronte_interno": ("Il fronte interno", "The inner front"),
    "fronte_interno": ("Il fronte interno", "The inner front"),
    "i_prodotti_tangibili": ("I prodotti tangibili", "Tangible products"),
    "prodotti_tangibili": ("I prodotti tangibili", "Tangible products"),
    "nuovi_linguaggi_e_nuove_competenze": ("Nuovi linguaggi e nuove competenze", "New languages and skills"),
    "nuovi_linguaggi": ("Nuovi linguaggi e nuove competenze", "New languages and skills"),
    "narrare_i_processi": ("Narrare i processi", "Telling the processes"),
}

PRIORITY_STATUSES: dict[str, tuple[str, str]] = {
    "proposed": ("Proposta", "Proposed"),
    "submitted": ("Presentata dall'Ufficio di Piano", "Submitted by the Ufficio di Piano"),
    "validated": ("Validata", "Validated"),
    "rejected": ("Respinta", "Rejected"),
    "assigned": ("Assegnata a un tavolo di progetto", "Assigned to a project table"),
    "started": ("Avviata", "Started"),
    "reported": ("Restituita", "Reported"),
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
    return code.replace("_", " ").strip().capitalize() or "—"


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


def date_en(value: date | datetime | None) -> str:
    """An ISO date (datetimes in Europe/Rome)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_rome(value).date()
    return value.isoformat()


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
