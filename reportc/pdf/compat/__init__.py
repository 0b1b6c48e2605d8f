"""WeasyPrint 70 and pydyf 0.13 internals: speed patches and restamping laid-out pages."""
