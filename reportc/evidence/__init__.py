"""Evidence you can audit (issue 26): quotations checked against the sources of the
entries they cite, near-copies of source sentences found, and the evidence table.

:mod:`.locate` finds each entry's source files (the sandbox rule holds), :mod:`.extract`
reads them as text, :mod:`.passages` reads the chapters' sentences, quotations and
citations, :mod:`.match` and :mod:`.copies` compare, :mod:`.check` runs the check and
:mod:`.table` writes the table (the edition that writes it: :mod:`reportc.evidence_table`)."""
