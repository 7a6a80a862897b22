"""Who may do what in the admin API: the role matrix, in one place.

Every admin endpoint names one action with ``@requires("action")``; this table says which
roles may perform it. Partners reach only their own callbacks (a separate door), so no admin
action lists them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType


class Role(str, enum.Enum):
    """The role an API key acts in."""

    OFFICER = "officer"  # imports rosters and prepares payment cycles (cán bộ)
    APPROVER = "approver"  # approves and releases cycles
    AUDITOR = "auditor"  # reads everything, changes nothing
    PARTNER = "partner"  # a wallet provider or telco: only its own callbacks


OFFICER, APPROVER, AUDITOR, PARTNER = Role.OFFICER, Role.APPROVER, Role.AUDITOR, Role.PARTNER

ROLE_MATRIX: Mapping[str, frozenset[Role]] = MappingProxyType({
    # Approvers see beneficiaries masked (see gateway.pii.mask.can_see_pii).
    "beneficiaries.read": frozenset({OFFICER, APPROVER, AUDITOR}),
    "rosters.import": frozenset({OFFICER}),
    # Import runs carry counts, file names and actors, no personal data.
    "rosters.read": frozenset({OFFICER, APPROVER, AUDITOR}),
    # Payroll, maker-checker: officers prepare (create, submit, cancel) and record budget
    # decisions; approvers approve and release, never a cycle their own key prepared.
    "cycles.read": frozenset({OFFICER, APPROVER, AUDITOR}),
    "cycles.prepare": frozenset({OFFICER}),
    "cycles.approve": frozenset({APPROVER}),
    # An approver key enrols and confirms its own authenticator app (TOTP for approvals).
    "approver.totp": frozenset({APPROVER}),
    "budget.allocate": frozenset({OFFICER}),
    # Programs and their rules (standard levels, coefficients) price every later cycle: a
    # change moves money, so approvers make it (with their authenticator code, as when
    # approving), never the officers whose cycles it prices. Everyone who reads cycles reads them.
    "programs.read": frozenset({OFFICER, APPROVER, AUDITOR}),
    "rules.change": frozenset({APPROVER}),
    # Recipient phones are masked for approvers (as beneficiaries.read).
    "payments.read": frozenset({OFFICER, APPROVER, AUDITOR}),
    "reports.read": frozenset({OFFICER, APPROVER, AUDITOR}),
    # Complaint notes are shown only to roles that may see personal data.
    "complaints.read": frozenset({OFFICER, APPROVER, AUDITOR}),
    "complaints.resolve": frozenset({OFFICER}),
    "audit.read": frozenset({AUDITOR}),
    # Reconciliation compares a provider's statement with our payments and records what
    # differs; it moves no money. Findings carry references, states and amounts, no phones.
    "reconciliation.run": frozenset({OFFICER, AUDITOR}),
    "reconciliation.read": frozenset({OFFICER, APPROVER, AUDITOR}),
    # Wallet changes, maker-checker between two officers (never the same API key); phones
    # are masked in every answer, reasons shown only to roles that may see personal data.
    "wallet_changes.request": frozenset({OFFICER}),
    "wallet_changes.approve": frozenset({OFFICER}),
    "wallet_changes.read": frozenset({OFFICER, APPROVER, AUDITOR}),
    # USSD PINs: the state and dates only (never a PIN or hash). Officers reset a forgotten
    # or locked PIN after checking the person's identity; the reset is audited.
    "pins.read": frozenset({OFFICER, AUDITOR}),
    "pins.reset": frozenset({OFFICER}),
})


def allowed_roles(action: str) -> frozenset[Role]:
    """Return the roles that may perform ``action``.

    Raises:
        KeyError: the action is not in the role matrix (a typo in ``@requires``).
    """
    return ROLE_MATRIX[action]


def may(role: str | Role, action: str) -> bool:
    """Tell whether ``role`` may perform ``action``."""
    try:
        return Role(role) in ROLE_MATRIX[action]
    except (ValueError, KeyError):
        return False
