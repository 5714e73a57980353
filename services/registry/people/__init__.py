"""People: the only home of personal data, their districts, affiliations, consent and erasure."""
