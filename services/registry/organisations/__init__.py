"""Organisations: municipalities, AUSL, ASP, associations, cooperatives, schools and the districts they serve."""
