"""Learning from each other (issue 17), through the whole Application: sharing is opt-in per
item with a preview, the group's shelf shows peers of the same trajectory only, reactions
("dit neem ik mee", a question whose answer reaches the asker), the coaches' picks, the library
(publishing with the author's consent, and step 2's "laat me voorbeelden zien" whose choice
appears in the brief document), and withdrawing and /vergeetmij removing it everywhere."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdf

from kernbot.harness import AN, ELS, PIETER, SOFIE
from programme import library, privacy
from storage import practices as practice_store
from storage import sharing as store
from tests.flow_helpers import BACK_TO_BRIEF, YES, person_id, play

BXL = ZoneInfo("Europe/Brussels")
OFFER, PREVIEW, SHARE = "sharing/offer_button", "sharing/preview", "sharing/share_yes"
SHELF, ITEM = "sharing/shelf", "sharing/item"


async def finish_step3(bot, user=SOFIE):
    """Brief step 3 with a photo; returns the calls of its last answer (the summary)."""
    await bot.send(user, "/brief")
    await bot.tap(user, key="flows/brief/sections/step3")
    await play(bot, user, [("send", "Tijdelijk groen"), ("send", "Bakken groen op de markt"),
                           ("send", "De handelaars"), ("send", "Blijven mensen langer?"),
                           ("key", YES), ("send", "Mensen bleven langer zitten")])
    return await bot.sim.send_photo(user, b"\x89PNG-test")


async def shelf_entries(bot, user) -> list[dict]:
    calls = await bot.send(user, "/groep")
    assert calls[-1].key == SHELF, calls[-1].keys
    return [e for _, entries in calls[-1].values(SHELF)["groups"] for e in entries]


async def share_step3(bot, user=SOFIE):
    calls = await finish_step3(bot, user)
    assert OFFER in calls[-1].keys          # "Deel met je groep?" with the step's summary
    await bot.tap(user, key=OFFER)
    return await bot.tap(user, key=SHARE)


def sofie_item(bot) -> store.Item:
    return store.of_person(bot.db, person_id(bot, SOFIE))[0]


async def test_nothing_is_visible_to_peers_before_sharing(bot):
    calls = await finish_step3(bot)
    assert OFFER in calls[-1].keys
    assert await shelf_entries(bot, PIETER) == []
    calls = await bot.tap(SOFIE, key=OFFER)
    # the preview: exactly what peers would see, photos included; nothing shared yet
    assert [c.method for c in calls][:1] == ["sendPhoto"]
    preview = calls[-1].values(PREVIEW)
    assert (preview["name"], preview["municipality"], preview["photos"]) == (
        "Sofie Janssens", "Lier", 1)
    assert "Tijdelijk groen" in [value for _, value in preview["rows"]]
    assert await shelf_entries(bot, PIETER) == []
    assert store.of_person(bot.db, person_id(bot, SOFIE)) == []
    calls = await bot.tap(SOFIE, key="sharing/share_no")
    assert calls[-1].key == "sharing/not_now"
    assert await shelf_entries(bot, PIETER) == []


async def test_a_shared_item_is_on_the_shelf_of_peers_and_staff_with_its_photos(bot):
    calls = await share_step3(bot)
    assert calls[-1].key == "sharing/shared"
    for user in (PIETER, AN, ELS, SOFIE):
        entries = await shelf_entries(bot, user)
        assert [(e["name"], e["municipality"]) for e in entries] == [("Sofie Janssens", "Lier")]
    assert (await bot.send(PIETER, "/group"))[-1].key == SHELF      # the English alias
    calls = await bot.tap(PIETER, key="sharing/open_button", values={"number": 1})
    assert [c.method for c in calls] == ["sendPhoto", "sendMessage"]
    item = calls[1].values(ITEM)
    assert "Tijdelijk groen" in [v for _, v in item["rows"]] and item["photos"] == 1
    assert {"sharing/useful_button", "sharing/ask_button"} <= set(calls[1].keys)
    assert "sharing/pick_button" not in calls[1].keys


async def test_the_shelf_groups_by_step_newest_first(bot):
    await share_step3(bot)
    await bot.send(SOFIE, "/waarom")
    await play(bot, SOFIE, [("send", "Leegstand in de winkelstraat"), ("send", "Te duur"),
                            ("key", "flows/buttons/found_root"), ("send", "Te hoge huur"),
                            ("send", "eigenaars overtuigen")])
    await bot.send(SOFIE, "/groep")
    await bot.tap(SOFIE, key="sharing/share_menu_button")
    calls = await bot.tap(SOFIE, "5x waarom")
    assert calls[-1].key == PREVIEW
    await bot.tap(SOFIE, key=SHARE)
    calls = await bot.send(PIETER, "/groep")
    groups = calls[-1].values(SHELF)["groups"]
    m = bot.services.messages
    assert [heading for heading, _ in groups] == [m.plain("flows/brief/sections/step3", "nl"),
                                                   m.plain("sharing/group_whys", "nl")]


async def test_useful_and_a_question_whose_answer_reaches_the_asker(bot):
    await share_step3(bot)
    await bot.send(PIETER, "/groep")
    await bot.tap(PIETER, key="sharing/open_button", values={"number": 1})
    calls = await bot.tap(PIETER, key="sharing/useful_button", values={"on": False})
    assert calls[-1].key == "sharing/useful_on" and calls[-1].values("sharing/useful_on")[
        "count"] == 1
    # the author sees who takes it along
    await bot.send(SOFIE, "/groep")
    calls = await bot.tap(SOFIE, key="sharing/mine_button")
    assert calls[-1].values("sharing/mine")["entries"][0]["takers"] == ["Pieter De Smet"]
    # the author cannot take their own along
    calls = await bot.press(SOFIE, f"sh:useful:{sofie_item(bot).id}")
    assert calls[-1].key == "sharing/own_item"
    # a question: too long first, then short
    await bot.send(PIETER, "/groep")
    await bot.tap(PIETER, key="sharing/open_button", values={"number": 1})
    calls = await bot.tap(PIETER, key="sharing/ask_button")
    assert calls[-1].key == "sharing/ask_prompt"
    assert (await bot.send(PIETER, "x" * 400))[-1].key == "sharing/too_long"
    calls = await bot.send(PIETER, "Hoeveel bakken groen waren het?")
    assert calls[-1].key == "sharing/question_sent"
    to_sofie = bot.api.sent(SOFIE.id)[-1]
    assert to_sofie.key == "sharing/question_to_author"
    assert to_sofie.values(to_sofie.key)["question"] == "Hoeveel bakken groen waren het?"
    assert to_sofie.values(to_sofie.key)["municipality"] == "Halle"
    # Pieter cannot answer in Sofie's place
    question = store.questions(bot.db, sofie_item(bot).id)[0]
    assert (await bot.press(PIETER, f"sh:answer:{question.id}"))[-1].key == "common/not_allowed"
    calls = await bot.tap(SOFIE, key="sharing/answer_button")
    assert calls[-1].key == "sharing/answer_prompt"
    calls = await bot.send(SOFIE, "Twaalf, van de stadsdiensten.")
    assert calls[-1].key == "sharing/answer_sent"
    to_pieter = bot.api.sent(PIETER.id)[-1]
    assert to_pieter.key == "sharing/answer_to_asker"
    assert to_pieter.values(to_pieter.key)["answer"] == "Twaalf, van de stadsdiensten."
    # taking it back
    await bot.send(PIETER, "/groep")
    await bot.tap(PIETER, key="sharing/open_button", values={"number": 1})
    calls = await bot.tap(PIETER, key="sharing/useful_button", values={"on": True})
    assert calls[-1].key == "sharing/useful_off"
    assert store.useful(bot.db, sofie_item(bot).id) == []


async def test_a_coach_marks_a_pick_and_the_author_is_told(bot):
    await share_step3(bot)
    calls = await bot.send(AN, "/groep")
    calls = await bot.tap(AN, key="sharing/open_button", values={"number": 1})
    assert "sharing/pick_button" in calls[-1].keys
    assert "sharing/useful_button" not in calls[-1].keys      # staff do not "take along"
    assert "sharing/promote_button" not in calls[-1].keys     # only the coordinator publishes
    calls = await bot.tap(AN, key="sharing/pick_button", values={"picked": False})
    assert calls[-1].key == "sharing/picked"
    assert bot.api.sent(SOFIE.id)[-1].key == "sharing/picked_notice"
    entries = await shelf_entries(bot, PIETER)
    assert entries[0]["picked"] is True
    # Pieter, a participant, cannot pick
    assert (await bot.press(PIETER, f"sh:pick:{sofie_item(bot).id}"))[-1].key == \
        "common/not_allowed"
    await bot.send(AN, "/groep")
    await bot.tap(AN, key="sharing/open_button", values={"number": 1})
    calls = await bot.tap(AN, key="sharing/pick_button", values={"picked": True})
    assert calls[-1].key == "sharing/unpicked" and sofie_item(bot).picked_by is None


async def test_homework_is_offered_after_handing_in_without_documents(bot):
    bot.clock.set(datetime(2024, 4, 24, 10, 0, tzinfo=BXL))
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, "Foto's van je kern")
    await bot.send(SOFIE, "De markt is ons DNA.")
    await bot.sim.send_photo(SOFIE, b"jpeg-bytes", caption="De markt")
    await bot.sim.send_document(SOFIE, b"%PDF-1.4", "kaart.pdf", "application/pdf")
    calls = await bot.tap(SOFIE, key="homework/submit")
    assert calls[-1].key == "homework/handed_in" and OFFER in calls[-1].keys
    calls = await bot.tap(SOFIE, key=OFFER)
    preview = calls[-1].values(PREVIEW)
    assert preview["photos"] == 1 and preview["left_out"] == 1
    assert [v for _, v in preview["rows"]] == ["De markt is ons DNA.", "De markt"]
    await bot.tap(SOFIE, key=SHARE)
    entries = await shelf_entries(bot, PIETER)
    assert entries[0]["title"].endswith("Foto's van je kern")


async def test_withdrawing_removes_it_from_every_view_and_export(bot):
    await share_step3(bot)
    item = sofie_item(bot)
    await bot.send(PIETER, "/groep")
    await bot.tap(PIETER, key="sharing/open_button", values={"number": 1})
    await bot.tap(PIETER, key="sharing/useful_button", values={"on": False})
    await bot.send(SOFIE, "/groep")
    await bot.tap(SOFIE, key="sharing/mine_button")
    calls = await bot.tap(SOFIE, key="sharing/withdraw_button")
    assert calls[-1].key == "sharing/withdrawn"
    assert await shelf_entries(bot, PIETER) == []
    assert await shelf_entries(bot, AN) == []
    assert (await bot.press(PIETER, f"sh:open:{item.id}"))[-1].key == "sharing/gone"
    pieter, sofie = person_id(bot, PIETER), person_id(bot, SOFIE)
    for pid in (sofie, pieter):
        exported = privacy.export_data(bot.db, pid)
        assert exported["shared_items"] == [] and exported["share_reactions"] == []
    assert bot.db.execute("SELECT COUNT(*) FROM share_reactions").fetchone()[0] == 0


async def test_forget_me_removes_what_was_shared_and_the_reactions(bot):
    await share_step3(bot)
    await bot.send(PIETER, "/groep")
    await bot.tap(PIETER, key="sharing/open_button", values={"number": 1})
    await bot.tap(PIETER, key="sharing/ask_button")
    await bot.send(PIETER, "Werkte het?")
    # the asker leaves: their question goes
    await bot.send(PIETER, "/vergeetmij")
    await bot.tap(PIETER, key="privacy/forget_yes")
    assert store.questions(bot.db, sofie_item(bot).id) == []
    # the author leaves: the item goes from every view
    sofie = person_id(bot, SOFIE)
    await bot.send(SOFIE, "/vergeetmij")
    await bot.tap(SOFIE, key="privacy/forget_yes")
    assert await shelf_entries(bot, AN) == []
    assert privacy.export_data(bot.db, sofie)["shared_items"] == []
    assert bot.db.execute("SELECT COUNT(*) FROM shared_items").fetchone()[0] == 0


async def test_my_data_lists_what_was_shared(bot):
    await share_step3(bot)
    calls = await bot.send(SOFIE, "/mijngegevens")
    documents = [c for c in calls if c.method == "sendDocument"]
    exported = json.loads(documents[0].saved_paths[0].read_text("utf-8"))
    assert [i["kind"] for i in exported["shared_items"]] == ["brief"]
    pdf = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(
        documents[1].saved_paths[0]).pages).split())
    assert bot.services.messages.plain("privacy/table", "nl", table="shared_items") in pdf
    calls = await bot.send(SOFIE, "/privacy")
    assert "/groep" in calls[-1].text


async def test_the_coordinator_publishes_with_the_authors_consent(bot):
    await share_step3(bot)
    item = sofie_item(bot)
    await bot.send(ELS, "/groep")
    await bot.tap(ELS, key="sharing/open_button", values={"number": 1})
    calls = await bot.tap(ELS, key="sharing/promote_button")
    assert calls[-1].key == "sharing/consent_asked"
    assert practice_store.of_item(bot.db, item.id) is None          # not before the author says
    asked = bot.api.sent(SOFIE.id)[-1]
    assert asked.key == "sharing/consent_ask"
    assert asked.values(asked.key)["municipality"] == "Lier"
    # only the author answers
    assert (await bot.press(PIETER, f"sh:consent:{item.id}:yes"))[-1].key == "common/not_allowed"
    calls = await bot.tap(SOFIE, key="sharing/consent_yes")
    assert calls[-1].key == "sharing/published"
    assert bot.api.sent(ELS.id)[-1].key == "sharing/published_notice"
    entry = library.find(bot.db, bot.services.library, f"item-{item.id}")
    assert entry is not None and entry.origin == "promoted" and entry.nl.place == "Lier"
    assert "Sofie" not in entry.nl.what and "Janssens" not in entry.nl.title
    assert 2 in entry.themes                       # the trajectory's theme
    # an old consent button does nothing twice
    calls = await bot.press(SOFIE, f"sh:consent:{item.id}:no")
    assert calls[-1].key == "sharing/consent_closed"
    # withdrawing takes it out of the library too
    await bot.send(SOFIE, "/groep")
    await bot.tap(SOFIE, key="sharing/mine_button")
    await bot.tap(SOFIE, key="sharing/withdraw_button")
    assert library.find(bot.db, bot.services.library, f"item-{item.id}") is None


async def test_the_author_can_say_no(bot):
    await share_step3(bot)
    await bot.send(ELS, "/groep")
    await bot.tap(ELS, key="sharing/open_button", values={"number": 1})
    await bot.tap(ELS, key="sharing/promote_button")
    calls = await bot.tap(SOFIE, key="sharing/consent_no")
    assert calls[-1].key == "sharing/not_published"
    assert bot.api.sent(ELS.id)[-1].key == "sharing/declined_notice"
    assert practice_store.all_rows(bot.db) == []


# -- step 2: "laat me voorbeelden zien" -----------------------------------------------------------
async def test_step2_shows_fitting_practices_and_the_choice_is_in_the_brief_pdf(bot):
    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, key="flows/brief/sections/step2")
    await play(bot, SOFIE, [("send", "De experts: tijdelijke invulling werkt."),
                            ("send", "Halle toonde zijn leegstandsaanpak.")])
    assert "library/show_button" in bot.api.sent(SOFIE.id)[-1].keys   # at "practices"
    calls = await bot.tap(SOFIE, key="library/show_button")
    shown = calls[-1].values("library/examples")
    assert shown["scope"] == "fit"
    # trajectory 7's theme is 2 (DNA); the brief's step-2 answers are no challenge, so the
    # examples are the library's first ones, marked as not fitting
    assert not shown["fitting"]
    first = shown["practices"][0][0]
    calls = await bot.tap(SOFIE, key="library/choose_button",
                          values={"title": first.nl.title, "chosen": False})
    keys = [c.key for c in calls if c.method == "sendMessage"]
    assert keys[0] == "library/chosen"
    assert "flows/brief/practices/prompt" in calls[-1].keys   # back at the question
    await bot.tap(SOFIE, key="flows/buttons/skip")
    calls = await bot.send(SOFIE, "Een pop-up in de Antwerpsestraat.")
    # the step's summary shows the chosen practice too (regression: only "overgeslagen")
    rows = dict(calls[-1].values("flows/ui/summary")["rows"])
    m = bot.services.messages
    assert first.nl.title in rows[m.plain("flows/doc/chosen_practices", "nl")]
    await bot.tap(SOFIE, key=BACK_TO_BRIEF)
    calls = await bot.tap(SOFIE, key="flows/buttons/pdf")
    document = next(c for c in calls if c.method == "sendDocument")
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(
        document.saved_paths[0]).pages).split())
    m = bot.services.messages
    assert m.plain("flows/doc/chosen_practices", "nl") in text
    assert f"{first.nl.title} ({first.nl.place})" in text


async def test_the_suggestion_follows_the_challenge_from_the_intake(bot):
    from tests.flow_helpers import INTAKE_NL

    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL)   # "Leegstand in de Antwerpsestraat; ..."
    fitting = library.for_person(bot.db, bot.services.library, person_id(bot, SOFIE))
    assert fitting and all(9 in p.themes for p in fitting[:3])
    calls = await bot.press(SOFIE, "lb:examples:fit")
    assert calls[-1].values("library/examples")["fitting"] is True


async def test_homework_done_in_the_brief_offers_the_brief_step(bot):
    """Session 1's homework is brief step 1: handing it in offers that step, not an empty
    homework."""
    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, key="flows/brief/sections/step1")
    await play(bot, SOFIE, [("send", "Leegstand in de Stationsstraat"), ("send", "Het centrum"),
                            ("send", "Doel: leven; middel: pop-ups"), ("send", "Een gezin"),
                            ("send", "De handelaars"), ("send", "De eigenaars"),
                            ("key", "flows/options/ladder_advise"),
                                ("type", ["flows/options/role_support"])])
    bot.clock.set(datetime(2024, 2, 21, 10, 0, tzinfo=BXL))
    await bot.send(SOFIE, "/huiswerk")
    calls = await bot.tap(SOFIE, "Je uitdaging helder benoemd")   # the assignment's title
    assert calls[-1].key == "homework/via_flow"
    calls = await bot.tap(SOFIE, key="homework/submit_as_is")
    assert calls[-1].key == "homework/handed_in" and OFFER in calls[-1].keys
    calls = await bot.tap(SOFIE, key=OFFER)
    preview = calls[-1].values(PREVIEW)
    assert preview["title"].startswith(bot.services.messages.plain(
        "sharing/title", "nl", kind="brief", step=1, headline=""))
    assert "Leegstand in de Stationsstraat" in [value for _, value in preview["rows"]]
    # the share menu lists the step once, not an empty homework beside it
    await bot.send(SOFIE, "/groep")
    calls = await bot.tap(SOFIE, key="sharing/share_menu_button")
    m = bot.services.messages
    step1 = m.plain("sharing/offer_item_button", "nl", shared=False, title=m.plain(
        "sharing/title", "nl", kind="brief", step=1, headline=""))
    assert [b["text"] for b in calls[-1].buttons] == [step1]


async def test_what_people_typed_stays_literal_in_cards_questions_and_answers(bot):
    hostile = "<b>vet</b> & {{ 7*7 }} <script>"
    await share_step3(bot)
    await bot.send(PIETER, "/groep")
    await bot.tap(PIETER, key="sharing/open_button", values={"number": 1})
    await bot.tap(PIETER, key="sharing/ask_button")
    await bot.send(PIETER, hostile)
    to_sofie = bot.api.sent(SOFIE.id)[-1]
    assert "&lt;b&gt;vet&lt;/b&gt; &amp; {{ 7*7 }} &lt;script&gt;" in to_sofie.text
    assert "49" not in to_sofie.text
    await bot.tap(SOFIE, key="sharing/answer_button")
    await bot.send(SOFIE, hostile)
    assert "&lt;script&gt;" in bot.api.sent(PIETER.id)[-1].text


async def test_forget_me_takes_a_published_entry_out_of_the_library(bot):
    await share_step3(bot)
    item = sofie_item(bot)
    await bot.send(ELS, "/groep")
    await bot.tap(ELS, key="sharing/open_button", values={"number": 1})
    await bot.tap(ELS, key="sharing/promote_button")
    await bot.tap(SOFIE, key="sharing/consent_yes")
    assert library.find(bot.db, bot.services.library, f"item-{item.id}") is not None
    await bot.send(SOFIE, "/vergeetmij")
    await bot.tap(SOFIE, key="privacy/forget_yes")
    assert library.find(bot.db, bot.services.library, f"item-{item.id}") is None
    assert practice_store.all_rows(bot.db) == []
