"""RQ job functions, the outbox relay and the sweeper (thin doors into the gateway domain)."""
