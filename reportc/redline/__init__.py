"""Redline: a report whose chapters show what changed between two revisions.

build (the ``reportc diff`` entry point) -> git (the two revisions) -> diff (word-level
diff of pandoc ASTs) -> refs (cross-references and bibliography entries deleted text
needs) -> summary (the changes chapter) -> tree (the merged report directory).
"""
