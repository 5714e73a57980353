"""Request and response bodies of the districts API (bounded, with examples)."""

from __future__ import annotations

import math
import uuid
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from geojson_pydantic import Feature, FeatureCollection
from geojson_pydantic import MultiPolygon as GeoJSONMultiPolygon
from geojson_pydantic import Polygon as GeoJSONPolygon
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from services.registry.common.schemas import Year, check_period
from services.registry.districts.models import MunicipalityKind
from shared.api.schemas import ApiModel, Code, PatchModel, PublicModel, ShortText, bounded_list
from shared.errors import FieldRule

Population = Annotated[int, Field(ge=0, le=100_000_000)]
MAX_POSITIONS = 200_000
# Per level of nesting, documented and checked alike: a ring's positions, a polygon's rings, a multipolygon's
# polygons. Real district boundaries hold a few hundred positions; the bounds keep the largest document a client
# (or a fuzzer) builds from the schema near the 1 MiB body limit instead of far beyond it.
MAX_RING_POSITIONS = 50_000
MAX_RINGS = 1_000
MAX_POLYGONS = 1_000
LEVEL_MAX_ITEMS = (MAX_RING_POSITIONS, MAX_RINGS, MAX_POLYGONS)


def _check_positions(node: Any, depth: int, counter: list[int]) -> None:
    """Walk GeoJSON coordinates: ``depth`` levels of arrays down to [lon, lat] positions."""
    if not isinstance(node, list):
        raise ValueError("coordinates must be nested arrays")
    if depth == 0:
        if len(node) not in (2, 3) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in node
        ):
            raise ValueError("a position is [longitude, latitude]")
        if not (-180 <= node[0] <= 180 and -90 <= node[1] <= 90):
            raise ValueError("positions are WGS84 longitude/latitude (RFC 7946)")
        counter[0] += 1
        if counter[0] > MAX_POSITIONS:
            raise ValueError(f"at most {MAX_POSITIONS} positions")
        return
    if depth == 1 and len(node) < 4:
        raise ValueError("a linear ring has at least 4 positions")
    if len(node) > LEVEL_MAX_ITEMS[depth - 1]:
        what = ("positions in a ring", "rings in a polygon", "polygons in a multipolygon")[depth - 1]
        raise ValueError(f"at most {LEVEL_MAX_ITEMS[depth - 1]} {what}")
    for child in node:
        _check_positions(child, depth - 1, counter)
    if depth == 1 and node[0] != node[-1]:
        raise ValueError("a linear ring ends where it starts (RFC 7946)")


def _positions_schema(depth: int) -> dict[str, Any]:
    """JSON Schema of ``depth`` levels of arrays around [longitude, latitude(, altitude)] positions (bounded)."""
    schema: dict[str, Any] = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3}
    for level in range(depth):
        schema = {"type": "array", "items": schema, "maxItems": LEVEL_MAX_ITEMS[level]}
    return schema


class Geometry(BaseModel):
    """A GeoJSON (RFC 7946) Polygon or MultiPolygon in WGS84 longitude/latitude, as a request sends it.

    Validated here (ring sizes, WGS84 ranges, at most 200,000 positions); its coordinates are documented as the
    nested arrays of numbers they are: three levels for a Polygon, four for a MultiPolygon."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: Annotated[
        list[Any],
        Field(max_length=max(MAX_RINGS, MAX_POLYGONS)),
        WithJsonSchema({"anyOf": [_positions_schema(2), _positions_schema(3)]}),
    ]

    @model_validator(mode="after")
    def _valid_coordinates(self) -> Geometry:
        _check_positions(self.coordinates, 2 if self.type == "Polygon" else 3, [0])
        return self


Boundary = Annotated[GeoJSONPolygon | GeoJSONMultiPolygon, Field(discriminator="type")]
"""A district's boundary as the API returns it: a GeoJSON Polygon or MultiPolygon (``geojson-pydantic``)."""


class PopulationEntry(ApiModel):
    """Resident population in one year."""

    year: Year
    population: Population


class DistrictCreate(ApiModel):
    """A new district."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Forlì",
                    "regional_code": "038",
                    "province": "FC",
                    "health_authority": "AUSL della Romagna",
                    "valid_from": "2014-01-01",
                    "valid_to": None,
                    "population": [{"year": 2016, "population": 187641}],
                    "boundary": {
                        "type": "Polygon",
                        "coordinates": [[[12.0, 44.2], [12.1, 44.2], [12.1, 44.3], [12.0, 44.2]]],
                    },
                }
            ]
        },
    )

    name: ShortText
    regional_code: Code | None = Field(default=None, description="The region's code; leave blank if unknown.")
    province: Annotated[str, Field(min_length=2, max_length=8, pattern=r"^[A-Z]{2,8}$")] | None = None
    health_authority: ShortText | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    population: list[PopulationEntry] = bounded_list(200)
    boundary: Geometry | None = None

    @model_validator(mode="after")
    def _period(self) -> DistrictCreate:
        check_period(self.valid_from, self.valid_to)
        years = [p.year for p in self.population]
        if len(years) != len(set(years)):
            raise FieldRule("population", "population years must be unique")
        return self


class DistrictUpdate(PatchModel):
    """Changes to a district's attributes (population and boundary have their own routes)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"health_authority": "AUSL della Romagna", "valid_to": "2018-12-31"}]
        },
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset(
        {"regional_code", "province", "health_authority", "valid_from", "valid_to"}
    )

    name: ShortText | None = None
    regional_code: Code | None = None
    province: Annotated[str, Field(min_length=2, max_length=8, pattern=r"^[A-Z]{2,8}$")] | None = None
    health_authority: ShortText | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class PopulationSet(ApiModel):
    """The population of a district in one year."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"year": 2016, "population": 187641}]}
    )

    year: Year
    population: Population


class BoundarySet(ApiModel):
    """A district's boundary."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "boundary": {
                        "type": "Polygon",
                        "coordinates": [[[12.0, 44.2], [12.1, 44.2], [12.1, 44.3], [12.0, 44.2]]],
                    }
                }
            ]
        },
    )

    boundary: Geometry


class MunicipalityCreate(ApiModel):
    """A municipality or union of municipalities of the district."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Unione dei Comuni della Bassa Romagna",
                    "kind": "union",
                    "istat_code": None,
                    "valid_from": "2008-01-01",
                    "valid_to": None,
                }
            ]
        },
    )

    name: ShortText
    kind: MunicipalityKind
    istat_code: Code | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _period(self) -> MunicipalityCreate:
        check_period(self.valid_from, self.valid_to)
        return self


class MunicipalityPublic(PublicModel):
    """A municipality or union of a district."""

    id: uuid.UUID
    district_id: uuid.UUID
    name: str
    kind: MunicipalityKind
    istat_code: str | None
    valid_from: date | None
    valid_to: date | None


class DistrictPublic(PublicModel):
    """A district."""

    id: uuid.UUID
    name: str
    regional_code: str | None
    province: str | None
    health_authority: str | None
    valid_from: date | None
    valid_to: date | None
    version: int
    population: list[PopulationEntry] = Field(default_factory=list)
    municipalities: list[MunicipalityPublic] = Field(default_factory=list)
    has_boundary: bool = False
    boundary: Boundary | None = Field(
        default=None, description="GeoJSON geometry (only on GET /districts/{id})."
    )


class DistrictProperties(PublicModel):
    """A district's attributes, as the ``properties`` of its GeoJSON Feature."""

    id: uuid.UUID
    name: str
    regional_code: str | None
    province: str | None
    health_authority: str | None
    valid_from: date | None
    valid_to: date | None
    version: int
    population: list[PopulationEntry] = Field(default_factory=list)
    municipalities: list[MunicipalityPublic] = Field(default_factory=list)


class DistrictFeature(Feature[Boundary, DistrictProperties]):
    """A district as a GeoJSON (RFC 7946) Feature: its boundary (null when unknown) and its attributes."""


class DistrictFeatureCollection(FeatureCollection[DistrictFeature]):
    """One page of districts as a GeoJSON FeatureCollection; ``next_cursor`` continues it."""

    next_cursor: str | None = Field(
        default=None, description="The cursor of the next page; null on the last."
    )
