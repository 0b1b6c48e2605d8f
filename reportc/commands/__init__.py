"""Command-line entry points: build, watch, diff (redline)."""
