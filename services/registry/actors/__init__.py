"""Who acts in a district: the overview across organisations, people, bodies and facilitators."""
