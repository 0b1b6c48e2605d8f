"""The Word edition: the numbered report, cited by citeproc, written by pandoc's docx writer."""
