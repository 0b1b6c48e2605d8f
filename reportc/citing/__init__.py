"""Stage 5, citing: the report cited once by citeproc (through pandoc) and each chapter
written as HTML with its notes (:mod:`.render`), citing again without citeproc when the
citations did not change (:mod:`.recite`), the reference list (:mod:`.reflist`), and how to
cite the report itself (:mod:`.citation`)."""
