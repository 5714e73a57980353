"""Governance bodies (Ufficio di Piano, Comitato di Distretto, steering groups) and their memberships."""
