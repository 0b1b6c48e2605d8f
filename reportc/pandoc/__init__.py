"""The pandoc tool: the one wrapper that runs it (:mod:`.runner`), helpers for its JSON AST
(:mod:`.ast`) and the Lua filters the stages hand it (resources/). The stages that run it
live above: reading in :mod:`reportc.document.read`, citing in :mod:`reportc.citing`."""
