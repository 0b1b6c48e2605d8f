"""Redline: a report whose chapters show what changed between two revisions."""
