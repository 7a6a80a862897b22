"""GSMA Mobile Money API v1.2 provider: registers ``"gsma"`` in the adapter registry."""

from wallet_adapters.gsma.adapter import GsmaAdapter

__all__ = ["GsmaAdapter"]
