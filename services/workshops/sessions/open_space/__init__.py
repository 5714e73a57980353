"""Open Space Technology: marketplace topics, the law of two feet, instant reports."""
