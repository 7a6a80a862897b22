"""Complaints (khiếu nại): a beneficiary says money did not arrive, was wrong, or a wallet
problem; officers resolve them. Filed by USSD, SMS, the API or an officer."""

from gateway.complaints.filing import (
    file_complaint,
    get_complaint,
    new_ticket,
    open_note,
    resolve_complaint,
)
from gateway.complaints.models import Channel, Complaint, ComplaintKind, ComplaintStatus, Resolution

__all__ = [
    "Channel", "Complaint", "ComplaintKind", "ComplaintStatus", "Resolution", "file_complaint",
    "get_complaint", "new_ticket", "open_note", "resolve_complaint",
]
