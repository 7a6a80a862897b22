"""A local Template Pay API for the contract tests, demos and benchmarks (not shipped live)."""
