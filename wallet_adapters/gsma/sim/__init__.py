"""A local GSMA Mobile Money API v1.2 provider for tests, demos and benchmarks (not live)."""
