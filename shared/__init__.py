"""Library code shared by the communitylab services: config, database, event log, errors, auth, API helpers."""
