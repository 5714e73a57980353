"""The two-district world of test_district_isolation, shared with the other access tests of this folder."""

from tests.api.test_district_isolation import (  # noqa: F401 (fixtures)
    clients,
    savepoint,
    world_connection,
    world_db,
    worlds,
)
