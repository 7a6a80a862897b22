"""Beneficiary channels: the menus' port on the database, outbound SMS and payment notices."""
