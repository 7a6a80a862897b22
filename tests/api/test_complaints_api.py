"""The complaint endpoints: list by cycle and status, notes by role, resolve once."""

from __future__ import annotations

import pytest

from gateway.api.roles import Role
from tests.support.driven import DUNG_NOTE, drive
from tests.support.scenario import add_people


@pytest.fixture
def driven(app):
    return drive(app, add_people(app))


def get(client, as_role, role, **query):
    return client.get("/api/v1/complaints", headers=as_role(role), query_string=query)


def resolve(client, as_role, role, ticket, **body):
    return client.post(f"/api/v1/complaints/{ticket}/resolve", headers=as_role(role), json=body)


def test_officers_list_a_cycles_complaints_with_their_notes(client, as_role, driven):
    body = get(client, as_role, Role.OFFICER, cycle=driven.ref).get_json()
    by_ticket = {c["ticket"]: c for c in body["items"]}
    assert set(by_ticket) == set(driven.tickets.values())
    dung = by_ticket[driven.tickets["dung"]]
    assert dung["note"] == DUNG_NOTE and dung["kind"] == "wrong_amount"
    assert dung["channel"] == "sms" and dung["cycle"] == driven.ref and dung["payment"]
    assert dung["commune_code"] == "19753" and dung["status"] == "open"


def test_approvers_see_complaints_without_their_notes(client, as_role, driven):
    body = get(client, as_role, Role.APPROVER).get_json()
    assert len(body["items"]) == 2
    assert all(c["note"] is None and c["masked"] for c in body["items"])
    assert "0777888999" not in str(body)


def test_resolving_through_the_api_closes_once(client, as_role, driven):
    ticket = driven.tickets["cuong"]
    first = resolve(client, as_role, Role.OFFICER, ticket.lower(), resolution="paid",
                    note="Đã chuyển")
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["changed"] is True and body["status"] == "resolved"
    assert body["resolved_by"] == "apikey:test-officer" and body["resolution_note"] == "Đã chuyển"
    again = resolve(client, as_role, Role.OFFICER, ticket, resolution="rejected")
    assert again.status_code == 200
    assert again.get_json()["changed"] is False and again.get_json()["resolution"] == "paid"
    open_ = get(client, as_role, Role.AUDITOR, status="open").get_json()["items"]
    assert [c["ticket"] for c in open_] == [driven.tickets["dung"]]


@pytest.mark.parametrize("body", [{}, {"resolution": "forgotten"}, {"resolution": 1},
                                  {"resolution": "paid", "note": ""},
                                  {"resolution": "paid", "by": "me"}])
def test_malformed_resolutions_are_422(client, as_role, driven, body):
    response = resolve(client, as_role, Role.OFFICER, driven.tickets["dung"], **body)
    assert response.status_code == 422, response.get_json()


@pytest.mark.parametrize("ticket", ["KN-ZZZZZZ", "x" * 300, "%00", "KN-"])
def test_unknown_tickets_are_404(client, as_role, driven, ticket):
    response = resolve(client, as_role, Role.OFFICER, ticket, resolution="paid")
    assert response.status_code == 404


def test_unknown_cycle_filter_is_404_and_bad_status_422(client, as_role, driven):
    assert get(client, as_role, Role.OFFICER, cycle="nope").status_code == 404
    assert get(client, as_role, Role.OFFICER, status="closed").status_code == 422


def test_complaints_page_newest_first(client, as_role, driven):
    first = get(client, as_role, Role.OFFICER, limit=1).get_json()
    assert [c["ticket"] for c in first["items"]] == [driven.tickets["dung"]]
    rest = get(client, as_role, Role.OFFICER, limit=1, after=first["next_after"]).get_json()
    assert [c["ticket"] for c in rest["items"]] == [driven.tickets["cuong"]]
    assert rest["next_after"] is None
