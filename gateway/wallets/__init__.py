"""Wallet links: OTP verification of the wallet phone, officers' two-person phone changes,
and SIM-swap checks before codes and payouts."""
