"""Helpers for the accessibility tests: a PDF structure-tree reader and checker
(pdfcheck) and a headless-browser axe-core runner (browser)."""
