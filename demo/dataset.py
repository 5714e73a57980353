"""The demo region's data set, built from the public sources on Community Lab (the Emilia-Romagna region's pages).

Facts taken from the sources: the 38 districts; Community Express 2016-2017 (17 territories, stops from
Ferrara on 3 November 2016 to Mordano on 25 January 2017, about 230 people, inventions in six macro-themes);
Community Lab 2018-2019 (25 of the 38 districts); the identity card of "Bassa Romagna 2020" (born January
2013, core steering group 6, extended 20, 110 people involved, its methods) and its event "Aggiungi un posto al
tavolo" (18 December 2015); the Reggio Emilia yearly cycle (the Ufficio di Piano proposes, the Comitato di
Distretto validates the annual priorities, project tables, a restitution event). Everything else (which 17 and
which 25 districts, the other dates, the inventions' titles, the head counts) is invented but plausible.

Invented people carry obviously fictional names and example.org addresses; no real person is listed.
``DECLARED_COUNTS`` states, in one place, what the dashboard must show once the demo is loaded.
"""

from __future__ import annotations

from typing import Any

PROGRAMMES: dict[str, dict[str, str]] = {
    "community_express": {
        "name": "Community Express",
        "description": "Viaggio nei territori alla ricerca delle invenzioni del lavoro di comunità "
        "(Regione Emilia-Romagna, Agenzia sanitaria e sociale, ANCI).",
    },
    "community_lab": {
        "name": "Community Lab",
        "description": "Programmazione locale partecipata per la salute e il benessere sociale: "
        "definizione partecipata delle priorità dei Piani di Zona.",
    },
}

# The 17 stops of the Community Express: (district, town, local date). First and last stop from the sources.
EXPRESS_STOPS: list[tuple[str, str, str]] = [
    ("Centro-Nord", "Ferrara", "2016-11-03"),
    ("Sud-Est", "Portomaggiore", "2016-11-08"),
    ("Ovest", "Cento", "2016-11-10"),
    ("Mirandola", "Mirandola", "2016-11-15"),
    ("Carpi", "Carpi", "2016-11-17"),
    ("Guastalla", "Guastalla", "2016-11-22"),
    ("Montecchio Emilia", "Montecchio Emilia", "2016-11-24"),
    ("Fidenza", "Fidenza", "2016-11-29"),
    ("Levante", "Fiorenzuola d'Arda", "2016-12-01"),
    ("Valli Taro e Ceno", "Borgo Val di Taro", "2016-12-06"),
    ("Castelnovo ne' Monti", "Castelnovo ne' Monti", "2016-12-13"),
    ("Pavullo nel Frignano", "Pavullo nel Frignano", "2016-12-15"),
    ("Appennino Bolognese", "Vergato", "2017-01-10"),
    ("Lugo", "Lugo", "2017-01-12"),
    ("Faenza", "Faenza", "2017-01-17"),
    ("Rubicone", "Savignano sul Rubicone", "2017-01-19"),
    ("Imola", "Mordano", "2017-01-25"),
]

# Anonymous head counts at each stop, in stop order (about 230 people in all with the facilitators).
EXPRESS_HEADCOUNTS: list[dict[str, int]] = [
    {"citizen": 6, "social_worker": 3, "administrator": 2, "third_sector": 3},
    {"citizen": 5, "social_worker": 2, "administrator": 1, "third_sector": 3},
    {"citizen": 6, "educator": 2, "administrator": 2, "third_sector": 4},
    {"citizen": 5, "social_worker": 3, "health_staff": 2, "third_sector": 3},
    {"citizen": 7, "social_worker": 3, "administrator": 2, "third_sector": 4},
    {"citizen": 4, "social_worker": 2, "administrator": 2, "third_sector": 3},
    {"citizen": 6, "educator": 2, "administrator": 1, "third_sector": 4},
    {"citizen": 5, "social_worker": 2, "health_staff": 2, "third_sector": 3},
    {"citizen": 4, "social_worker": 2, "administrator": 2, "third_sector": 3},
    {"citizen": 5, "social_worker": 2, "administrator": 1, "third_sector": 3},
    {"citizen": 6, "health_staff": 2, "administrator": 2, "third_sector": 3},
    {"citizen": 5, "social_worker": 3, "administrator": 1, "third_sector": 4},
    {"citizen": 5, "social_worker": 2, "administrator": 2, "third_sector": 3},
    {"citizen": 6, "social_worker": 3, "planning_office_staff": 2, "third_sector": 4},
    {"citizen": 5, "educator": 2, "administrator": 2, "third_sector": 3},
    {"citizen": 5, "social_worker": 2, "administrator": 1, "third_sector": 4},
    {"citizen": 6, "social_worker": 2, "administrator": 2, "third_sector": 3},
]

EXPRESS_METHODS = ["world_cafe", "open_space_technology", "thematic_table"]

COMMUNITY_LAB_DISTRICTS: list[str] = [
    "Città di Piacenza",
    "Levante",
    "Parma",
    "Fidenza",
    "Sud Est",
    "Reggio Emilia",
    "Guastalla",
    "Correggio",
    "Scandiano",
    "Carpi",
    "Modena",
    "Sassuolo",
    "Vignola",
    "Reno, Lavino e Samoggia",
    "San Lazzaro di Savena",
    "Imola",
    "Pianura Est",
    "Città di Bologna",
    "Centro-Nord",
    "Ravenna",
    "Lugo",
    "Faenza",
    "Forlì",
    "Cesena - Valle del Savio",
    "Rimini",
]

EDITIONS: list[dict[str, Any]] = [
    {
        "key": "express",
        "programme": "community_express",
        "name": "Community Express 2016-2017",
        "starts_on": "2016-11-03",
        "ends_on": "2017-03-30",
        "districts": [stop[0] for stop in EXPRESS_STOPS],
    },
    {
        "key": "lab",
        "programme": "community_lab",
        "name": "Community Lab 2018-2019",
        "starts_on": "2018-01-15",
        "ends_on": "2019-12-31",
        "districts": COMMUNITY_LAB_DISTRICTS,
    },
]


def _person(key: str, given: str, family: str, category: str, district: str) -> dict[str, str]:
    slug = f"{given}.{family}".lower().replace(" ", "").replace("'", "")
    return {
        "key": key,
        "given_name": given,
        "family_name": family,
        "email": f"{slug}@example.org",
        "actor_category": category,
        "district": district,
    }


# Facilitators and a tutor of the regional community (about 80 trained in 2018, 15 tutors).
FACILITATORS: list[dict[str, Any]] = [
    {**_person("fac1", "Facilitatrice", "Demo Uno", "social_worker", "Ravenna"), "kind": "facilitator"},
    {**_person("fac2", "Facilitatore", "Demo Due", "health_staff", "Modena"), "kind": "facilitator"},
    {
        **_person("fac3", "Facilitatrice", "Demo Tre", "planning_office_staff", "Reggio Emilia"),
        "kind": "facilitator",
    },
    {**_person("tutor1", "Tutor", "Demo Uno", "planning_office_staff", "Città di Bologna"), "kind": "tutor"},
]
FACILITATOR_TRAINING = {"course": "Facilitazione dei processi partecipativi", "year": 2018, "hours": 40}

# Bassa Romagna 2020: the core steering group (6) and the rest of the extended one (20 in all).
BASSA_ROMAGNA_CORE_CATEGORIES = [
    "administrator",
    "administrator",
    "planning_office_staff",
    "planning_office_staff",
    "health_staff",
    "health_staff",
]
BASSA_ROMAGNA_EXTENDED_CATEGORIES = [
    "administrator",
    "administrator",
    "planning_office_staff",
    "health_staff",
    "health_staff",
    "social_worker",
    "social_worker",
    "third_sector",
    "third_sector",
    "third_sector",
    "third_sector",
    "third_sector",
    "business",
    "citizen",
]
BASSA_ROMAGNA_PEOPLE: list[dict[str, str]] = [
    _person(f"br{i + 1}", "Persona", f"Esempio {i + 1}", category, "Lugo")
    for i, category in enumerate(BASSA_ROMAGNA_CORE_CATEGORIES + BASSA_ROMAGNA_EXTENDED_CATEGORIES)
]
BR_CORE = [f"br{i}" for i in range(1, 7)]
BR_ALL = [f"br{i}" for i in range(1, 21)]

BASSA_ROMAGNA_PROCESS: dict[str, Any] = {
    "key": "bassa_romagna",
    "edition": "express",
    "district": "Lugo",
    "title": "Bassa Romagna 2020",
    "purpose": "Avviare un percorso alla ricerca di talenti sociali per costruire una comunità che pensa alla comunità.",
    "weight": "La ricaduta del processo sulla programmazione locale è sull'intero sistema dei tavoli.",
    "transformations": "Nuove persone, nuove idee, nuovi progetti e nuove modalità per realizzarli.",
    "methods_and_tools": "Interviste a gruppi di interesse, impollinazione, Open Space Technology, tavoli per "
    "tematiche trasversali, tavoli di progetto, sperimentazioni situate.",
    "distinctive_marks": "Gli operatori sono usciti dagli uffici e hanno avviato un lavoro di artigianato sociale.",
    "started_on": "2013-01-15",
    "location": "Unione dei Comuni della Bassa Romagna (RA)",
    "stature": {
        "core_steering_group_size": 6,
        "extended_steering_group_size": 20,
        "people_involved": {
            "administrator": 18,
            "planning_office_staff": 6,
            "health_staff": 16,
            "social_worker": 14,
            "third_sector": 24,
            "business": 4,
            "citizen": 28,
        },
    },
    "phases": [
        {"name": "ascolto", "starts_on": "2013-01-15", "ends_on": "2013-12-31", "is_current": False},
        {
            "name": "tavoli trasversali",
            "starts_on": "2014-01-01",
            "ends_on": "2016-06-30",
            "is_current": False,
        },
        {"name": "sperimentazioni situate", "starts_on": "2016-07-01", "is_current": True},
    ],
    "workshops": [
        {
            "key": "br_interviews",
            "method": "stakeholder_interview",
            "title": "Interviste a gruppi di interesse: associazioni, cooperative, imprese",
            "starts": "2013-03-12T15:00",
            "hours": 3,
            "venue": "Lugo, sala riunioni dell'Unione",
            "facilitators": ["fac1"],
            "present": BR_CORE,
            "anonymous": {"third_sector": 8, "business": 2},
        },
        {
            "key": "br_pollination",
            "method": "impollinazione",
            "title": "Impollinazione: le idee passano da un tavolo all'altro",
            "starts": "2013-06-18T17:00",
            "hours": 3,
            "venue": "Bagnacavallo, ex convento",
            "facilitators": ["fac1"],
            "present": BR_ALL[:12],
            "anonymous": {"citizen": 10},
        },
        {
            "key": "br_ost",
            "method": "open_space_technology",
            "title": "Open Space: quale comunità per la Bassa Romagna 2020?",
            "starts": "2014-03-22T09:00",
            "hours": 7,
            "venue": "Lugo, Salone Estense",
            "facilitators": ["fac1", "tutor1"],
            "present": BR_ALL,
            "absent": [],
            "anonymous": {"citizen": 25, "third_sector": 10},
        },
        {
            "key": "br_table",
            "method": "thematic_table",
            "title": "Tavolo per tematiche trasversali: abitare e nuove vulnerabilità",
            "starts": "2015-05-20T15:00",
            "hours": 3,
            "venue": "Lugo, sala riunioni dell'Unione",
            "facilitators": ["fac1"],
            "present": ["br3", "br4", "br12", "br13", "br14", "br15", "br16", "br17"],
            "absent": ["br18"],
            "anonymous": {"social_worker": 4},
        },
        {
            "key": "br_posto_al_tavolo",
            "method": "other",
            "title": "Aggiungi un posto al tavolo",
            "description": "I cittadini si siedono ai tavoli del Piano per la salute e il benessere sociale.",
            "starts": "2015-12-18T17:30",
            "hours": 3,
            "venue": "Lugo, Teatro Rossini",
            "facilitators": ["fac1", "tutor1"],
            "present": BR_ALL,
            "anonymous": {"citizen": 30, "third_sector": 6},
        },
        {
            "key": "br_project_table",
            "method": "project_table",
            "title": "Tavolo di progetto: custodi di comunità nei quartieri",
            "starts": "2016-04-14T15:00",
            "hours": 3,
            "venue": "Conselice, centro civico",
            "facilitators": ["fac1"],
            "present": ["br5", "br6", "br16", "br17", "br19", "br20"],
            "anonymous": {"citizen": 6},
        },
    ],
}

# Reggio Emilia: the yearly cycle of the Community Lab 2018-2019 edition.
REGGIO_PEOPLE: list[dict[str, str]] = [
    _person("re_udp_head", "Responsabile", "Ufficio di Piano Demo", "planning_office_staff", "Reggio Emilia"),
    _person("re_udp_staff", "Operatrice", "Ufficio di Piano Demo", "planning_office_staff", "Reggio Emilia"),
    _person("re_mayor", "Sindaca", "Demo Reggio", "administrator", "Reggio Emilia"),
    _person("re_delegate", "Assessore", "Demo Delegato", "administrator", "Reggio Emilia"),
    *[
        _person(f"re{i}", "Persona", f"Esempio RE {i}", category, "Reggio Emilia")
        for i, category in enumerate(
            [
                "citizen",
                "citizen",
                "third_sector",
                "third_sector",
                "social_worker",
                "health_staff",
                "educator",
                "citizen",
            ],
            start=1,
        )
    ],
]
RE_CITIZENS = [f"re{i}" for i in range(1, 9)]

# Governance bodies: (body key, kind, name, [(person key, role)]), all members from 1 January 2018.
REGGIO_BODIES: list[dict[str, Any]] = [
    {
        "key": "udp",
        "kind": "ufficio_di_piano",
        "name": "Ufficio di Piano del Distretto di Reggio Emilia",
        "members": [("re_udp_head", "coordinator"), ("re_udp_staff", "staff")],
    },
    {
        "key": "comitato",
        "kind": "comitato_di_distretto",
        "name": "Comitato di Distretto di Reggio Emilia",
        "members": [("re_mayor", "chair"), ("re_delegate", "delegate")],
    },
]
GOVERNANCE_FROM = "2018-01-01"

REGGIO_PROCESS: dict[str, Any] = {
    "key": "reggio",
    "edition": "lab",
    "district": "Reggio Emilia",
    "title": "Reggio Emilia: priorità partecipate 2019",
    "purpose": "Costruire con la comunità le priorità annuali del Piano di Zona.",
    "weight": "Le priorità validate dal Comitato di Distretto entrano nel programma attuativo annuale.",
    "transformations": "Tavoli su problematiche trasversali invece che per target.",
    "methods_and_tools": "Tavoli tematici, tavoli di progetto, evento di restituzione collettiva.",
    "distinctive_marks": "Il Comitato di Distretto valida e consegna le priorità proposte dall'Ufficio di Piano.",
    "started_on": "2018-09-17",
    "location": "Distretto di Reggio Emilia",
    "stature": {
        "core_steering_group_size": 5,
        "extended_steering_group_size": 14,
        "people_involved": {
            "planning_office_staff": 4,
            "administrator": 6,
            "third_sector": 20,
            "citizen": 35,
        },
    },
    "phases": [
        {"name": "tavoli tematici", "starts_on": "2018-09-17", "ends_on": "2018-12-31", "is_current": False},
        {
            "name": "tavoli di progetto",
            "starts_on": "2019-03-01",
            "ends_on": "2019-11-30",
            "is_current": False,
        },
        {"name": "restituzione", "starts_on": "2019-12-01", "is_current": True},
    ],
    "workshops": [
        {
            "key": "re_table_fragility",
            "method": "thematic_table",
            "title": "Tavolo tematico: fragilità e solitudine",
            "starts": "2018-10-16T17:00",
            "hours": 2,
            "venue": "Reggio Emilia, Polo sociale Nord",
            "facilitators": ["fac3"],
            "present": ["re_udp_staff", "re1", "re2", "re3", "re5"],
            "absent": ["re8"],
            "anonymous": {"citizen": 9, "third_sector": 4},
        },
        {
            "key": "re_table_youth",
            "method": "thematic_table",
            "title": "Tavolo tematico: nuove generazioni e responsabilità familiari",
            "starts": "2018-11-06T17:00",
            "hours": 2,
            "venue": "Reggio Emilia, Polo sociale Sud",
            "facilitators": ["fac3"],
            "present": ["re_udp_staff", "re4", "re6", "re7", "re8"],
            "anonymous": {"citizen": 7, "educator": 3},
        },
        {
            "key": "re_project_neighbours",
            "method": "project_table",
            "title": "Tavolo di progetto: reti di vicinato contro la solitudine",
            "starts": "2019-03-19T17:00",
            "hours": 2,
            "venue": "Reggio Emilia, Casa di quartiere Ospizio",
            "facilitators": ["fac3"],
            "present": ["re_udp_staff", "re1", "re3", "re5"],
            "anonymous": {"citizen": 6, "third_sector": 3},
        },
        {
            "key": "re_project_families",
            "method": "project_table",
            "title": "Tavolo di progetto: famiglie che aiutano famiglie",
            "starts": "2019-04-09T17:00",
            "hours": 2,
            "venue": "Reggio Emilia, Casa di quartiere Gattaglio",
            "facilitators": ["fac3"],
            "present": ["re_udp_staff", "re4", "re7"],
            "anonymous": {"citizen": 5, "educator": 2},
        },
        {
            "key": "re_restitution",
            "method": "restitution_event",
            "title": "Restituzione collettiva: un anno di lavoro partecipativo",
            "starts": "2019-12-03T17:30",
            "hours": 2,
            "venue": "Reggio Emilia, Sala del Tricolore",
            "facilitators": ["fac3", "tutor1"],
            "present": ["re_udp_head", "re_udp_staff", "re_mayor", *RE_CITIZENS],
            "anonymous": {"citizen": 40, "third_sector": 12, "administrator": 4},
        },
    ],
}

# The priorities of 2019: proposed by tables or by the Ufficio di Piano, decided at the Comitato's sitting.
PRIORITY_YEAR = 2019
SITTING_DATE = "2019-02-12"
REGGIO_PRIORITIES: list[dict[str, Any]] = [
    {
        "title": "Contrastare la solitudine delle persone anziane",
        "description": "Reti di vicinato e presenza dei servizi nei luoghi di vita.",
        "source": "workshop",
        "workshop": "re_table_fragility",
        "decision": "validated",
        "motivation": "Coerente con il Piano di Zona 2018-2020, area fragilità.",
        "project_tables": ["re_project_neighbours"],
        "outcome": "achieved",
        "note": "Attive tre reti di vicinato in due quartieri.",
        "plan_action": "scheda-26",  # DGR 1423/2017, sheet 26: participation and Community Lab
    },
    {
        "title": "Sostenere le famiglie nei primi mille giorni",
        "description": "Gruppi di famiglie che si aiutano, con educatori di quartiere.",
        "source": "workshop",
        "workshop": "re_table_youth",
        "decision": "validated",
        "motivation": "Risponde ai bisogni emersi al tavolo nuove generazioni.",
        "project_tables": ["re_project_families"],
        "outcome": "partly_achieved",
        "note": "Due gruppi avviati su quattro previsti.",
    },
    {
        "title": "Un unico sportello per l'abitare",
        "description": "Proposta dell'Ufficio di Piano: un punto di accesso per i problemi della casa.",
        "source": "ufficio_di_piano",
        "decision": "validated",
        "motivation": "Priorità pluriennale: avvio nel 2019, prosegue nel 2020.",
        "project_tables": ["re_project_neighbours"],
        "outcome": "carried_over",
        "note": "Il progetto prosegue nel programma attuativo 2020.",
    },
    {
        "title": "Trasporto sociale serale nei comuni della montagna",
        "description": "Proposta emersa al tavolo fragilità.",
        "source": "workshop",
        "workshop": "re_table_fragility",
        "decision": "rejected",
        "motivation": "Di competenza del distretto di Castelnovo ne' Monti: segnalata al suo Ufficio di Piano.",
    },
    {
        "title": "Spazi di ascolto per adolescenti nelle scuole",
        "description": "Proposta da riprendere nel 2020.",
        "source": "workshop",
        "workshop": "re_table_youth",
        "decision": None,
    },
]

# Other districts of Community Lab 2018-2019: one process each, with one held workshop.
LAB_PROCESSES: list[dict[str, Any]] = [
    {
        "district": "Parma",
        "title": "Parma: tavoli tematici per il Piano di Zona",
        "method": "thematic_table",
        "workshop_title": "Tavolo fragilità: la casa come luogo di cura",
        "starts": "2018-10-24T16:00",
        "facilitators": ["fac2"],
        "anonymous": {"citizen": 12, "social_worker": 5, "third_sector": 6},
    },
    {
        "district": "Città di Bologna",
        "title": "Bologna: laboratori di quartiere",
        "method": "world_cafe",
        "workshop_title": "World Café: prossimità e lavoro di comunità",
        "starts": "2018-11-21T17:00",
        "facilitators": ["tutor1"],
        "anonymous": {"citizen": 22, "social_worker": 6, "third_sector": 8},
    },
    {
        "district": "Modena",
        "title": "Modena: comunità che si prendono cura",
        "method": "open_space_technology",
        "workshop_title": "Open Space: di cosa ha bisogno il nostro quartiere?",
        "starts": "2019-02-23T09:30",
        "facilitators": ["fac2"],
        "anonymous": {"citizen": 30, "third_sector": 10, "health_staff": 4},
    },
    {
        "district": "Forlì",
        "title": "Forlì: welfare di comunità",
        "method": "world_cafe",
        "workshop_title": "World Café: giovani, lavoro e futuro",
        "starts": "2019-03-14T17:00",
        "facilitators": ["fac1"],
        "anonymous": {"citizen": 16, "educator": 4, "business": 3},
    },
    {
        "district": "Rimini",
        "title": "Rimini: laboratorio prossimità",
        "method": "regional_lab",
        "workshop_title": "Laboratorio regionale sulla prossimità",
        "starts": "2019-05-08T10:00",
        "facilitators": ["fac2", "tutor1"],
        "anonymous": {"planning_office_staff": 9, "social_worker": 11, "health_staff": 6},
    },
]

# Inventions: (process key, workshop key, title, kind, theme). Express stops are keyed "stop:<district>".
INVENTIONS: list[tuple[str, str, str, str, str]] = [
    (
        "stop:Centro-Nord",
        "stop",
        "Portierato sociale nei condomini popolari",
        "service_organisation",
        "oltre_i_servizi",
    ),
    (
        "stop:Centro-Nord",
        "stop",
        "Mappa partecipata delle risorse del quartiere",
        "product",
        "prodotti_tangibili",
    ),
    ("stop:Sud-Est", "stop", "Patto tra associazioni per il trasporto solidale", "action", "reti_vive"),
    (
        "stop:Ovest",
        "stop",
        "Sportello unico tra servizi sociali e sanitari",
        "service_organisation",
        "il_fronte_interno",
    ),
    ("stop:Mirandola", "stop", "Diario fotografico della ricostruzione", "document", "narrare_i_processi"),
    ("stop:Carpi", "stop", "Bar della salute in biblioteca", "citizen_engagement", "oltre_i_servizi"),
    (
        "stop:Guastalla",
        "stop",
        "Glossario condiviso tra operatori e cittadini",
        "document",
        "nuovi_linguaggi_competenze",
    ),
    ("stop:Montecchio Emilia", "stop", "Rete delle famiglie accoglienti", "action", "reti_vive"),
    (
        "stop:Fidenza",
        "stop",
        "Riunioni d'équipe aperte ai volontari",
        "service_organisation",
        "il_fronte_interno",
    ),
    ("stop:Levante", "stop", "Guida ai servizi scritta con i cittadini", "product", "prodotti_tangibili"),
    (
        "stop:Valli Taro e Ceno",
        "stop",
        "Infermiere di comunità nelle frazioni",
        "service_organisation",
        "oltre_i_servizi",
    ),
    ("stop:Castelnovo ne' Monti", "stop", "Cooperativa di comunità per l'assistenza", "action", "reti_vive"),
    (
        "stop:Pavullo nel Frignano",
        "stop",
        "Corso di facilitazione per operatori",
        "action",
        "nuovi_linguaggi_competenze",
    ),
    ("stop:Appennino Bolognese", "stop", "Racconti di comunità in radio", "document", "narrare_i_processi"),
    ("stop:Faenza", "stop", "Orti condivisi tra generazioni", "citizen_engagement", "reti_vive"),
    ("stop:Rubicone", "stop", "Cassetta degli attrezzi per i tavoli", "product", "prodotti_tangibili"),
    ("stop:Imola", "stop", "Narrazione del percorso in un podcast", "document", "narrare_i_processi"),
    ("stop:Imola", "stop", "Formazione congiunta tra Comune e AUSL", "action", "il_fronte_interno"),
    (
        "bassa_romagna",
        "br_interviews",
        "Mappa dei talenti sociali della Bassa Romagna",
        "product",
        "reti_vive",
    ),
    (
        "bassa_romagna",
        "br_pollination",
        "Artigianato sociale: operatori fuori dagli uffici",
        "service_organisation",
        "il_fronte_interno",
    ),
    (
        "bassa_romagna",
        "br_posto_al_tavolo",
        "Cittadini ai tavoli del Piano di Zona",
        "citizen_engagement",
        "oltre_i_servizi",
    ),
    (
        "bassa_romagna",
        "br_ost",
        "Lessico comune per temi e politiche trasversali",
        "document",
        "nuovi_linguaggi_competenze",
    ),
    ("bassa_romagna", "stop", "Diario di bordo della Bassa Romagna 2020", "document", "narrare_i_processi"),
    (
        "reggio",
        "re_project_neighbours",
        "Reti di vicinato nei quartieri Ospizio e Gattaglio",
        "action",
        "reti_vive",
    ),
    (
        "reggio",
        "re_project_families",
        "Gruppi di famiglie che aiutano famiglie",
        "citizen_engagement",
        "oltre_i_servizi",
    ),
    ("reggio", "re_restitution", "Kit per la restituzione collettiva", "product", "prodotti_tangibili"),
    (
        "reggio",
        "re_table_fragility",
        "Linguaggio comune tra sanità e sociale sulla presa in cura",
        "document",
        "nuovi_linguaggi_competenze",
    ),
    ("lab:Parma", "lab", "Schede del Piano scritte dai tavoli tematici", "document", "il_fronte_interno"),
    ("lab:Città di Bologna", "lab", "Mappa dei luoghi di prossimità", "product", "prodotti_tangibili"),
    (
        "lab:Modena",
        "lab",
        "Instant report dell'Open Space pubblicato online",
        "document",
        "narrare_i_processi",
    ),
    ("lab:Forlì", "lab", "Laboratorio giovani e imprese", "action", "reti_vive"),
]

# "A chi passo l'invenzione?": inventions handed over to another district (title -> district, date).
HANDOVERS: dict[str, tuple[str, str]] = {
    "Portierato sociale nei condomini popolari": ("Città di Bologna", "2017-03-30"),
    "Mappa dei talenti sociali della Bassa Romagna": ("Faenza", "2017-03-30"),
}

# Evaluation cards (the default template): (process key, workshop key, answers).
_CARD_GOOD = {"ascolto": 4, "relazioni": 5, "cambiamento": 4, "continuita": 4, "influenza": "si"}
_CARD_MIXED = {"ascolto": 3, "relazioni": 4, "cambiamento": 3, "continuita": 3, "influenza": "in_parte"}
_CARD_LOW = {"ascolto": 2, "relazioni": 3, "cambiamento": 2, "continuita": 2, "influenza": "no"}
EVALUATIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("stop:Centro-Nord", "stop", _CARD_GOOD),
    ("stop:Carpi", "stop", _CARD_MIXED),
    ("stop:Fidenza", "stop", _CARD_GOOD),
    ("stop:Imola", "stop", _CARD_MIXED),
    (
        "bassa_romagna",
        "br_posto_al_tavolo",
        {**_CARD_GOOD, "commenti": "Finalmente seduti allo stesso tavolo"},
    ),
    ("bassa_romagna", "br_posto_al_tavolo", _CARD_GOOD),
    ("bassa_romagna", "br_ost", _CARD_MIXED),
    ("reggio", "re_restitution", {**_CARD_GOOD, "commenti": "Vedere i risultati dà fiducia"}),
    ("reggio", "re_restitution", _CARD_MIXED),
    ("reggio", "re_restitution", _CARD_LOW),
    ("reggio", "re_project_neighbours", _CARD_GOOD),
    ("lab:Modena", "lab", _CARD_MIXED),
]

# What the dashboard must show per edition once the demo is loaded (checked by tests/demo against the data
# above and against the real dashboard).
DECLARED_COUNTS: dict[str, dict[str, Any]] = {
    "Community Express 2016-2017": {
        "districts_participating": 17,
        "processes": 17,
        "workshops_held": 23,
        "people_involved": 337,
        "inventions_by_theme": {
            "oltre_i_servizi": 4,
            "reti_vive": 5,
            "il_fronte_interno": 4,
            "prodotti_tangibili": 3,
            "nuovi_linguaggi_competenze": 3,
            "narrare_i_processi": 4,
        },
        "handovers": 2,
        "priorities_by_status": {},
        "priorities_by_outcome": {"validated": 0, "rejected": 0, "pending": 0, "reported": 0},
        "priorities_reported_outcomes": {},
        "evaluation_responses": 7,
    },
    "Community Lab 2018-2019": {
        "districts_participating": 25,
        "processes": 6,
        "workshops_held": 10,
        "people_involved": 258,
        "inventions_by_theme": {
            "oltre_i_servizi": 1,
            "reti_vive": 2,
            "il_fronte_interno": 1,
            "prodotti_tangibili": 2,
            "nuovi_linguaggi_competenze": 1,
            "narrare_i_processi": 1,
        },
        "handovers": 0,
        # One of the three reported priorities is then linked to its plan action sheet: its status is the
        # API's `linked_to_plan_action`, and it still counts among the reported outcomes.
        "priorities_by_status": {"proposed": 1, "rejected": 1, "reported": 2, "linked_to_plan_action": 1},
        "priorities_by_outcome": {"validated": 3, "rejected": 1, "pending": 1, "reported": 3},
        "priorities_reported_outcomes": {"achieved": 1, "partly_achieved": 1, "carried_over": 1},
        "evaluation_responses": 5,
    },
}


def stop_process_key(district: str) -> str:
    """The process a Community Express stop belongs to (Lugo's stop is part of Bassa Romagna 2020)."""
    return "bassa_romagna" if district == BASSA_ROMAGNA_PROCESS["district"] else f"stop:{district}"


def counts_from_dataset() -> dict[str, dict[str, Any]]:
    """Recount what the data set produces, by the reporting definitions (to keep DECLARED_COUNTS honest)."""
    held: dict[str, list[dict[str, Any]]] = {"express": [], "lab": []}
    held["express"] += [{"present": [], "anonymous": counts} for counts in EXPRESS_HEADCOUNTS]
    held["express"] += BASSA_ROMAGNA_PROCESS["workshops"]
    held["lab"] += REGGIO_PROCESS["workshops"]
    held["lab"] += [{"present": [], "anonymous": p["anonymous"]} for p in LAB_PROCESSES]
    edition_of_process = {"bassa_romagna": "express", "reggio": "lab"}
    edition_of_process |= {stop_process_key(d): "express" for d, _t, _day in EXPRESS_STOPS}
    edition_of_process |= {f"lab:{p['district']}": "lab" for p in LAB_PROCESSES}
    result: dict[str, dict[str, Any]] = {}
    for edition in EDITIONS:
        key = edition["key"]
        workshops = held[key]
        present = {person for w in workshops for person in w.get("present", [])}
        anonymous = sum(sum(w["anonymous"].values()) for w in workshops)
        themes: dict[str, int] = {}
        handovers = 0
        for process, _workshop, title, _kind, theme in INVENTIONS:
            if edition_of_process[process] == key:
                themes[theme] = themes.get(theme, 0) + 1
                handovers += title in HANDOVERS
        # Reporting uses the API's states: a reported priority later linked to its plan action sheet is
        # `linked_to_plan_action`; "outcome" on the dashboard is the Comitato's decision, and a linked
        # priority counts as validated and as reported there.
        statuses: list[str] = []
        reported: dict[str, int] = {}
        if key == REGGIO_PROCESS["edition"]:
            for priority in REGGIO_PRIORITIES:
                if priority["decision"] == "validated":
                    reported[priority["outcome"]] = reported.get(priority["outcome"], 0) + 1
                status = {None: "proposed", "rejected": "rejected"}.get(priority["decision"], "reported")
                if status == "reported" and priority.get("plan_action"):
                    status = "linked_to_plan_action"
                statuses.append(status)
        by_status = {status: statuses.count(status) for status in sorted(set(statuses))}
        done = statuses.count("reported") + statuses.count("linked_to_plan_action")
        by_outcome = {
            "validated": done,
            "rejected": statuses.count("rejected"),
            "pending": statuses.count("proposed"),
            "reported": done,
        }
        result[edition["name"]] = {
            "districts_participating": len(edition["districts"]),
            "processes": len({p for p, e in edition_of_process.items() if e == key}),
            "workshops_held": len(workshops),
            "people_involved": len(present) + anonymous,
            "inventions_by_theme": themes,
            "handovers": handovers,
            "priorities_by_status": by_status,
            "priorities_by_outcome": by_outcome,
            "priorities_reported_outcomes": reported,
            "evaluation_responses": sum(1 for p, _w, _a in EVALUATIONS if edition_of_process[p] == key),
        }
    return result


# --- the learning community (issue 22): a course, the collective manual, a case, Reggio Emilia's design ---

# The regional facilitation training of 2018: three days, a cohort of facilitators and two Reggio workers.
COURSE: dict[str, Any] = {
    "kind": "regional_facilitation_training",
    "title": "Formazione regionale alla facilitazione",
    "provider": "Regione Emilia-Romagna",
}
COURSE_EDITION: dict[str, Any] = {
    "title": "Community Lab 2018",
    "year": 2018,
    "starts_on": "2018-03-09",
    "ends_on": "2018-05-11",
    "completion_hours": 12,
}
# (date, place, hours, who attended)
COURSE_SESSIONS: list[tuple[str, str, int, list[str]]] = [
    ("2018-03-09", "Bologna, viale Aldo Moro", 6, ["fac1", "fac2", "fac3", "re5", "re6"]),
    ("2018-04-13", "Bologna, viale Aldo Moro", 6, ["fac1", "fac2", "fac3", "re5"]),
    ("2018-05-11", "Bologna, viale Aldo Moro", 6, ["fac1", "fac3", "re5"]),
]
COURSE_COHORT = ["fac1", "fac2", "fac3", "re5", "re6"]
COURSE_COMPLETIONS = ["fac1", "fac2", "fac3", "re5"]  # re6 attended 6 of the 12 hours

# Two seed method cards revised by two facilitators, a comment, and the manual published for the lab edition.
MANUAL_REVISIONS: list[dict[str, str]] = [
    {
        "method": "open_space_technology",
        "author": "fac1",
        "body": "Nella prima mezz'ora i partecipanti costruiscono insieme l'agenda: chi propone un tema ne "
        "convoca il gruppo.\n\nVale la legge dei due piedi: ognuno è libero di spostarsi dove sente di poter "
        "imparare o contribuire.\n\nLa giornata si chiude con un instant report di ogni gruppo, restituito a "
        "tutti.",
        "note": "Aggiunta la legge dei due piedi, come la usiamo nei laboratori",
    },
    {
        "method": "world_cafe",
        "author": "fac2",
        "body": "Ci si siede a tavoli di 4-5 persone per giri di 20-30 minuti su una domanda.\n\nAlla fine di "
        "ogni giro tutti cambiano tavolo tranne l'ospite, che racconta ai nuovi arrivati quanto emerso.\n\n"
        "Una plenaria di raccolta (harvest) chiude il lavoro: va prevista almeno un'ora.",
        "note": "Il tempo della raccolta finale",
    },
]
MANUAL_COMMENT = ("world_cafe", "fac3", "Da noi l'harvest con i cartelloni ha funzionato meglio dei post-it.")
MANUAL_EDITION = "lab"

# A case of the library: Reggio Emilia's cross-cutting tables, studied by the first Community Lab.
CASE: dict[str, Any] = {
    "district": "Reggio Emilia",
    "process": "reggio",
    "side": "social_and_health",
    "title": "Tavoli trasversali invece che per target",
    "summary": "Il distretto di Reggio Emilia organizza i tavoli del Piano di Zona su problematiche "
    "trasversali e non per categorie di utenti.",
    "story": "L'Ufficio di Piano propone le priorità costruite dalle sue reti e dai suoi tavoli; il Comitato di "
    "Distretto le valida e le consegna; l'Ufficio di Piano organizza i tavoli di progetto, o si avvale dei "
    "gruppi di lavoro esistenti, e ogni anno restituisce alla comunità gli esiti progettuali e processuali.",
    "lines": ["subjects", "methodological_solutions", "institutional_architectures"],
    "questions": [
        "Come si superano i target nei tavoli del Piano di Zona?",
        "Chi porta al Comitato di Distretto le priorità nate dai tavoli?",
    ],
    "guidance": [
        {
            "line": "subjects",
            "text": "Allargare i tavoli al terzo settore e ai cittadini, non solo ai servizi.",
        },
        {
            "line": "methodological_solutions",
            "text": "Ragionare per temi e politiche trasversali capaci di leggere il nuovo contesto sociale.",
        },
        {
            "line": "institutional_architectures",
            "text": "Un ciclo annuale fisso: l'Ufficio di Piano propone, il Comitato di Distretto valida, i tavoli "
            "di progetto lavorano, la restituzione chiude l'anno.",
        },
    ],
}

# Reggio Emilia's design beyond the two bodies of the governance step: Comitato di distretto -> Ufficio di
# Piano -> Tavoli Tematici / GRI, and the CTSS of the province.
REGGIO_MORE_BODIES: list[dict[str, Any]] = [
    {"key": "tavolo_fragilita", "kind": "thematic_table", "name": "Tavolo tematico Fragilità"},
    {"key": "gri", "kind": "gri", "name": "GRI - Gruppo di riferimento integrato"},
    {"key": "ctss", "kind": "ctss", "name": "Conferenza Territoriale Sociale e Sanitaria di Reggio Emilia"},
]
# (from body key, relation, to body key, note); "udp" and "comitato" are the bodies of REGGIO_BODIES.
REGGIO_RELATIONS: list[tuple[str, str, str, str]] = [
    ("udp", "proposes_to", "comitato", "priorità annuali"),
    ("comitato", "validates", "udp", "priorità annuali"),
    ("udp", "convenes", "tavolo_fragilita", "schede del Piano di Zona"),
    ("udp", "convenes", "gri", "tavoli di progetto"),
    ("tavolo_fragilita", "reports_to", "udp", "schede intervento"),
    ("ctss", "validates", "comitato", "atto di indirizzo triennale"),
]


# --- Supervision (issue 22.2): a facilitator brings a case from Reggio Emilia's process to supervisors ------
SUPERVISION: dict[str, Any] = {
    "held_on": "2019-03-14",
    "place": "Bologna, viale Aldo Moro 21",
    "edition": "lab",
    "supervisors": ["tutor1"],
    "facilitator": "fac3",
    "process": "reggio",
    "workshop": "re_table_fragility",
    "title": "Il tavolo fragilità fatica a passare dalle domande alle proposte",
    # The note's text stays in the registry, read by the case's facilitator, the supervisors and admins only.
    "note": "Restituire al tavolo le domande raccolte prima di proporre soluzioni; "
    "alternare plenaria e piccoli gruppi.",
}

# --- The first Community Lab (issue 22.6): 5 meetings and 2 working groups of its regional lab ------------
# The 2013 edition: 64-65 professionals (district directors, heads of the Uffici di Piano, the offices
# supporting the CTSS) met 5 times in two working groups. A few fictional participants stand for them.
FIRST_LAB_EDITION: dict[str, Any] = {
    "programme": "community_lab",
    "name": "Community Lab 2013-2014",
    "starts_on": "2013-03-01",
    "ends_on": "2014-06-30",
}
FIRST_LAB_PEOPLE: list[dict[str, str]] = [
    {
        **_person("lab1", "Direttrice", "Esempio Uno", "health_staff", "Parma"),
        "recipient": "district_director",
    },
    {
        **_person("lab2", "Direttore", "Esempio Due", "health_staff", "Ravenna"),
        "recipient": "district_director",
    },
    {
        **_person("lab3", "Responsabile", "Esempio Tre", "planning_office_staff", "Reggio Emilia"),
        "recipient": "ufficio_di_piano_head",
    },
    {
        **_person("lab4", "Responsabile", "Esempio Quattro", "planning_office_staff", "Modena"),
        "recipient": "ufficio_di_piano_head",
    },
    {
        **_person("lab5", "Referente", "Esempio Cinque", "administrator", "Centro-Nord"),
        "recipient": "ctss_office",
    },
]
FIRST_LAB_GROUPS: list[dict[str, Any]] = [
    {
        "key": "g1",
        "name": "Gruppo di lavoro 1",
        "topic": "Soggetti e metodi",
        "members": ["lab1", "lab3", "lab5"],
    },
    {
        "key": "g2",
        "name": "Gruppo di lavoro 2",
        "topic": "Architetture istituzionali",
        "members": ["lab2", "lab4"],
    },
]
FIRST_LAB_MEETINGS: list[dict[str, Any]] = [
    {"held_on": "2013-03-19", "topic": "Avvio del laboratorio: i casi locali", "groups": [], "absent": []},
    {
        "held_on": "2013-05-07",
        "topic": "Lo studio dei contesti micro",
        "groups": ["g1", "g2"],
        "absent": ["lab5"],
    },
    {
        "held_on": "2013-06-18",
        "topic": "Soggetti, metodi, architetture",
        "groups": ["g1", "g2"],
        "absent": [],
    },
    {
        "held_on": "2013-10-08",
        "topic": "Le indicazioni operative",
        "groups": ["g1", "g2"],
        "absent": ["lab2"],
    },
    {"held_on": "2013-12-03", "topic": "Restituzione alla Regione", "groups": [], "absent": []},
]
FIRST_LAB_PLACE = "Bologna, viale Aldo Moro 21"
