"""Everything that runs pandoc: the one wrapper (runner), AST helpers, reading chapters,
citing and writing them as HTML (Lua filters in resources/)."""
