"""eSMS's own documented examples (tests/channels/esms_golden/) against our client and parsers.

Each golden file names the page of ``devesms/gitbook_esms_for_develop_v2_en`` it was copied
from, verbatim.
"""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl

import pytest

from gateway.telco.base import DeliveryStatus
from gateway.telco.esms import client as wire
from gateway.telco.esms.callbacks import client_response, delivery_report
from gateway.telco.esms.codes import CODES, Verdict, verdict
from gateway.telco.esms.signature import mo_sign, mo_sign_valid
from tests.channels.esms_fixtures import golden, settings_for

CALLBACK = "https://chitra.example/telco/esms/k/delivery"


def _placeholders(example: dict[str, object]) -> set[str]:
    return {k for k, v in example.items() if isinstance(v, str) and v.startswith("{{")}


def test_our_sms_request_has_the_documented_fields_and_fixed_values() -> None:
    documented = golden("send_sms_request.json")
    assert documented["url"].endswith("/" + wire.SEND_SMS)
    example = documented["example"]
    ours = wire.sms_request(settings_for("https://rest.esms.vn/MainService.svc/json"),
                            "+84901888484", "Cam on quy khach", "ref-1", CALLBACK)
    # Field by field: every field we send is documented, every documented field we leave out
    # is optional (campaignid), and the fixed value (SmsType "2") is the documented one.
    assert set(ours) <= set(example)
    assert set(example) - set(ours) == {"campaignid"}
    assert ours["SmsType"] == example["SmsType"] == "2"
    assert _placeholders(example) >= set(ours) - {"SmsType"}
    assert all(isinstance(v, str) for v in ours.values())  # strings, as documented
    assert (ours["Phone"], ours["RequestId"], ours["CallbackUrl"]) == (
        "0901888484", "ref-1", CALLBACK)
    assert (ours["IsUnicode"], ours["Sandbox"]) == ("0", "0")


def test_the_sandbox_example_is_what_we_send_with_sandbox_on() -> None:
    example = golden("send_sms_sandbox_request.json")["example"]
    ours = wire.sms_request(settings_for("https://x", sandbox=True, brandname="Baotrixemay"),
                            "+84901888484", example["Content"], "r", None)
    assert {k: ours[k] for k in example if k not in ("ApiKey", "SecretKey", "Phone")} == {
        k: v for k, v in example.items() if k not in ("ApiKey", "SecretKey", "Phone")}


def test_our_multichannel_request_has_the_documented_shape() -> None:
    documented = golden("multichannel_request.json")
    assert documented["url"].endswith("/" + wire.MULTICHANNEL)
    example = documented["example"]
    ours = wire.multichannel_request(
        settings_for("https://x"), "+84901888484", "ChiTra: Đã chuyển", "ref-9", CALLBACK,
        "205644", ["1.250.000 đ", "11/2026"])
    assert set(ours) == set(example)
    assert ours["Channels"] == example["Channels"] == ["zalo", "sms"]
    zalo, sms = ours["Data"]
    doc_zalo, doc_sms = example["Data"]
    assert set(zalo) == set(doc_zalo) - {"campaignid"}
    assert set(sms) == set(doc_sms)
    assert zalo["SendingMode"] == doc_zalo["SendingMode"] == "1"
    assert isinstance(doc_zalo["Params"], list) and zalo["Params"] == ["1.250.000 đ", "11/2026"]
    assert (zalo["TempID"], zalo["OAID"]) == ("205644", "4097311281936189049")
    assert (sms["SmsType"], sms["IsUnicode"], sms["Brandname"]) == ("2", "1", "CHITRA")
    assert zalo["RequestId"] == sms["RequestId"] == "ref-9"


@pytest.mark.parametrize("tab, expected", [
    ("100", Verdict.SENT), ("124", Verdict.SENT), ("101", Verdict.ACCOUNT),
    ("104", Verdict.ACCOUNT), ("146", Verdict.FAILED), ("99", Verdict.ACCOUNT)])
def test_every_documented_sms_answer_is_judged(tab: str, expected: Verdict) -> None:
    answer = golden("send_sms_responses.json")["examples"][tab]
    assert verdict(answer)[0] is expected


@pytest.mark.parametrize("tab, expected", [
    ("100", Verdict.SENT), ("101", Verdict.ACCOUNT), ("789", Verdict.NO_ZALO)])
def test_every_documented_multichannel_answer_is_judged(tab: str, expected: Verdict) -> None:
    answer = golden("multichannel_responses.json")["examples"][tab]
    assert verdict(answer)[0] is expected


def test_every_documented_code_has_a_verdict() -> None:
    assert set(golden("error_codes.json")["codes"]) == set(CODES)


def test_the_documented_callbacks_become_reports() -> None:
    examples = golden("callbacks.json")["examples"]
    care = delivery_report(dict(parse_qsl(examples["customer_care"], keep_blank_values=True)))
    # SendStatus 5 (finished) with SendSuccess=0 and SendFailed=2: not delivered.
    assert care is not None
    assert (care.telco_message_id, care.status) == (
        "dc712784-9c5f-4c69-b9a8-ea69d56adc9a87", DeliveryStatus.FAILED)
    zns = delivery_report(dict(parse_qsl(examples["zns"], keep_blank_values=True)))
    # A failed ZNS half waits for the SMS half of a multichannel message.
    assert zns is not None and zns.status is DeliveryStatus.PENDING
    viber = delivery_report(dict(parse_qsl(examples["viber"], keep_blank_values=True)))
    assert viber is not None and viber.status is DeliveryStatus.DELIVERED
    promo = delivery_report(dict(parse_qsl(examples["promo"], keep_blank_values=True)))
    assert promo is not None and promo.status is DeliveryStatus.PENDING  # nothing counted yet


@pytest.mark.parametrize("send_status, expected", [
    ("1", DeliveryStatus.PENDING), ("2", DeliveryStatus.PENDING),
    ("4", DeliveryStatus.REJECTED), ("5", DeliveryStatus.DELIVERED),
    ("7", DeliveryStatus.PENDING)])
def test_every_documented_send_status_maps(send_status: str,
                                           expected: DeliveryStatus) -> None:
    assert set(golden("callbacks.json")["send_status"]) == {"1", "2", "4", "5", "7"}
    query = dict(parse_qsl(golden("callbacks.json")["examples"]["viber"]))
    query.update(SendStatus=send_status, RequestId="ref-1")
    report = delivery_report(query)
    assert report is not None
    assert (report.telco_message_id, report.status) == ("ref-1", expected)


def test_an_undocumented_send_status_is_not_a_report() -> None:
    assert delivery_report({"SMSID": "x", "SendStatus": "3"}) is None
    assert delivery_report({"SendStatus": "5"}) is None


def test_the_documented_hash_rule_and_php_sample() -> None:
    mo = golden("mo.json")
    rule = mo["hash_example"]
    a, b, c = rule["values"]
    assert a + b + c + rule["private_key"] == rule["md5_input"]
    # MD5("qwertyuiop") = 6eea9b7ef19179a06954edd0f6c05ceb, base64 of the raw digest (PHP's
    # base64_encode(md5($str, true))).
    assert base64.b64encode(bytes.fromhex("6eea9b7ef19179a06954edd0f6c05ceb")).decode() == \
        mo_sign("qwer", "ty", "ui", "op", "")
    expected = base64.b64encode(hashlib.md5(rule["md5_input"].encode()).digest()).decode()
    assert mo_sign(a, b, c, "", rule["private_key"]) == expected
    assert mo_sign_valid(expected, a, b, c, "", rule["private_key"])
    assert not mo_sign_valid(expected, a, b, c + "!", "", rule["private_key"])


def test_the_mo_request_names_the_fields_we_read() -> None:
    mo = golden("mo.json")
    names = [pair.split("=")[0] for pair in mo["request"].split("?", 1)[1].split("&")]
    assert sorted(names) == sorted(mo["params"])
    assert "receiverTime" in names  # the query spelling; the hash text says receiveTime


def test_our_reply_is_the_documented_xml_well_formed() -> None:
    documented = golden("mo.json")["reply"]
    fixed = documented.replace("</Smdid>", "</Smsid>")  # the page's typo: see mo.json's note
    expected = ET.fromstring(fixed)
    ours = ET.fromstring(client_response("Da nhan <XN> & cam on", "abc123", "84912345678"))
    assert ours.tag == expected.tag == "ClientResponse"
    assert [e.tag for e in ours] == [e.tag for e in expected]
    assert [e.text for e in ours] == ["Da nhan <XN> & cam on", "abc123", "84912345678"]


def test_our_reply_drops_what_xml_cannot_carry() -> None:
    answer = ET.fromstring(client_response("Da nhan\x01\x0b", "id\x1f", "84912\ufffe345678"))
    assert [e.text for e in answer] == ["Da nhan", "id", "84912345678"]
