"""The yearly priority cycle: proposal, validation, assignment, report, the local plan."""
