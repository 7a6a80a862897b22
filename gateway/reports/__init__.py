"""Reports (báo cáo): a cycle's figures per commune, and its settlement (quyết toán) from the
ledger. Built by SQL aggregation, so a province-wide cycle reports in milliseconds."""

from gateway.reports.cycle import CycleReport, cycle_report
from gateway.reports.settlement import Settlement, settlement

__all__ = ["CycleReport", "Settlement", "cycle_report", "settlement"]
