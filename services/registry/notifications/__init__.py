"""Follows, in-app notifications and their e-mails (the registry keeps them: they are about people)."""
