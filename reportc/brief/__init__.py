"""The policy brief edition."""
