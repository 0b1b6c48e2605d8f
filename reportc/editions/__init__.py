"""Editions of a report behind one interface (:mod:`reportc.editions.base`), the registry
``--format`` chooses from, and what every edition shares: the theme and print typography."""
