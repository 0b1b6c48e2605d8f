"""pdf.compat"""
