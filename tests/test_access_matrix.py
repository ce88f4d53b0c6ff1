"""Authorization matrix: every command and every button kind, for every kind of person, with
valid and with malformed data.

Commands and button kinds come from the composition root, so a new command or button is checked
for all five kinds of person; the expected roles of each button kind are written out here, so a
kind without an expectation fails the test instead of passing unseen.
"""

import pytest

from buttons import announcements as ab
from buttons import calendar as cb
from buttons import coaches as cob
from buttons import common as comb
from buttons import enrol as eb
from buttons import flows as fb
from buttons import followup as fub
from buttons import homework as hb
from buttons import invitations as ib
from buttons import library as lb
from buttons import privacy as pb
from buttons import progress as pgb
from buttons import sharing as shb
from buttons import start as sb
from buttons.base import MAX_ID
from kernbot.composition import BUTTON_KINDS, build_registry
from kernbot.harness import AN, ELS, PIETER, SOFIE
from storage import people
from storage import sharing as sharing_store
from transports.simulator import User

UNKNOWN = User(3333, "Onbekend")
REMOVED = User(9013, "Lotte", "Willems")  # a demo participant whose enrolment we remove

KINDS = {
    "unknown": (UNKNOWN, None),
    "participant": (SOFIE, "participant"),
    "coach": (AN, "coach"),
    "coordinator": (ELS, "coordinator"),
    "removed": (REMOVED, None),
}
REFUSALS = {"common/not_enrolled", "common/not_allowed"}
ERROR = "common/error"
COMMANDS = sorted(build_registry().commands.values(), key=lambda c: c.name)
SECRETS = ("Geheim plan van Sofie", "Sofie", "Pieter", "An Peeters", "Koen", "Els", "Lier",
           "Halle", "Geheim plan van Mia", "Geel")


def keys_of(calls) -> set[str]:
    return {key for call in calls for key in call.keys}


def _remove_if_needed(bot, kind):
    if kind == "removed":
        person = people.by_telegram_id(bot.db, REMOVED.id)
        people.update(bot.db, person.id, bot.now(), status="removed")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
async def test_command_access(bot, command, kind):
    user, role = KINDS[kind]
    _remove_if_needed(bot, kind)
    calls = await bot.send(user, f"/{command.name}")
    keys = keys_of(calls)
    assert calls, f"/{command.name} as {kind}: silence"
    assert ERROR not in keys, f"/{command.name} as {kind}: {keys}"
    allowed = command.roles is None or role in command.roles
    refused = bool(keys & REFUSALS)
    assert refused != allowed, f"/{command.name} as {kind}: {keys}"
    if refused:
        # A refusal reveals nothing: no names of other people, no numbers.
        texts = " ".join(c.text for c in calls)
        for name in SECRETS:
            assert name not in texts
        assert not any(ch.isdigit() for ch in texts)


# -- every button kind, for every kind of person ---------------------------------------------
# (a button of that kind built from the fixture ids, the roles that may press it). "owner":
# only the participant who owns the data (besides the staff roles listed).
ANYONE_ENROLLED = {"participant", "coach", "coordinator"}
STAFF = {"coach", "coordinator"}
COORDINATOR = {"coordinator"}
PARTICIPANT = {"participant"}
EXPECTED = {
    comb.SetLanguage: (lambda i: comb.SetLanguage("en"), ANYONE_ENROLLED),
    sb.ConfirmInvite: (lambda i: sb.ConfirmInvite(), ANYONE_ENROLLED),
    sb.DeclineInvite: (lambda i: sb.DeclineInvite(), ANYONE_ENROLLED),
    pb.Forget: (lambda i: pb.Forget(1), ANYONE_ENROLLED),
    pb.Keep: (lambda i: pb.Keep(1), ANYONE_ENROLLED),
    eb.KeepValue: (lambda i: eb.KeepValue("name"), ANYONE_ENROLLED),
    eb.Suggestion: (lambda i: eb.Suggestion(0), ANYONE_ENROLLED),
    eb.AsTyped: (lambda i: eb.AsTyped(), ANYONE_ENROLLED),
    fb.Start: (lambda i: fb.Start("intake"), PARTICIPANT),
    fb.Answer: (lambda i: fb.Answer("intake", "", "role", 0, "x"), PARTICIPANT),
    fb.Toggle: (lambda i: fb.Toggle("intake", "", "domains", 0, "economy"), PARTICIPANT),
    fb.Move: (lambda i: fb.Move("intake", "", "role", 0, "back"), PARTICIPANT),
    fb.Edit: (lambda i: fb.Edit("intake", "", "role", 0), PARTICIPANT),
    fb.Switch: (lambda i: fb.Switch("waarom", "1", ""), PARTICIPANT),
    fb.KeepCurrent: (lambda i: fb.KeepCurrent(), PARTICIPANT),
    fb.BriefMenu: (lambda i: fb.BriefMenu(), PARTICIPANT),
    fb.BriefStep: (lambda i: fb.BriefStep("step1"), PARTICIPANT),
    fb.Download: (lambda i: fb.Download("pdf"), PARTICIPANT),
    fb.NewChain: (lambda i: fb.NewChain(), PARTICIPANT),
    fb.Chain: (lambda i: fb.Chain(1), PARTICIPANT),
    hb.Open: (lambda i: hb.Open(i["a"]), PARTICIPANT),
    hb.Submit: (lambda i: hb.Submit(i["a"]), PARTICIPANT),
    hb.Restart: (lambda i: hb.Restart(i["a"]), PARTICIPANT),
    hb.RestartYes: (lambda i: hb.RestartYes(i["a"], 1), PARTICIPANT),
    hb.RestartNo: (lambda i: hb.RestartNo(1), PARTICIPANT),
    hb.Undo: (lambda i: hb.Undo(i["a"]), PARTICIPANT),
    hb.Stop: (lambda i: hb.Stop(), PARTICIPANT),
    hb.Reply: (lambda i: hb.Reply(i["sub"]), {"owner"}),
    hb.Session: (lambda i: hb.Session(i["s"]), STAFF),
    hb.View: (lambda i: hb.View(i["sub"]), {"owner", "coach", "coordinator"}),
    hb.Feedback: (lambda i: hb.Feedback(i["sub"]), STAFF),
    cb.Mute: (lambda i: cb.Mute("1w"), PARTICIPANT),
    pgb.Show: (lambda i: pgb.Show(i["t"]), STAFF),
    pgb.Nudge: (lambda i: pgb.Nudge(i["t"]), STAFF),
    pgb.Export: (lambda i: pgb.Export(i["t"]), STAFF),
    ab.Audience: (lambda i: ab.Audience("all"), COORDINATOR),
    ab.ForTrajectory: (lambda i: ab.ForTrajectory(i["t"]), COORDINATOR),
    ab.ForRole: (lambda i: ab.ForRole("coach"), COORDINATOR),
    ab.ForMunicipality: (lambda i: ab.ForMunicipality(0), COORDINATOR),
    ab.ForMissingHomework: (lambda i: ab.ForMissingHomework(i["s"]), COORDINATOR),
    ab.OtherAudience: (lambda i: ab.OtherAudience(), COORDINATOR),
    ab.Later: (lambda i: ab.Later(), COORDINATOR),
    ab.Send: (lambda i: ab.Send(), COORDINATOR),
    ab.Cancel: (lambda i: ab.Cancel(), COORDINATOR),
    ab.CancelPlanned: (lambda i: ab.CancelPlanned(1), COORDINATOR),
    ab.EditPlanned: (lambda i: ab.EditPlanned(1), COORDINATOR),
    ab.Resend: (lambda i: ab.Resend(1), COORDINATOR),
    ib.PickTrajectory: (lambda i: ib.PickTrajectory(i["t"]), COORDINATOR),
    ib.PickRole: (lambda i: ib.PickRole(i["t"], "coach"), COORDINATOR),
    ib.Uses: (lambda i: ib.Uses(5), COORDINATOR),
    ib.Days: (lambda i: ib.Days(7), COORDINATOR),
    ib.Prefill: (lambda i: ib.Prefill("name"), COORDINATOR),
    ib.Create: (lambda i: ib.Create(), COORDINATOR),
    ib.Cancel: (lambda i: ib.Cancel(), COORDINATOR),
    ib.ListOpen: (lambda i: ib.ListOpen(i["t"]), COORDINATOR),
    ib.Revoke: (lambda i: ib.Revoke(1), COORDINATOR),
    ib.ConfirmMaximum: (lambda i: ib.ConfirmMaximum(7, 11), COORDINATOR),
    ib.KeepMaximum: (lambda i: ib.KeepMaximum(7), COORDINATOR),
    cb.Manage: (lambda i: cb.Manage(i["s"]), COORDINATOR),
    cb.Move: (lambda i: cb.Move(i["s"]), COORDINATOR),
    cb.CancelSession: (lambda i: cb.CancelSession(i["s"]), COORDINATOR),
    cb.AddSession: (lambda i: cb.AddSession(i["t"]), COORDINATOR),
    cb.EditText: (lambda i: cb.EditText(i["a"]), COORDINATOR),
    cb.EditDue: (lambda i: cb.EditDue(i["a"]), COORDINATOR),
    cb.Confirm: (lambda i: cb.Confirm(), COORDINATOR),
    cb.Abort: (lambda i: cb.Abort(), COORDINATOR),
    cb.Ics: (lambda i: cb.Ics(i["s"]), ANYONE_ENROLLED),
    fub.Later: (lambda i: fub.Later("assignment", i["a"], "gentle"), PARTICIPANT),
    fub.Away: (lambda i: fub.Away("1w"), PARTICIPANT),
    fub.Extend: (lambda i: fub.Extend(i["a"], i["p"]), STAFF),
    fub.ExtendBy: (lambda i: fub.ExtendBy(i["a"], i["p"], "2"), STAFF),
    fub.ExtendType: (lambda i: fub.ExtendType(i["a"], i["p"]), STAFF),
    fub.FinalEvaluation: (lambda i: fub.FinalEvaluation(i["t"]), PARTICIPANT),
    fub.Aftercare: (lambda i: fub.Aftercare(i["t"], "done"), PARTICIPANT),
    hb.SubmitDraft: (lambda i: hb.SubmitDraft(i["a"]), PARTICIPANT),
    cob.Current: (lambda i: cob.Current(i["sub"]), {"owner", "coach", "coordinator"}),
    cob.Evaluations: (lambda i: cob.Evaluations(i["s"]), STAFF),
    cob.EvaluationOf: (lambda i: cob.EvaluationOf(i["s"], i["p"]), STAFF),
    cob.Intakes: (lambda i: cob.Intakes(i["t"]), STAFF),
    cob.IntakeOf: (lambda i: cob.IntakeOf(i["t"], i["p"]), STAFF),
    cob.Pack: (lambda i: cob.Pack(i["s"]), STAFF),
    cob.GroupFeedback: (lambda i: cob.GroupFeedback(i["s"]), STAFF),
    cob.SendFeedback: (lambda i: cob.SendFeedback(i["s"]), STAFF),
    cob.CancelFeedback: (lambda i: cob.CancelFeedback(i["s"]), STAFF),
    # sharing with the group: the fixture's item is Sofie's homework, shared with trajectory 7;
    # the question on it is Pieter's ("owner": Sofie answers it)
    shb.Shelf: (lambda i: shb.Shelf(i["t"]), ANYONE_ENROLLED),
    shb.Open: (lambda i: shb.Open(i["item"]), ANYONE_ENROLLED),
    shb.ShareMenu: (lambda i: shb.ShareMenu(), PARTICIPANT),
    shb.Offer: (lambda i: shb.Offer("hw", str(i["sub"])), PARTICIPANT),
    shb.Share: (lambda i: shb.Share("hw", str(i["sub"]), i["t"]), PARTICIPANT),
    shb.NotNow: (lambda i: shb.NotNow(), PARTICIPANT),
    shb.Mine: (lambda i: shb.Mine(), PARTICIPANT),
    shb.Withdraw: (lambda i: shb.Withdraw(i["item"]), {"owner"}),
    shb.Useful: (lambda i: shb.Useful(i["item"]), PARTICIPANT),   # the author: "your own"
    shb.Ask: (lambda i: shb.Ask(i["item"]), PARTICIPANT),
    shb.Answer: (lambda i: shb.Answer(i["question"]), {"owner"}),
    shb.Pick: (lambda i: shb.Pick(i["item"]), STAFF),
    shb.Promote: (lambda i: shb.Promote(i["item"]), COORDINATOR),
    shb.Consent: (lambda i: shb.Consent(i["item"], "no"), {"owner"}),
    lb.Examples: (lambda i: lb.Examples("fit"), ANYONE_ENROLLED),
    lb.Choose: (lambda i: lb.Choose("amok"), PARTICIPANT),
}
BUTTONS = sorted(BUTTON_KINDS, key=lambda k: k.head())


def test_every_button_kind_has_an_expectation():
    assert set(BUTTON_KINDS) == set(EXPECTED)


async def _fixture_ids(bot):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from storage import assignments, trajectories
    from storage import homework as store

    trajectory = trajectories.by_number(bot.db, 7)
    session = trajectories.session_by_number(bot.db, trajectory.id, 2)
    assignment = assignments.of_session(bot.db, session.id)[0]
    bot.clock.set(datetime(2024, 4, 24, 10, 0, tzinfo=ZoneInfo("Europe/Brussels")))
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    draft = store.ensure_draft(bot.db, sofie.id, assignment.id, bot.now())
    store.add_item(bot.db, draft.id, kind="text", text="Geheim plan van Sofie", now=bot.now())
    store.submit(bot.db, draft.id, bot.now(), late=False)
    item = _share(bot, sofie.id, trajectory.id, draft.id)
    pieter = people.by_telegram_id(bot.db, PIETER.id)
    question = sharing_store.ask(bot.db, item.id, pieter.id, "Hoe?", bot.now())
    return {"t": trajectory.id, "s": session.id, "a": assignment.id, "sub": draft.id,
            "p": sofie.id, "item": item.id, "question": question.id}


def _share(bot, person_id: int, trajectory_id: int, submission_id: int):
    """Share a handed-in homework with its trajectory (as the share button does)."""
    from programme import sharing

    made = sharing.draft(bot.db, bot.services.messages, bot.services.flows, person_id, "hw",
                         str(submission_id), "nl")
    return sharing.share(bot.db, person_id, trajectory_id, made, bot.now())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("button_kind", BUTTONS, ids=lambda k: k.head())
async def test_button_access(bot, button_kind, kind):
    ids = await _fixture_ids(bot)
    make, roles = EXPECTED[button_kind]
    user, role = KINDS[kind]
    _remove_if_needed(bot, kind)
    calls = await bot.press(user, make(ids).pack())
    keys = keys_of(calls)
    texts = " ".join(c.text for c in calls)
    assert ERROR not in keys, f"{button_kind.head()} as {kind}: {keys}"
    assert calls, f"{button_kind.head()} as {kind}: silence"
    allowed = role in roles or ("owner" in roles and user == SOFIE)
    refused = bool(keys & REFUSALS)
    if not allowed:
        assert refused, f"{button_kind.head()} as {kind} was not refused: {keys}"
        for name in SECRETS:
            assert name not in texts, f"{button_kind.head()} as {kind} revealed {name}"
    else:
        assert not refused, f"{button_kind.head()} as {kind}: {keys}"


def _malformed(kind) -> list[str]:
    head = kind.head()
    fields = len(kind._field_types())
    bad = [head + ":²" * max(fields, 1), head + ":" + str(2**63) * max(fields, 1),
           head + ":" + str(MAX_ID + 1), head + ":-1", head + ":" * (fields + 2),
           head + ":é", head + ":" + "x" * 70, head.split(":")[0], "", ":::"]
    if fields:
        bad.append(head)  # fields missing
    return bad


@pytest.mark.parametrize("kind", ["participant", "coordinator", "unknown"])
@pytest.mark.parametrize("button_kind", BUTTONS, ids=lambda k: k.head())
async def test_malformed_button_data_is_refused_politely(bot, button_kind, kind, caplog):
    user, _role = KINDS[kind]
    for data in _malformed(button_kind):
        calls = await bot.press(user, data)
        keys = keys_of(calls)
        assert keys & ({"common/button_expired"} | REFUSALS), f"{data!r} as {kind}: {keys}"
        assert ERROR not in keys, f"{data!r} as {kind}"
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


# -- roles belong to a membership: persons with different roles in different trajectories ----
SECOND = """
[[trajectories]]
number = {number}
year = 2024
title = "Traject {number}"
theme = "Leegstand"

  [[trajectories.sessions]]
  number = 1
  title = "Start"
  start = 2024-02-27T09:30:00
  end = 2024-02-27T12:30:00
  mode = "online"
  video_link = "https://meet.example.org/{number}"

    [[trajectories.sessions.assignments]]
    title = "Opdracht {number}"
    instructions = "Iets doen."
    kind = "text"
"""
MIA = User(9801, "Mia", "Maes")      # a participant of trajectory 8 only


async def _two_trajectories(bot):
    """Trajectory 8 (An, coach of 7, takes part as a participant; Mia hands in) and 9 (Sofie,
    participant of 7, coaches it). Returns {name: trajectory id} and the submissions by
    trajectory number."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from programme import importer
    from storage import assignments, memberships, trajectories
    from storage import homework as store

    for number in (8, 9):
        importer.apply(bot.db, bot.bus, importer.parse(SECOND.format(number=number), "x.toml"),
                       now=bot.now())
    t7, t8, t9 = (trajectories.by_number(bot.db, n) for n in (7, 8, 9))
    an = people.by_telegram_id(bot.db, AN.id)
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    mia = people.create(bot.db, telegram_id=MIA.id, name="Mia Maes", role="participant",
                        language="nl", now=bot.now(), municipality="Geel")
    memberships.add(bot.db, person_id=an.id, trajectory_id=t8.id, role="participant",
                    now=bot.now())
    memberships.add(bot.db, person_id=mia.id, trajectory_id=t8.id, role="participant",
                    now=bot.now())
    memberships.add(bot.db, person_id=sofie.id, trajectory_id=t9.id, role="coach",
                    now=bot.now())
    bot.clock.set(datetime(2024, 4, 24, 10, 0, tzinfo=ZoneInfo("Europe/Brussels")))
    subs = {}
    for number, trajectory, owner, text in ((7, t7, sofie, "Geheim plan van Sofie"),
                                            (8, t8, mia, "Geheim plan van Mia")):
        session = trajectories.sessions_of(bot.db, trajectory.id)[0]
        work = assignments.of_session(bot.db, session.id)[0]
        draft = store.ensure_draft(bot.db, owner.id, work.id, bot.now())
        store.add_item(bot.db, draft.id, kind="text", text=text, now=bot.now())
        store.submit(bot.db, draft.id, bot.now(), late=False)
        subs[number] = (session.id, draft.id)
    return {7: t7.id, 8: t8.id, 9: t9.id}, subs


STAFF_VIEWS = {
    "export": lambda t, s: pgb.Export(t),
    "progress": lambda t, s: pgb.Show(t),
    "nudge": lambda t, s: pgb.Nudge(t),
    "session overview": lambda t, s: hb.Session(s[0]),
    "submission": lambda t, s: hb.View(s[1]),
    "feedback": lambda t, s: hb.Feedback(s[1]),
}
# who is staff of which trajectory (7: An and Koen coach it; 9: Sofie coaches it)
MIXED = {
    "coach of 7, participant of 8": (AN, {7}),
    "participant of 7, coach of 9": (SOFIE, {9}),
    "participant of 8 only": (MIA, set()),
    "coordinator": (ELS, {7, 8, 9}),
}


@pytest.mark.parametrize("who", MIXED)
@pytest.mark.parametrize("view", STAFF_VIEWS)
async def test_staff_views_follow_the_role_in_that_trajectory(bot, who, view):
    ids, subs = await _two_trajectories(bot)
    user, staff_of = MIXED[who]
    for number in (7, 8):
        calls = await bot.press(user, STAFF_VIEWS[view](ids[number], subs[number]).pack())
        keys = keys_of(calls)
        texts = " ".join(c.text for c in calls)
        assert ERROR not in keys
        owner = (user, number) in ((SOFIE, 7), (MIA, 8))
        if number in staff_of:
            assert not keys & REFUSALS, f"{who}, {view} of {number}: {keys}"
        elif owner and view == "submission":
            assert not keys & REFUSALS  # your own submission is yours to read
        else:
            assert keys & REFUSALS, f"{who}, {view} of {number} was not refused: {keys}"
            assert f"Geheim plan van {'Sofie' if number == 7 else 'Mia'}" not in texts


async def test_commands_per_trajectory_for_a_mixed_person(bot):
    """An coaches 7 and takes part in 8: /export and /voortgang show 7 only, /huiswerk shows
    his homework of 8, and /help lists the commands of both roles."""
    ids, _subs = await _two_trajectories(bot)
    calls = await bot.send(AN, "/voortgang")
    overview = calls[0].values("progress/overview")["progress"]
    assert overview.trajectory.id == ids[7]
    calls = await bot.send(AN, "/huiswerk")
    views = calls[0].values("homework/list")["views"]
    assert {v.trajectory.id for v in views} == {ids[8]}
    help_text = (await bot.send(AN, "/help"))[0]
    names = {name for name, _ in help_text.values("common/help")["commands"]}
    assert {"huiswerk", "intake", "voortgang", "export", "inzendingen"} <= names


# -- shared items belong to one trajectory: peers and staff of that trajectory only -----------
# who is a participant (peer) of which trajectory (7: Sofie, Pieter; 8: An, Mia)
PEER_OF = {"coach of 7, participant of 8": {8}, "participant of 7, coach of 9": {7},
           "participant of 8 only": {8}, "coordinator": set()}
SHARED_VIEWS = {
    "shelf": lambda t, item: shb.Shelf(t),
    "open": lambda t, item: shb.Open(item),
    "useful": lambda t, item: shb.Useful(item),
    "ask": lambda t, item: shb.Ask(item),
    "pick": lambda t, item: shb.Pick(item),
}


@pytest.mark.parametrize("who", MIXED)
@pytest.mark.parametrize("view", SHARED_VIEWS)
async def test_shared_items_are_seen_in_their_own_trajectory_only(bot, who, view):
    """Sofie shares her homework with 7, Mia hers with 8: what each shared is visible to the
    participants, coaches and coordinators of that trajectory, never to another trajectory;
    reacting is for peers (participants), picking for staff of that trajectory."""
    ids, subs = await _two_trajectories(bot)
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    mia = people.by_telegram_id(bot.db, MIA.id)
    items = {7: _share(bot, sofie.id, ids[7], subs[7][1]).id,
             8: _share(bot, mia.id, ids[8], subs[8][1]).id}
    user, staff_of = MIXED[who]
    for number in (7, 8):
        calls = await bot.press(user, SHARED_VIEWS[view](ids[number], items[number]).pack())
        keys = keys_of(calls)
        texts = " ".join(c.text for c in calls)
        assert ERROR not in keys
        peer = number in PEER_OF[who]
        staff = number in staff_of
        allowed = {"shelf": peer or staff, "open": peer or staff, "useful": peer,
                   "ask": peer, "pick": staff}[view]
        if allowed:
            assert not keys & REFUSALS, f"{who}, {view} of {number}: {keys}"
        else:
            assert keys & REFUSALS, f"{who}, {view} of {number} was not refused: {keys}"
            assert f"Geheim plan van {'Sofie' if number == 7 else 'Mia'}" not in texts
    # and the shelf of a trajectory lists its own items only
    if PEER_OF[who] or staff_of:
        number = min(PEER_OF[who] | staff_of)
        calls = await bot.press(user, shb.Shelf(ids[number]).pack())
        entries = [e for _, group in calls[-1].values("sharing/shelf")["groups"] for e in group]
        assert [e["name"] for e in entries] == ["Sofie Janssens" if number == 7 else "Mia Maes"]
