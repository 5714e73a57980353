"""What ``POST /imports`` answers: the bundle imported and the record each of its rows became."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ImportPublic(BaseModel):
    """A bundle imported (201), or found already imported and left untouched (200)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "bundle_id": "community-lab-2018-2019",
                    "title": "Community Lab 2018-2019",
                    "source": "Regione Emilia-Romagna, Community Lab: pagine pubbliche del programma",
                    "digest": "9f2c...",
                    "created": True,
                    "counts": {"editions": 1, "processes": 6, "workshops": 12, "priorities": 4},
                    "records": {
                        "workshops": {"parma-tavolo-fragilita": "6f1c0e2a-0000-4000-8000-000000000001"}
                    },
                    "imported_at": "2026-12-03T09:00:00Z",
                }
            ]
        }
    )

    bundle_id: str
    title: str
    source: str
    digest: str = Field(description="SHA-256 of the manifest and the files it lists.")
    created: bool = Field(
        description="False when the same bundle had been imported before: nothing was written."
    )
    counts: dict[str, int] = Field(description="Rows written per kind of file.")
    records: dict[str, dict[str, str]] = Field(
        description="kind -> row id of the bundle -> id of the record."
    )
    imported_at: datetime
