"""Roster files in and out: read CSV/XLSX, validate each row, write the register, export it.

Built on the register of people (gateway.registry) and on wallets: a roster that names
another wallet phone files the two-officer change request (gateway.wallets.changes).
"""
