"""Payroll: programs and effective-dated rules, monthly cycles (kỳ chi trả) with maker-checker,
payments, funding."""
