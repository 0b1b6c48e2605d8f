"""reportc: Markdown chapters and a BibTeX file in, a cited PDF and HTML report out."""

__version__ = "0.1.0"
