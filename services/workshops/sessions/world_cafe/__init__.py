"""World Café: tables and hosts, rounds, notes, the plenary harvest."""
