"""Supervisions (issue 22.2): a facilitator or tutor brings a case from a process or workshop to supervisors.

Why the registry: a supervision is about people (the facilitator or tutor who brings the case, the supervisors)
and its notes are about their practice, so they may hold personal data, which lives in the registry only
(the one service with the privacy policy, erasure and the facilitators' profiles). The case's process or
workshop belongs to the workshops service: it is referenced by id and checked over HTTP
(``shared.clients.workshops``, its public ``GET /processes/{id}`` and ``GET /workshops/{id}``), which also
gives the district and programme edition the case counts for in reports.
"""
