"""The last-line log filter that masks personal data."""

import logging

from gateway.logs import PiiScrubFilter, scrub


def test_scrub_masks_phones_and_citizen_ids_but_keeps_other_numbers():
    text = "paid 500000 to 0912345678 (+84987654321) for 046152012345, cycle 2026"
    clean = scrub(text)
    assert "0912345678" not in clean and "+84987654321" not in clean
    assert "046152012345" not in clean
    assert "500000" in clean and "2026" in clean


def test_filter_rewrites_records_with_arguments():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "phone %s", ("0912345678",), None)
    PiiScrubFilter().filter(record)
    assert "0912345678" not in record.getMessage()
