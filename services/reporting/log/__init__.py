"""The event log's public audit trail: signed checkpoints, public keys and Merkle proofs."""
