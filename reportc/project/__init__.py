"""The report directory as reportc reads it: report.yaml, chapter files, bibliography, CSL,
release labels."""
