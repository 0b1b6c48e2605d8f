"""Reading a reviewed DOCX or PDF back: every remark brought to its source line."""
