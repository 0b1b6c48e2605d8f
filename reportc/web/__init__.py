"""The page: theme, Jinja2 template, the HTML edition and its self-contained form."""
