"""USSD PINs of beneficiaries (mã PIN): chosen at first use, slow-hashed, locked after wrong tries.

The PIN belongs to the beneficiary, not to the phone that dials: the data and money it guards
are the beneficiary's, and whichever linked phone calls (their own, a representative's, the
wallet's) must prove the same PIN. So a thief cannot get fresh tries by switching phones, and a
caregiver acting for two people proves each person's PIN.
"""
