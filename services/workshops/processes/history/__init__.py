"""A process's history: its events across streams, the process as of a past time, and snapshots."""
