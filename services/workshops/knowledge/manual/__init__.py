"""The collective manual of facilitation: chapters, method cards, their revisions, comments and publications."""
