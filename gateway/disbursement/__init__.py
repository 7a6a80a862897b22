"""Disbursement: send released payments to wallet providers exactly once, poll what is
pending or unknown, re-drive what got stuck, and apply provider callbacks."""
