"""The PDF edition: the print page split into parts (split), laid out in parallel processes
(schedule, workers) with page numbers estimated (pagemap) and stamped once known, then
merged (merge). compat/ is the only code that touches WeasyPrint or pydyf internals."""
