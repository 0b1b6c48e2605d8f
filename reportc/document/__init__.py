"""The report as one document: chapters numbered globally, cross-references resolved."""
