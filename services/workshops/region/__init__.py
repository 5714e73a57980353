"""Lists across the region: workshops and priorities of every district, with filters."""
