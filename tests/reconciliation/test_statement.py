"""Reading provider statements: columns by header, amounts in whole đồng, statuses, refusals."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from gateway.reconciliation.errors import StatementRefused
from gateway.reconciliation.statement import read_statement
from gateway.reconciliation.values import (
    RowProblem,
    TheirStatus,
    normalise_reference,
    parse_amount,
    parse_status,
    parse_timestamp,
)

REF = "0190f3a2b4c57d8e9f0a1b2c3d4e5f60"


def read(text: str | bytes, name: str = "s.csv"):  # type: ignore[no-untyped-def]
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_statement(io.BytesIO(data), name)


@pytest.mark.parametrize(("text", "value"), [
    ("1.250.000", 1_250_000), ("1250000", 1_250_000), ("1250000.00", 1_250_000),
    ("1,250,000", 1_250_000), ("1.250.000,00", 1_250_000), ("1 250 000 đ", 1_250_000),
    ("1250000 VND", 1_250_000), ("500", 500), ("1.250", 1_250),
])
def test_amounts_are_read_as_whole_dong_in_the_ways_providers_print_them(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize(("text", "code"), [
    ("1250000.50", "amount_fraction"), ("1.250.000,5", "amount_fraction"),
    ("12.5", "amount_fraction"), ("", "amount_missing"), ("abc", "amount_invalid"),
    ("-500000", "amount_not_positive"), ("0", "amount_not_positive"),
    ("1.25.000", "amount_invalid"),
])
def test_fractions_of_a_dong_and_non_numbers_are_refused(text, code):
    with pytest.raises(RowProblem) as problem:
        parse_amount(text)
    assert problem.value.code == code


@pytest.mark.parametrize(("word", "status"), [
    ("completed", TheirStatus.SUCCEEDED), ("SUCCESS", TheirStatus.SUCCEEDED),
    ("Succeeded", TheirStatus.SUCCEEDED), ("paid", TheirStatus.SUCCEEDED),
    ("Thành công", TheirStatus.SUCCEEDED), ("failed", TheirStatus.FAILED),
    ("REJECTED", TheirStatus.FAILED), ("declined", TheirStatus.FAILED),
    ("reversed", TheirStatus.FAILED), ("pending", TheirStatus.PENDING),
    ("IN_PROGRESS", TheirStatus.PENDING),
])
def test_provider_status_words_map_to_succeeded_failed_or_pending(word, status):
    assert parse_status(word) is status


def test_an_unknown_status_word_is_a_row_problem_not_a_guess():
    with pytest.raises(RowProblem) as problem:
        parse_status("maybe")
    assert problem.value.code == "status_unknown"


def test_references_are_compared_without_dashes_braces_or_case():
    dashed = f"{REF[:8]}-{REF[8:12]}-{REF[12:16]}-{REF[16:20]}-{REF[20:]}".upper()
    assert normalise_reference(dashed) == REF
    assert normalise_reference("{" + dashed + "}") == REF
    assert normalise_reference(f"urn:uuid:{dashed.lower()}") == REF
    assert normalise_reference("VT-0001") is None


def test_timestamps_without_an_offset_are_vietnam_time():
    assert parse_timestamp("05/12/2026 10:30:00") == datetime(2026, 12, 5, 3, 30)
    assert parse_timestamp("2026-12-05T10:30:00+07:00") == datetime(2026, 12, 5, 3, 30)
    assert parse_timestamp("2026-12-05T03:30:00Z") == datetime(2026, 12, 5, 3, 30)
    assert parse_timestamp("") is None
    with pytest.raises(RowProblem):
        parse_timestamp("yesterday")


def test_vietnamese_headers_with_semicolons_and_a_bom_are_understood():
    text = ("\ufeffBáo cáo giao dịch;;;\n"
            "Mã tham chiếu;Mã giao dịch;Số tiền (VND);Trạng thái;Số điện thoại;Ghi chú\n"
            f"{REF};VT-1;1.250.000;Thành công;0912345678;x\n")
    statement = read(text)
    assert statement.columns == {"reference": "Mã tham chiếu", "provider_ref": "Mã giao dịch",
                                 "amount": "Số tiền (VND)", "status": "Trạng thái",
                                 "msisdn": "Số điện thoại"}
    assert statement.ignored_columns == ["Ghi chú"]
    [row] = statement.rows
    assert (row.row, row.reference, row.provider_ref, row.amount, row.status) == (
        3, REF, "VT-1", 1_250_000, TheirStatus.SUCCEEDED)
    assert "0912345678" not in repr(row)  # phone numbers are never read
    assert len(statement.sha256) == 64


@pytest.mark.parametrize("header", [
    "requestingOrganisationTransactionReference,transactionReference,amount,transactionStatus",
    "X-CorrelationID,transaction_id,Amount,Status",
    "idempotency_key,provider_ref,AMOUNT,status",
    "client_reference,txn_id,amount,status",
])
def test_gsma_and_other_header_spellings_name_the_same_columns(header):
    statement = read(f"{header}\n{REF},T1,500000,completed\n")
    assert [(r.reference, r.provider_ref) for r in statement.rows] == [(REF, "T1")]


def test_bad_rows_are_reported_with_their_number_and_the_rest_are_read():
    statement = read("reference,amount,status\n"
                     f"{REF},500000,completed\n"
                     f"{REF},500000.50,completed\n"
                     ",500000,completed\n"
                     f"{REF},500000,lost\n"
                     "\n"
                     f"{REF},1.000.000,failed\n")
    assert [r.row for r in statement.rows] == [2, 7]
    assert [(i.row, i.code) for i in statement.issues] == [
        (3, "amount_fraction"), (4, "reference_missing"), (5, "status_unknown")]
    assert all(i.vi and i.en for i in statement.issues)


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"reference,amount\n" + REF.encode() + b",500000\n", "status"),
    (b"name,amount,status\nAn,500000,completed\n", "reference"),
    (b"reference,client_reference,amount,status\n", "more than one column"),
    ("reference,amount,status\nx,500000,Thành công\n".encode("cp1258"), "not UTF-8"),
    (b"PK\x03\x04rest-of-a-zip", "Excel"),
    (b"reference,amount,status\nab\x00c,1,completed\n", "not UTF-8"),
    (b'reference,amount,status\n"abc,1,completed\n', "well-formed"),
])
def test_a_statement_that_cannot_be_used_is_refused_whole_in_both_languages(data, words):
    with pytest.raises(StatementRefused) as refused:
        read(data)
    assert words in refused.value.en
    assert refused.value.vi and refused.value.vi != refused.value.en


def test_missing_columns_are_named():
    with pytest.raises(StatementRefused) as refused:
        read("Mã tham chiếu,Ghi chú\nx,y\n")
    assert refused.value.missing == ["amount", "status"]
    assert "số tiền" in refused.value.vi and "trạng thái" in refused.value.vi


def test_the_file_hash_covers_every_byte_read():
    import hashlib

    data = f"reference,amount,status\n{REF},500000,completed\n\n\n".encode()
    assert read(data).sha256 == hashlib.sha256(data).hexdigest()


def test_a_providers_own_headers_come_from_its_adapter_registration():
    from wallet_adapters import registry

    data = "echo_ref,echo_amount_paid,echo_state\n" + "a" * 32 + ",500000,completed\n"
    with pytest.raises(StatementRefused):
        read(data)

    class _Echo:
        """Test provider."""

        def __init__(self, settings):  # type: ignore[no-untyped-def]
            self.settings = settings

    registry.register("echo-statement", statement_columns={
        "reference": ("echo_ref",), "amount": ("echo_amount_paid",),
        "status": ("echo_state",)})(_Echo)
    try:
        statement = read(data)
    finally:
        registry._providers.pop("echo-statement", None)
    assert statement.columns == {"reference": "echo_ref", "amount": "echo_amount_paid",
                                 "status": "echo_state"}
    assert [r.amount for r in statement.rows] == [500_000]
