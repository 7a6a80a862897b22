"""Back, home, more, invalid input, pre-filled dial strings, retries and resuming."""

from __future__ import annotations

import redis

from tests.support.ussd import Dialer
from tests.ussd_menus.fakes import CAREGIVER, MONTHLY, SINGLE, FakePort
from ussd_menus import catalogs
from ussd_menus.engine import UssdEngine
from ussd_menus.session import RedisSessionStore

MAIN_FIRST_LINE = "1 " + catalogs.text("vi", "main.entitlement")
INVALID = catalogs.text("vi", "invalid")


def test_zero_goes_back_and_double_zero_goes_home(engine: UssdEngine) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("4")
    note = dialer.send("4")
    assert catalogs.text("vi", "problem.note") in note.text
    problem = dialer.send("0")
    assert problem.text.startswith(catalogs.text("vi", "problem.title"))
    dialer.send("4")
    home = dialer.send("00")
    assert home.text.startswith(MAIN_FIRST_LINE)
    assert "0 Quay lai" not in home.text  # nothing to go back to from the top


def test_more_pages_forward_and_zero_pages_back_before_leaving(engine: UssdEngine) -> None:
    port_lang = "vi_accented"
    engine._port.languages[SINGLE] = port_lang  # type: ignore[attr-defined]
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    first = dialer.send("3")
    assert "98 Thêm" in first.text
    second = dialer.send("98")
    assert second.text != first.text
    assert dialer.send("0").text == first.text
    assert dialer.send("0").text.startswith("1 Tiền hưởng")


def test_more_on_the_last_page_is_an_invalid_choice(engine: UssdEngine) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("1")
    reply = dialer.send("98")
    assert reply.text.startswith(INVALID)
    assert not reply.end


def test_invalid_choices_reshow_the_screen_with_a_short_line(engine: UssdEngine) -> None:
    dialer = Dialer(engine, SINGLE)
    first = dialer.dial()
    for junk in ("7", "", "abc", "٣", "1.5", "-1", "99999999999999999999", "0"):
        reply = dialer.send(junk)
        assert not reply.end
        assert reply.text == f"{INVALID}\n{first.text}"
    assert dialer.send("1").text.startswith(catalogs.program_name("vi", MONTHLY))


def test_a_prefilled_dial_string_answers_the_first_screens_in_order(engine: UssdEngine) -> None:
    reply = Dialer(engine, SINGLE).dial("1")  # *384*12*1#
    assert reply.text.startswith(catalogs.program_name("vi", MONTHLY))
    deep = Dialer(engine, SINGLE, session_id="ATUid_2").dial("4*1")
    assert deep.end and "KN-00001" in deep.text


def test_a_caregivers_prefilled_string_first_picks_the_person(engine: UssdEngine) -> None:
    reply = Dialer(engine, CAREGIVER).dial("2*1")
    assert catalogs.text("vi", "ent.none", hotline="1800 1234") in reply.text


def test_inputs_after_the_session_ends_are_ignored(engine: UssdEngine, port: FakePort) -> None:
    reply = Dialer(engine, SINGLE).dial("4*1*4*1")
    assert reply.end
    assert len(port.problems) == 1


def test_a_retried_hop_does_not_apply_the_input_twice(engine: UssdEngine) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    first = dialer.send("4")
    again = engine.handle(dialer.session_id, SINGLE, "4")  # the aggregator re-sends the same hop
    assert again == first


def test_a_shorter_text_than_before_is_read_as_the_latest_input(engine: UssdEngine) -> None:
    engine.handle("S1", SINGLE, "")
    engine.handle("S1", SINGLE, "4")
    reply = engine.handle("S1", SINGLE, "4*4")
    assert catalogs.text("vi", "problem.note") in reply.text
    back = engine.handle("S1", SINGLE, "0")  # a gateway that only sends the latest input
    assert back.text.startswith(catalogs.text("vi", "problem.title"))


def test_a_dropped_session_is_offered_for_resume(engine: UssdEngine) -> None:
    old = Dialer(engine, SINGLE, session_id="ATUid_1")
    old.dial()
    old.send("4", "4")  # typing a note when the network drops the session
    new = Dialer(engine, SINGLE, session_id="ATUid_2")
    offer = new.dial()
    assert offer.text.startswith(catalogs.text("vi", "resume.title"))
    assert "1 Tiep tuc" in offer.text and "2 Bat dau lai" in offer.text
    resumed = new.send("1")
    assert resumed.text.startswith(catalogs.text("vi", "problem.note"))
    assert new.send("0").text.startswith(catalogs.text("vi", "problem.title"))


def test_starting_again_forgets_the_dropped_session(engine: UssdEngine) -> None:
    old = Dialer(engine, SINGLE, session_id="ATUid_1")
    old.dial()
    old.send("3")
    new = Dialer(engine, SINGLE, session_id="ATUid_2")
    new.dial()
    assert new.send("2").text.startswith(MAIN_FIRST_LINE)
    third = Dialer(engine, SINGLE, session_id="ATUid_3").dial()
    assert third.text.startswith(MAIN_FIRST_LINE)


def test_a_caregiver_resumes_for_the_same_person(engine: UssdEngine, port: FakePort) -> None:
    old = Dialer(engine, CAREGIVER, session_id="ATUid_1")
    old.dial()
    old.send("1", "4")
    new = Dialer(engine, CAREGIVER, session_id="ATUid_2")
    new.dial()
    new.send("1")
    assert new.send("1").end
    assert port.problems[0][0] == "b2"


def test_a_finished_or_top_level_session_is_not_offered(engine: UssdEngine) -> None:
    done = Dialer(engine, SINGLE, session_id="ATUid_1")
    done.dial("4*1")
    idle = Dialer(engine, SINGLE, session_id="ATUid_2")
    assert idle.dial().text.startswith(MAIN_FIRST_LINE)  # dropped on the main menu
    assert Dialer(engine, SINGLE, session_id="ATUid_3").dial().text.startswith(MAIN_FIRST_LINE)


def test_a_prefilled_dial_string_skips_the_resume_offer(engine: UssdEngine) -> None:
    old = Dialer(engine, SINGLE, session_id="ATUid_1")
    old.dial()
    old.send("3")
    reply = Dialer(engine, SINGLE, session_id="ATUid_2").dial("1")
    assert reply.text.startswith(catalogs.program_name("vi", MONTHLY))


def test_resume_expires_after_the_window(port: FakePort, redis_client: redis.Redis) -> None:
    store = RedisSessionStore(redis_client, resume_seconds=1)
    engine = UssdEngine(port, store)
    old = Dialer(engine, SINGLE, session_id="ATUid_1")
    old.dial()
    old.send("3")
    ttl = [redis_client.pttl(k) for k in redis_client.scan_iter("ussd:r:*")]
    assert ttl and all(0 < v <= 1000 for v in ttl)
    for key in redis_client.scan_iter("ussd:r:*"):
        redis_client.delete(key)  # what the expiry does a second later
    assert Dialer(engine, SINGLE, session_id="ATUid_2").dial().text.startswith(MAIN_FIRST_LINE)


def test_sessions_live_under_the_session_id_with_a_ttl(
    engine: UssdEngine, redis_client: redis.Redis
) -> None:
    dialer = Dialer(engine, SINGLE, session_id="ATUid_42")
    dialer.dial()
    dialer.send("3")
    assert 0 < redis_client.ttl("ussd:s:ATUid_42") <= 300
    phone_keys = [k.decode() for k in redis_client.scan_iter("ussd:r:*")]
    assert phone_keys and not any("84912345678" in k for k in phone_keys)
    dialer.send("00", "4", "1")  # ends the session
    assert redis_client.keys("ussd:*") == [b"ussd:s:ATUid_42"]  # no resume copy is left


def test_a_retried_last_hop_replays_the_end_without_acting_twice(
    engine: UssdEngine, port: FakePort
) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("4")
    last = dialer.send("1")
    assert last.end
    again = engine.handle(dialer.session_id, SINGLE, "4*1")  # the aggregator retries the hop
    assert again == last
    assert len(port.problems) == 1 and len(port.sms) == 1


def test_an_unreadable_stored_state_starts_afresh(
    engine: UssdEngine, redis_client: redis.Redis
) -> None:
    redis_client.set("ussd:s:ATUid_7", b"{not json")
    assert engine.handle("ATUid_7", SINGLE, "").text.startswith(MAIN_FIRST_LINE)
    redis_client.set(
        "ussd:s:ATUid_8",
        b'{"session_id":"ATUid_8","lang":"vi","screen":"gone",'
        b'"person":"b1","people":[["b1","Ng"]],"old_field":1}',
    )
    assert engine.handle("ATUid_8", SINGLE, "").text.startswith(MAIN_FIRST_LINE)


def test_a_failing_port_gives_a_polite_end_not_a_crash(engine: UssdEngine, port: FakePort) -> None:
    def boom(ref: str) -> None:
        raise RuntimeError("database down")

    port.entitlement = boom  # type: ignore[method-assign]
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    reply = dialer.send("1")
    assert reply.end and reply.text == catalogs.text("vi", "error.system")
