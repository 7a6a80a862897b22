"""Double-entry ledger in integer đồng: append-only postings, balances derived."""
