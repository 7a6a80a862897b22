"""eSMS (VIHAT), Vietnam's SMS aggregator: brandname SMS, Zalo ZNS, short-code MO.

``client`` writes eSMS's documented requests, ``sms`` is the ``SmsSender``, ``codes`` says
what each answer and report code means, ``callbacks`` receives delivery reports and MOs,
``settings`` checks ``CHITRA_ESMS_*`` and ``stub`` stands in for eSMS in tests and demos.
"""
