"""Registry service: districts, organisations, people (the only home of personal data), governance bodies."""
