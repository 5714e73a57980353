"""Districts: codes, validity, population, boundaries, municipalities, and the bundled seed."""
