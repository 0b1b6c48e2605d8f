"""Stage 3: the bibliography, read as BibTeX, biber and pandoc read it.

:mod:`.reader` parses references.bib and fails only on input that cannot be read;
:mod:`.inherit` resolves ``crossref``, ``xdata`` and ``@set`` as biber does;
:mod:`.checks` judges the entries the report cites (warnings) once the chapters are read;
:mod:`.references` hands the cited entries to citeproc as clean CSL JSON.
"""

from reportc.project.bibliography.checks import check_citations, missing_fields
from reportc.project.bibliography.reader import load_bibliography
from reportc.project.bibliography.record import Bibliography, Record
from reportc.project.bibliography.references import References, clean_latex

__all__ = [
           "Bibliography",
           "Record",
           "References",
           "check_citations",
           "clean_latex",
           "load_bibliography",
           "missing_fields",
]
