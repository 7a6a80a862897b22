"""Approvers' second factor: authenticator-app (TOTP) enrolment and checks at approval."""
