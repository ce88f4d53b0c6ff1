"""After /start CODE a new participant confirms or types name, municipality and department
(prefilled from the invite), in Dutch or English, and a restart in the middle resumes."""

from __future__ import annotations

from kernbot.harness import NEWCOMER_USER, SOFIE
from programme import invitations
from storage import conversations, people, trajectories
from transports.simulator import User

ENGLISH = User(2000, "Jane", "Smith", language_code="en")
OK = "buttons/enrol_ok"


def asked(call) -> tuple[str, str]:
    """(field, prefilled value) of an enrolment question."""
    assert call.key == "enrol/ask", call.keys
    values = call.values("enrol/ask")
    return values["field"], values["value"]


def t7(bot):
    return trajectories.by_number(bot.db, 7)


async def test_questions_in_dutch_with_typed_answers(bot):
    calls = await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    assert calls[-1].values("enrol/ask")["first"] and calls[-1].language == "nl"
    assert asked(calls[-1]) == ("name", "Jij")                  # Telegram name suggested
    assert "<b>Jij</b>" in calls[-1].text
    assert len(calls[-1].buttons) == 1 and OK in calls[-1].keys
    calls = await bot.send(NEWCOMER_USER, "Jolien  Van Damme ")
    assert asked(calls[-1]) == ("name", "Jolien Van Damme")      # read back
    assert calls[-1].values("enrol/ask")["typed"] and OK in calls[-1].keys
    calls = await bot.tap(NEWCOMER_USER, key=OK)
    assert asked(calls[-1]) == ("municipality", "")
    assert calls[-1].buttons == []
    calls = await bot.send(NEWCOMER_USER, "Mol")
    assert asked(calls[-1]) == ("department", "")
    calls = await bot.send(NEWCOMER_USER, "Lokale economie")
    welcome = calls[-1].values("start/welcome_participant")
    assert welcome["person"].name == "Jolien Van Damme" and welcome["welcome_back"] is False
    assert "buttons/start_intake" in calls[-1].keys             # begin with the intake
    person = people.by_telegram_id(bot.db, NEWCOMER_USER.id)
    assert (person.name, person.municipality, person.department) == (
        "Jolien Van Damme", "Mol", "Lokale economie")
    assert conversations.get(bot.db, NEWCOMER_USER.id) is None


async def test_prefilled_answers_are_confirmed_with_a_button_in_english(bot):
    invite = invitations.create(bot.db, role="participant", trajectory_id=t7(bot).id,
                                now=bot.now(), name="Jane Smith-Peeters", municipality="Geel",
                                department="Local economy")
    calls = await bot.send(ENGLISH, f"/start {invite.code}")
    assert calls[-1].language == "en" and calls[-1].values("enrol/ask")["first"]
    assert asked(calls[-1]) == ("name", "Jane Smith-Peeters")
    assert "<b>Jane Smith-Peeters</b>" in calls[-1].text
    calls = await bot.tap(ENGLISH, key=OK)
    assert asked(calls[-1]) == ("municipality", "Geel") and calls[-1].language == "en"
    calls = await bot.send(ENGLISH, "Mol")                  # typed instead of confirming
    assert asked(calls[-1]) == ("department", "Local economy")
    calls = await bot.tap(ENGLISH, key=OK)
    assert calls[-1].language == "en"
    welcome = calls[-1].values("start/welcome_participant")
    assert welcome["person"].name == "Jane Smith-Peeters" and welcome["welcome_back"] is False
    assert "buttons/start_intake" in calls[-1].keys
    person = people.by_telegram_id(bot.db, ENGLISH.id)
    assert (person.language, person.municipality, person.department) == ("en", "Mol",
                                                                        "Local economy")


async def test_restart_in_the_middle_resumes(bot):
    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    await bot.tap(NEWCOMER_USER, key=OK)
    await bot.send(NEWCOMER_USER, "Lier")
    await bot.restart()
    calls = await bot.send(NEWCOMER_USER, "Centrummanagement")
    assert calls[-1].values("start/welcome_participant")["person"].name == "Jij"
    person = people.by_telegram_id(bot.db, NEWCOMER_USER.id)
    assert (person.municipality, person.department) == ("Lier", "Centrummanagement")


async def test_start_again_midway_asks_the_open_question(bot):
    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    await bot.send(NEWCOMER_USER, "Jij Zelf")
    await bot.restart()
    for text in ("/start", "/start DEMO-DEELNEMER"):
        calls = await bot.send(NEWCOMER_USER, text)
        assert asked(calls[-1]) == ("name", "Jij Zelf")            # read back, again
    await bot.tap(NEWCOMER_USER, key=OK)
    await bot.restart()
    calls = await bot.send(NEWCOMER_USER, "/start")
    assert asked(calls[-1]) == ("municipality", "")


async def test_cancel_midway_and_start_again_carries_on_with_the_open_question(bot):
    """Regression (console walk): /cancel at a question lost the rest of the questions for
    good; /start greeted "Jij" as if enrolled, with no municipality or department. The
    cancel message promises to carry on where the person was."""
    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    await bot.tap(NEWCOMER_USER, key=OK)                        # the name: kept
    calls = await bot.send(NEWCOMER_USER, "/cancel")
    assert calls[-1].key == "common/cancelled"
    calls = await bot.send(NEWCOMER_USER, "Iets anders")        # no question runs now
    assert calls[-1].key == "common/idle_text"
    for text in ("/start", "/start DEMO-DEELNEMER"):
        calls = await bot.send(NEWCOMER_USER, text)
        assert asked(calls[-1]) == ("municipality", "")
    await bot.send(NEWCOMER_USER, "Lier")
    calls = await bot.send(NEWCOMER_USER, "Centrummanagement")
    assert calls[-1].key == "start/welcome_participant"
    person = people.by_telegram_id(bot.db, NEWCOMER_USER.id)
    assert (person.municipality, person.department) == ("Lier", "Centrummanagement")


async def test_typing_klopt_is_the_klopt_button_not_a_name(bot):
    """Regression (console walk): typing "Klopt" at "Je naam: Jij. Klopt dat?" renamed the
    person "Klopt"."""
    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    calls = await bot.send(NEWCOMER_USER, "Klopt")
    assert asked(calls[-1]) == ("municipality", "")
    assert people.by_telegram_id(bot.db, NEWCOMER_USER.id).name == "Jij"


async def test_typing_that_is_right_keeps_the_prefilled_value_in_english(bot):
    await bot.send(ENGLISH, "/start DEMO-DEELNEMER")          # the Telegram name suggested
    calls = await bot.send(ENGLISH, "That's right!")
    assert asked(calls[-1]) == ("municipality", "")
    assert people.by_telegram_id(bot.db, ENGLISH.id).name == "Jane Smith"


async def test_bad_answers_get_a_clear_reply(bot):
    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    calls = await bot.send(NEWCOMER_USER, "x" * 101)
    assert calls[-1].key == "enrol/invalid"
    assert calls[-1].values("enrol/invalid") == {"maximum": 100}
    assert people.by_telegram_id(bot.db, NEWCOMER_USER.id).name == "Jij"
    calls = await bot.sim.send_sticker(NEWCOMER_USER)
    assert calls[0].key == "enrol/text_please" and asked(calls[-1])[0] == "name"
    assert conversations.get(bot.db, NEWCOMER_USER.id).state == "enrol:name"


async def test_old_or_forged_klopt_button_does_nothing(bot):
    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    await bot.tap(NEWCOMER_USER, key=OK)                     # now at municipality (empty)
    calls = await bot.press(NEWCOMER_USER, "enrol:ok:name")  # the old button again
    assert calls[-1].key == "common/button_expired"
    calls = await bot.press(NEWCOMER_USER, "enrol:ok:municipality")   # nothing to confirm
    assert conversations.get(bot.db, NEWCOMER_USER.id).state == "enrol:municipality"
    calls = await bot.press(SOFIE, "enrol:ok:role")
    assert people.by_telegram_id(bot.db, SOFIE.id).role == "participant"


async def test_redelivered_answer_is_not_applied_to_the_next_question(bot, monkeypatch):
    """A crash after the answer was stored but before the update was recorded as handled:
    Telegram redelivers it, and it must not become the answer to the next question."""
    import handlers.common
    from storage import updates

    class CrashBeforeRecord:
        seen = staticmethod(updates.seen)
        mark = staticmethod(lambda *args, **kwargs: True)   # the generic record never happens

    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    await bot.tap(NEWCOMER_USER, key=OK)
    monkeypatch.setattr(handlers.common, "updates", CrashBeforeRecord)
    update = bot.sim.message_json(NEWCOMER_USER, text="Mol")
    await bot.sim.feed(update)
    await bot.sim.feed(update)            # Telegram redelivers after a crash
    person = people.by_telegram_id(bot.db, NEWCOMER_USER.id)
    assert person.municipality == "Mol" and person.department == ""
    assert conversations.get(bot.db, NEWCOMER_USER.id).state == "enrol:department"


async def test_known_person_joining_again_is_not_asked(bot):
    calls = await bot.send(SOFIE, "/start DEMO-DEELNEMER")
    assert calls[-1].key == "start/welcome_participant"
    assert calls[-1].values("start/welcome_participant")["person"].name == "Sofie Janssens"
    assert conversations.get(bot.db, SOFIE.id) is None


async def test_the_municipality_is_checked_against_the_flemish_list(bot):
    """A deelgemeente is read back with its municipality; a typo gets the closest names; a
    place not in the list can still be kept as typed."""
    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    await bot.tap(NEWCOMER_USER, key=OK)
    calls = await bot.send(NEWCOMER_USER, "Drongen")
    assert asked(calls[-1]) == ("municipality", "Gent")
    assert calls[-1].values("enrol/ask")["part"] == "Drongen"
    calls = await bot.send(NEWCOMER_USER, "Zwevegm")                      # a typo
    assert calls[-1].key == "enrol/municipality_unknown"
    assert [p.name for p in calls[-1].values("enrol/municipality_unknown")["options"]][0] == \
        "Zwevegem"
    calls = await bot.tap(NEWCOMER_USER, 1)                               # the closest
    assert asked(calls[-1])[0] == "department"
    assert people.by_telegram_id(bot.db, NEWCOMER_USER.id).municipality == "Zwevegem"


async def test_a_municipality_outside_the_list_can_be_kept_and_the_department_needs_words(bot):
    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    await bot.tap(NEWCOMER_USER, key=OK)
    calls = await bot.send(NEWCOMER_USER, "Brussel")
    assert calls[-1].key == "enrol/municipality_unknown"
    calls = await bot.tap(NEWCOMER_USER, key="enrol/as_typed")
    assert asked(calls[-1])[0] == "department"
    for nonsense in ("12345", "🙂🙂", "- 3 -"):
        calls = await bot.send(NEWCOMER_USER, nonsense)
        assert calls[-1].key == "enrol/department_words"
    calls = await bot.send(NEWCOMER_USER, "Lokale economie")
    assert calls[-1].key == "start/welcome_participant"
    person = people.by_telegram_id(bot.db, NEWCOMER_USER.id)
    assert (person.municipality, person.department) == ("Brussel", "Lokale economie")


async def test_switching_language_during_enrolment_asks_the_same_question_in_that_language(bot):
    calls = await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    await bot.tap(NEWCOMER_USER, key=OK)
    calls = await bot.send(NEWCOMER_USER, "/taal en")
    assert "common/language_set" in [k for c in calls for k in c.keys]
    assert asked(calls[-1]) == ("municipality", "") and calls[-1].language == "en"
    calls = await bot.send(NEWCOMER_USER, "Mol")
    assert asked(calls[-1]) == ("department", "") and calls[-1].language == "en"
