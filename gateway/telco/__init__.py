"""Telco adapters: each turns one aggregator's USSD and SMS callbacks into menu calls.

Africa's Talking is the first; Vietnamese telcos' own gateways (Viettel, VNPT, MobiFone) would
be siblings speaking their own wire format to the same menus and outbound SMS queue.
"""
