"""Roster import end to end: files in, encrypted rows out, every rejection explained."""

from __future__ import annotations

import csv
import json

import pytest
import sqlalchemy as sa

from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.registry.models import Beneficiary, Enrolment, ImportRun, WalletLink
from tests.registry.rosters import GOOD, VI_HEADER, write_csv, write_xlsx


def count(model) -> int:
    with get_db().sessionmaker() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model))


def import_json(runner, path, *extra):
    result = runner.invoke("roster", "import", str(path), "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_mixed_file_imports_exactly_the_good_rows_and_explains_each_bad_one(runner, tmp_path):
    bad_id = [
        "Phạm Văn Em",
        "01/01/1950",
        "Nam",
        "04605012345",
        "0911111111",
        "19753",
        "NCT_80",
        "",
        "01/2024",
        "",
        "",
        "",
        "H4",
    ]  # 11-digit ID
    bad_phone_and_commune = [
        "Võ Thị Gấm",
        "01/01/1950",
        "Nữ",
        "046150123123",
        "02438123456",
        "99999",
        "NCT_80",
        "",
        "01/2024",
        "",
        "",
        "",
        "H5",
    ]
    path = write_csv(tmp_path / "mixed.csv", [GOOD[0], bad_id, GOOD[1], bad_phone_and_commune])
    errors = tmp_path / "errors.csv"
    report = import_json(runner, path, "--errors", str(errors))
    assert (report["accepted"], report["rejected"]) == (2, 2)
    assert count(Beneficiary) == 2 and count(WalletLink) == 2 and count(Enrolment) == 2
    by_row = {(i["row"], i["code"]) for i in report["issues"]}
    assert (3, "citizen_id.length") in by_row or any(
        r == 3 and c.startswith("citizen_id") for r, c in by_row
    )
    assert {c for r, c in by_row if r == 5} >= {"phone.landline", "commune_code.unknown"}
    for issue in report["issues"]:
        assert issue["vi"] and issue["en"] and issue["column"]
    with open(errors, encoding="utf-8-sig") as fh:
        lines = list(csv.DictReader(fh))
    assert {(int(r["row"]), r["code"]) for r in lines} == by_row
    # The errors file is shared around: it must not carry personal data.
    text = errors.read_text(encoding="utf-8-sig")
    assert "04605012345" not in text and "02438123456" not in text and "Võ Thị Gấm" not in text


def test_cli_prints_accepted_and_rejected_counts(runner, tmp_path):
    path = write_csv(tmp_path / "r.csv", GOOD + [["x"] * 13])
    result = runner.invoke("roster", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "accepted 3, rejected 1" in result.output


def test_file_missing_a_required_column_is_refused_whole_and_writes_nothing(runner, tmp_path):
    header = [h for h in VI_HEADER if h not in ("Số CCCD", "Mã xã")]
    rows = [[c for h, c in zip(VI_HEADER, r, strict=True) if h in header] for r in GOOD]
    path = write_csv(tmp_path / "nocol.csv", rows, header)
    result = runner.invoke("roster", "import", str(path))
    assert result.exit_code != 0
    assert "Số CCCD" in result.output and "Mã xã" in result.output
    assert "Traceback" not in result.output
    assert count(Beneficiary) == 0 and count(ImportRun) == 0
    as_json = runner.invoke("roster", "import", str(path), "--json")
    assert as_json.exit_code == 2
    body = json.loads(as_json.output)
    assert body["refused"] and len(body["missing_columns"]) == 2


def test_reimport_updates_instead_of_duplicating(runner, tmp_path):
    import_json(runner, write_csv(tmp_path / "a.csv", GOOD))
    changed = [row[:] for row in GOOD]
    changed[0][4] = "0909000111"  # new phone
    changed[1][7] = "4"  # one more child
    report = import_json(runner, write_csv(tmp_path / "b.csv", changed))
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 2, 1)
    assert count(Beneficiary) == 3 and count(WalletLink) == 3
    with get_db().sessionmaker() as s:
        children = s.scalar(sa.select(Enrolment.children).where(Enrolment.category == "DON_THAN"))
    assert children == 4
    again = import_json(runner, write_csv(tmp_path / "c.csv", changed))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_a_changed_wallet_phone_waits_for_a_second_officer_then_a_fresh_verification(
        app, runner, tmp_path):
    from gateway.wallets.changes import PENDING_FLAG, approve_change
    from gateway.wallets.models import WalletChangeRequest

    import_json(runner, write_csv(tmp_path / "a.csv", GOOD), "--actor", "lan")
    with get_db().session() as s:
        s.execute(sa.update(WalletLink).values(verified=True))
    changed = [row[:] for row in GOOD]
    changed[0][4] = "0909000111"
    report = import_json(runner, write_csv(tmp_path / "b.csv", changed), "--actor", "lan")
    assert report["flagged"] == 1
    assert [i["code"] for i in report["issues"]] == ["wallet.change_needs_second_officer"]
    codec = get_pii()
    new_digest = codec.phone_index("+84909000111")

    def links_with_new_phone() -> int:
        with get_db().sessionmaker() as s:
            return s.scalar(sa.select(sa.func.count()).select_from(WalletLink)
                            .where(WalletLink.phone_bidx == new_digest))

    # The roster alone moves no money: the link keeps its phone and is held meanwhile.
    assert links_with_new_phone() == 0
    with get_db().sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(WalletLink)
                        .where(WalletLink.flag == PENDING_FLAG)) == 1
        waiting = s.scalars(sa.select(WalletChangeRequest)).all()
    assert [(w.status, w.requested_by) for w in waiting] == [("pending", "cli:lan")]
    import_json(runner, write_csv(tmp_path / "c.csv", changed), "--actor", "lan")  # again
    with get_db().sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(WalletChangeRequest)) == 1
    with get_db().session() as s:
        refused = approve_change(s, codec, waiting[0].ref, actor="cli:lan")
    assert refused.refused is not None and links_with_new_phone() == 0
    with get_db().session() as s:
        assert approve_change(s, codec, waiting[0].ref, actor="cli:minh").changed
    with get_db().sessionmaker() as s:
        link = s.scalar(sa.select(WalletLink).where(WalletLink.phone_bidx == new_digest))
        assert link is not None and link.verified is False and link.flag is None
        assert s.scalar(sa.select(sa.func.count()).select_from(WalletLink)
                        .where(WalletLink.verified.is_(True))) == 2

def test_dropped_category_is_closed_not_deleted(runner, tmp_path):
    two = [row[:] for row in GOOD]
    two[0][6] = "NCT_80;KT_NANG_TE_NCT"
    import_json(runner, write_csv(tmp_path / "a.csv", two))
    import_json(runner, write_csv(tmp_path / "b.csv", GOOD))
    with get_db().sessionmaker() as s:
        closed = s.execute(
            sa.select(Enrolment.category, Enrolment.end_month).where(
                Enrolment.end_month.is_not(None)
            )
        ).all()
    assert [c for c, _ in closed] == ["KT_NANG_TE_NCT"]


def test_same_citizen_id_twice_in_a_file_rejects_the_second_row(runner, tmp_path):
    dup = GOOD[0][:]
    dup[0] = "Nguyễn Văn Ân"
    report = import_json(runner, write_csv(tmp_path / "d.csv", [GOOD[0], dup]))
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert report["issues"][0]["code"] == "citizen_id.duplicate_in_file"
    assert "2" in report["issues"][0]["en"]  # names the first row


def test_phone_shared_by_two_households_is_flagged_but_one_household_is_not(runner, tmp_path):
    same_household = [row[:] for row in GOOD[:2]]
    same_household[1][4] = same_household[0][4]
    same_household[1][12] = same_household[0][12]
    report = import_json(runner, write_csv(tmp_path / "same.csv", same_household))
    assert report["flagged"] == 0
    other = GOOD[2][:]
    other[4], other[10], other[11] = same_household[0][4], "", ""
    report = import_json(runner, write_csv(tmp_path / "other.csv", [other]))
    assert report["accepted"] == 1 and report["flagged"] == 1
    assert report["issues"][0]["severity"] == "warning"
    with get_db().sessionmaker() as s:
        flags = s.scalars(sa.select(WalletLink.flag)).all()
    assert sorted(f or "" for f in flags) == ["shared_phone"] * 3


def test_dry_run_reports_but_writes_nothing(runner, tmp_path):
    report = import_json(runner, write_csv(tmp_path / "a.csv", GOOD), "--dry-run")
    assert report["accepted"] == 3 and report["dry_run"] is True
    assert count(Beneficiary) == 0 and count(ImportRun) == 0


def test_xlsx_with_title_rows_and_excel_number_cells_imports(runner, tmp_path):
    rows = [row[:] for row in GOOD]
    rows[0][3] = 46040123456  # Excel dropped the ID's leading zero
    rows[0][4] = 912345678  # ... and the phone's
    rows[1][4] = 9.87654321e8  # float form
    rows[2][5] = 20182  # commune as a number
    path = write_xlsx(tmp_path / "r.xlsx", rows, title_rows=2)
    report = import_json(runner, path)
    assert (report["accepted"], report["rejected"]) == (3, 0), report["issues"]
    found = runner.invoke("beneficiary", "find", "--citizen-id", "046040123456", "--json")
    assert json.loads(found.output)[0]["commune_code"] == "19753"


def test_english_headers_in_any_case_are_matched(runner, tmp_path):
    header = [
        "FULL_NAME",
        "date_of_birth",
        "Sex",
        "citizen_id",
        "Phone",
        "commune_code",
        "category",
        "children",
        "start_month",
        "wallet_provider",
        "representative_name",
        "representative_phone",
        "household_code",
    ]
    report = import_json(runner, write_csv(tmp_path / "en.csv", GOOD, header))
    assert report["accepted"] == 3


@pytest.mark.parametrize(
    "name, content",
    [
        ("broken.xlsx", b"this is not a zip file"),
        ("old.xls", b"\xd0\xcf\x11\xe0"),
        ("notes.txt", b"hello"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(runner, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke("roster", "import", str(path))
    assert result.exit_code != 0
    assert "Error" in result.output and "Traceback" not in result.output
    assert count(Beneficiary) == 0


def test_file_that_breaks_halfway_writes_nothing(runner, tmp_path):
    path = tmp_path / "half.csv"
    good = write_csv(tmp_path / "tmp.csv", GOOD * 1).read_bytes()
    # Valid rows first, then bytes that are not UTF-8.
    path.write_bytes(good + b"\xff\xfe\xfa broken,row\n")
    result = runner.invoke("roster", "import", str(path))
    assert result.exit_code != 0 and "UTF-8" in result.output
    assert count(Beneficiary) == 0


def test_missing_file_is_a_clear_error(runner, tmp_path):
    result = runner.invoke("roster", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code != 0 and "not found" in result.output


def test_import_is_recorded_with_its_counts_and_file_digest(runner, tmp_path):
    import_json(runner, write_csv(tmp_path / "a.csv", GOOD + [["bad"] * 13]))
    with get_db().sessionmaker() as s:
        run = s.scalars(sa.select(ImportRun)).one()
    assert (run.accepted, run.rejected, run.created) == (3, 1, 3)
    assert len(run.file_sha256) == 64 and run.finished_at is not None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_helper_process_reader_imports_the_same_as_in_process(app, tmp_path, fmt):
    from datetime import date

    from gateway.pii.codec import get_pii
    from gateway.rosters.importer import ImportSettings, import_roster
    from gateway.rosters.source import open_roster

    bad = GOOD[0][:]
    bad[3] = "12"
    writer = write_csv if fmt == "csv" else write_xlsx
    path = writer(tmp_path / f"r.{fmt}", GOOD + [bad])
    settings = ImportSettings(providers=["sandbox"], province_code="46", today=date(2026, 11, 27))
    with get_db().sessionmaker() as session:
        report = import_roster(session, get_pii(), open_roster(str(path)), settings,
                               parallel=True, dry_run=True)
    assert (report.accepted, report.rejected) == (3, 1)
    assert report.issues[0].row == 5 and report.issues[0].code.startswith("citizen_id")


def test_helper_process_refusals_reach_the_caller(app, tmp_path):
    from gateway.pii.codec import get_pii
    from gateway.rosters.importer import ImportSettings, RosterRefused, import_roster
    from gateway.rosters.source import open_roster

    header = [h for h in VI_HEADER if h != "Số CCCD"]
    path = write_csv(tmp_path / "r.csv", [r[:3] + r[4:] for r in GOOD], header)
    with get_db().sessionmaker() as session, pytest.raises(RosterRefused) as refused:
        import_roster(session, get_pii(), open_roster(str(path)),
                      ImportSettings(providers=["sandbox"]), parallel=True)
    assert refused.value.missing == ["Số CCCD (citizen_id)"]
    assert count(Beneficiary) == 0
