"""The evidence table as an edition (``--format evidence``): a package of its own among the
editions, above :mod:`reportc.evidence`, the stage that checks the quotations and whose
result every edition's :class:`~reportc.editions.base.Made` carries."""
