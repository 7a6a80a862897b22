"""The eSMS sender over real HTTP against the eSMS stub: outcomes, de-duplication, faults, Zalo."""

from __future__ import annotations

import time

import pytest

from gateway.telco.base import Recipient, SendStatus, SmsBatch, TelcoUnavailable, Template
from gateway.telco.esms.sms import EsmsSender, callback_url
from gateway.telco.esms.stub import EsmsStub
from tests.channels.esms_fixtures import (
    BRANDNAME,
    CALLBACK_KEY,
    OA_ID,
    settings_for,
)

A, B, C = "+84912345001", "+84912345002", "+84912345003"


def batch(*phones: str, body: str = "ChiTra: Da chuyen 1.250.000 d", kind: str = "notice",
          template: Template | None = None) -> SmsBatch:
    """Build a batch with one ref per phone (ref = "ref-" + last three digits)."""
    return SmsBatch(body, tuple(Recipient(p, f"ref-{p[-3:]}") for p in phones), kind, template)


def test_each_recipient_gets_its_own_outcome(esms_stub: EsmsStub,
                                             esms_sender: EsmsSender) -> None:
    esms_stub.state.failures = {"0912345002": "108", "0912345003": "177"}
    outcomes = esms_sender.send(batch(A, B, C))
    assert [(o.message_ref, o.status) for o in outcomes] == [
        ("ref-001", SendStatus.SENT), ("ref-002", SendStatus.FAILED),
        ("ref-003", SendStatus.FAILED)]
    assert outcomes[0].telco_message_id == "ref-001"  # the RequestId reports are matched on
    assert outcomes[1].reason == "108: phone format refused"
    assert outcomes[2].reason == "177: brandname not registered on this network"
    sent = esms_stub.state.messages
    assert [(m["Phone"], m["RequestId"], m["Brandname"]) for m in sent] == [
        ("0912345001", "ref-001", BRANDNAME)]
    assert sent[0]["CallbackUrl"] == f"http://127.0.0.1:9/telco/esms/{CALLBACK_KEY}/delivery"
    assert sent[0]["IsUnicode"] == "0" and sent[0]["Sandbox"] == "0"


def test_accented_text_is_sent_as_unicode(esms_stub: EsmsStub, esms_sender: EsmsSender) -> None:
    esms_sender.send(batch(A, body="ChiTra: Đã chuyển 1.250.000 đ trợ cấp"))
    assert esms_stub.state.messages[0]["IsUnicode"] == "1"
    assert esms_stub.state.messages[0]["Content"] == "ChiTra: Đã chuyển 1.250.000 đ trợ cấp"


def test_a_retry_with_the_same_request_id_does_not_send_twice(
        esms_stub: EsmsStub, esms_sender: EsmsSender) -> None:
    first = esms_sender.send(batch(A, B))
    again = esms_sender.send(batch(A, B))  # our answer was lost: the pass runs again
    assert [o.status for o in first] == [SendStatus.SENT, SendStatus.SENT]
    assert [o.status for o in again] == [SendStatus.SENT, SendStatus.SENT]
    assert [o.telco_message_id for o in again] == ["ref-001", "ref-002"]
    assert len(esms_stub.state.messages) == 2  # eSMS answered 124 the second time


@pytest.mark.parametrize("fault", ["500", "503", "timeout", "103", "101", "104", "140"])
def test_a_whole_call_failure_raises_telco_unavailable(
        esms_stub: EsmsStub, esms_sender: EsmsSender, fault: str) -> None:
    esms_stub.state.faults = [fault]
    started = time.monotonic()
    with pytest.raises(TelcoUnavailable):
        esms_sender.send(batch(A, B))
    assert time.monotonic() - started < 5  # the client's timeout, not the stub's sleep
    assert esms_stub.state.messages == []
    assert esms_stub.state.calls == 1  # the batch stops at the first whole-call failure


def test_a_failure_mid_batch_keeps_the_accepted_and_retries_the_rest(
        esms_stub: EsmsStub, esms_sender: EsmsSender) -> None:
    esms_stub.state.faults = ["", "103"]  # the first call is answered, the second is not
    outcomes = esms_sender.send(batch(A, B, C))
    assert [o.status for o in outcomes] == [SendStatus.SENT, SendStatus.RETRY, SendStatus.RETRY]
    assert outcomes[1].reason == "103: balance too low"
    assert esms_stub.state.calls == 2  # C was not tried once eSMS said the balance is out
    assert [m["Phone"] for m in esms_stub.state.messages] == ["0912345001"]


def test_a_busy_answer_is_retried_later(esms_stub: EsmsStub, esms_sender: EsmsSender) -> None:
    esms_stub.state.failures = {"0912345001": "160"}
    [outcome] = esms_sender.send(batch(A))
    assert outcome.status is SendStatus.RETRY
    assert outcome.reason == "160: too many requests a second"


def test_a_template_notice_goes_by_zalo_and_no_sms(esms_stub: EsmsStub,
                                                   esms_sender: EsmsSender) -> None:
    template = Template("succeeded", {"amount": "1.250.000 đ", "month": "11/2026"})
    [outcome] = esms_sender.send(batch(A, template=template))
    assert outcome.status is SendStatus.SENT and outcome.telco_message_id == "ref-001"
    [zalo] = esms_stub.state.messages
    assert zalo["channel"] == "zalo" and zalo["delivered"] is True
    assert (zalo["TempID"], zalo["OAID"], zalo["Params"]) == (
        "205644", OA_ID, ["1.250.000 đ", "11/2026"])


def test_zalo_undeliverable_falls_back_to_sms(esms_stub: EsmsStub,
                                              esms_sender: EsmsSender) -> None:
    esms_stub.state.zalo_undeliverable = {"0912345001"}
    template = Template("succeeded", {"amount": "1.250.000 đ"})
    [outcome] = esms_sender.send(batch(A, template=template))
    assert outcome.status is SendStatus.SENT
    zalo, sms = esms_stub.state.messages
    assert (zalo["channel"], zalo["delivered"]) == ("zalo", False)
    assert (sms["channel"], sms["Content"]) == ("sms", "ChiTra: Da chuyen 1.250.000 d")


def test_a_misconfigured_zalo_template_still_sends_the_notice_by_sms(
        esms_stub: EsmsStub, esms_sender: EsmsSender) -> None:
    esms_stub.state.zalo_code = "789"  # "TemplateId is not config"
    [outcome] = esms_sender.send(batch(A, template=Template("succeeded", {"amount": "1"})))
    assert outcome.status is SendStatus.SENT
    assert [m["channel"] for m in esms_stub.state.messages] == ["sms"]
    assert esms_stub.state.calls == 2


def test_a_kind_without_a_template_id_goes_by_plain_sms(esms_stub: EsmsStub,
                                                         esms_sender: EsmsSender) -> None:
    esms_sender.send(batch(A, template=Template("held", {"month": "11/2026"})))
    assert [m["channel"] for m in esms_stub.state.messages] == ["sms"]


def test_without_an_oa_id_templates_are_ignored(esms_stub: EsmsStub) -> None:
    sender = EsmsSender(settings_for(esms_stub.base_url, zalo_oa_id=None), None)
    sender.send(batch(A, template=Template("succeeded", {"amount": "1"})))
    assert [m["channel"] for m in esms_stub.state.messages] == ["sms"]
    assert esms_stub.state.messages[0]["CallbackUrl"] is None  # no PUBLIC_URL: no reports


def test_a_configured_parameter_order_is_the_params_order(
        esms_stub: EsmsStub, esms_sender: EsmsSender) -> None:
    template = Template("failed", {"amount": "1.250.000 đ", "month": "11/2026", "extra": "x"})
    esms_sender.send(batch(A, template=template))
    [zalo] = esms_stub.state.messages
    assert (zalo["TempID"], zalo["Params"]) == ("205645", ["11/2026", "1.250.000 đ"])


def test_a_notice_lacking_a_template_parameter_goes_by_sms(
        esms_stub: EsmsStub, esms_sender: EsmsSender) -> None:
    esms_sender.send(batch(A, template=Template("failed", {"amount": "1.250.000 đ"})))
    assert [m["channel"] for m in esms_stub.state.messages] == ["sms"]


def test_a_zalo_retry_is_de_duplicated_too(esms_stub: EsmsStub,
                                           esms_sender: EsmsSender) -> None:
    template = Template("succeeded", {"amount": "1"})
    esms_sender.send(batch(A, template=template))
    [again] = esms_sender.send(batch(A, template=template))
    assert again.status is SendStatus.SENT
    assert len(esms_stub.state.messages) == 1


def test_wrong_keys_stop_the_batch(esms_stub: EsmsStub) -> None:
    sender = EsmsSender(settings_for(esms_stub.base_url, secret_key="wrong"), None)
    with pytest.raises(TelcoUnavailable, match="101"):
        sender.send(batch(A))


def test_the_callback_url_uses_the_current_key() -> None:
    assert callback_url("https://chitra.example/", "new-key,old-key") == (
        "https://chitra.example/telco/esms/new-key/delivery")
    assert callback_url(None, "k") is None and callback_url("https://x", None) is None


def test_a_lost_answer_is_retried_without_sending_twice(esms_stub: EsmsStub,
                                                         esms_sender: EsmsSender) -> None:
    esms_stub.state.faults = ["lost"]
    with pytest.raises(TelcoUnavailable):
        esms_sender.send(batch(A))
    assert len(esms_stub.state.messages) == 1  # eSMS took it; we never heard
    [outcome] = esms_sender.send(batch(A))
    assert (outcome.status, outcome.telco_message_id) == (SendStatus.SENT, "ref-001")
    assert len(esms_stub.state.messages) == 1
