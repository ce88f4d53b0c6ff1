"""The composition root: everything Kernbot does, wired in one place, in plain code. Start here.

Read from top to bottom:
  build_services()   the services every layer receives (config, db, messages, clock,
                     settings, event bus, flow definitions), and the event subscribers
  build_registry()   every command with the roles that may use it, every button kind with its
                     handler and roles, every conversation state with its cancel and resume
                     hooks
  COMPOSERS          which composer turns which kind of outbox row into a message
  after_pass_hooks() what runs after each dispatcher pass
  install()          the PTB handler groups, in the order they see an update
  on_start()         start-up work: the inbox left by a crash, menus, timer jobs, the dispatcher
  build_application() one Application for real Telegram, the console chat and the tests
  console_hooks()    what the console chat does when the demo clock moves

Nothing registers itself by being imported: a feature that is not listed here does not exist.
`bot.py` (the bot and the admin command line) and the test harness all start from here.
"""

from __future__ import annotations

import logging
import sqlite3
import warnings
from dataclasses import dataclass
from datetime import timedelta

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ChatMemberHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

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
from core.clock import Clock, SystemClock
from core.config import Config
from core.events import Enrolled, EventBus, FollowupChanged, SessionChanged
from core.services import Services
from core.settings import Settings
from flows.engine import DefinitionError
from flows.loader import load_all
from handlers import (
    announcements,
    brief,
    calendar,
    coaches,
    common,
    confirm,
    enrol,
    export,
    flows,
    followup,
    homework,
    invitations,
    library,
    privacy,
    progress,
    resume,
    router,
    sharing,
    start,
)
from handlers.access import ANYONE, COACH, COORDINATOR, ENROLLED, PARTICIPANT
from handlers.commands import set_default_menus
from handlers.context import KernbotContext
from handlers.registry import Registry
from handlers.replies import Keyboards, NoLinkPreviews
from messages.render import Messages
from programme import content as programme_content
from programme.flood import FloodGuard, RateLimit
from programme.library import LibraryProblem
from programme.library import load as load_library
from schedule import compose, compose_coaches, compose_followup, planner
from schedule.compose import Composer
from schedule.dispatcher import AfterPass, Dispatcher
from storage import updates
from storage.db import checkpoint, connect, quick_check
from transports.inbox import Inbox
from transports.updates import PerChatUpdateProcessor

log = logging.getLogger(__name__)

PLACEHOLDER_TOKEN = "123456:local-console-no-token"
PARTICIPANTS = frozenset({PARTICIPANT})
STAFF = frozenset({COACH, COORDINATOR})
COORDINATORS = frozenset({COORDINATOR})


class StartupError(Exception):
    """Something the bot cannot start with (a broken flow definition); one line."""


# -- services -----------------------------------------------------------------------------------
def build_services(config: Config, *, clock: Clock | None = None, db=None,
                   database: str | None = None) -> Services:
    """The services of the bot, the admin command line and the tests alike."""
    if db is None:
        path = database or config["storage"]["database"]
        try:
            db = connect(path, busy_timeout_ms=config["storage"]["busy_timeout_ms"])
            problem = quick_check(db)
        except sqlite3.DatabaseError as exc:  # not a database, truncated, read-only, locked
            raise StartupError(f"database {path} cannot be used: {exc}") from None
        if problem is not None:
            raise StartupError(f"database {path} is damaged: {problem}")
    messages = Messages(config.default_language, config.timezone, content=programme_content)
    messages.check_complete()
    try:
        flow_definitions = load_all(messages.has)
    except DefinitionError as exc:
        raise StartupError(f"a flow definition is broken: {exc}") from exc
    try:
        practices = load_library()
    except LibraryProblem as exc:
        raise StartupError(f"the inspiration library is broken: {exc}") from exc
    settings = Settings.from_config(config)
    bus = EventBus()
    subscribe(bus, settings)
    return Services(config=config, db=db, messages=messages, clock=clock or SystemClock(),
                    settings=settings, bus=bus, flows=flow_definitions, library=practices)


def subscribe(bus: EventBus, settings: Settings) -> None:
    """Reactions to domain events, delivered inside the transaction that caused them."""
    plan = planner.Planner(settings)
    bus.subscribe(SessionChanged, plan.on_session_changed)  # re-plan reminders, notify members
    bus.subscribe(Enrolled, plan.on_enrolled)                # plan the newcomer's reminders
    bus.subscribe(FollowupChanged, plan.on_followup_changed)  # extension, snooze, absence


# -- commands, buttons, conversation states ----------------------------------------------------
def build_registry() -> Registry:
    r = Registry()
    # everybody
    r.command("start", start.start_command, ANYONE, order=0)
    r.state(sb.PREFIX, start.on_message)                     # "use this invite too?"
    r.button(sb.ConfirmInvite, start.confirm_button, ENROLLED)
    r.button(sb.DeclineInvite, start.decline_button, ENROLLED)
    r.command("help", common.help_command, ANYONE, order=90, aliases=("hulp",))
    r.command("taal", common.language_command, ENROLLED, order=91, aliases=("language",))
    r.command("cancel", common.cancel_command, ANYONE, order=92, aliases=("stop",))
    r.command("privacy", privacy.privacy_command, ANYONE, order=80)
    r.command("mijngegevens", privacy.my_data_command, ENROLLED, order=81, aliases=("mydata",),
              heavy=True)
    r.command("vergeetmij", privacy.forget_command, ENROLLED, order=82, aliases=("forgetme",))
    r.button(comb.SetLanguage, common.language_button, ENROLLED)
    r.button(pb.Forget, privacy.forget_button, ENROLLED)
    r.button(pb.Keep, privacy.keep_button, ENROLLED)
    r.state(confirm.PREFIX, confirm.on_message)              # a destructive "are you sure?"
    # enrolment questions after /start CODE
    r.state(eb.PREFIX, enrol.on_answer, cancel=enrol.on_cancel, resume=resume.enrolment)
    r.button(eb.KeepValue, enrol.on_ok_button, ENROLLED)
    r.button(eb.Suggestion, enrol.on_suggestion, ENROLLED)  # a municipality near what was typed
    r.button(eb.AsTyped, enrol.on_as_typed, ENROLLED)
    # participants: guided conversations
    r.command("intake", flows.intake_command, PARTICIPANTS, order=20, help=flows.intake_help)
    r.command("brief", brief.brief_command, PARTICIPANTS, order=21)
    r.command("waarom", flows.waarom_command, PARTICIPANTS, order=22)
    r.command("evaluatie", flows.evaluatie_command, PARTICIPANTS, order=23,
              help=flows.evaluatie_help)
    r.state(fb.PREFIX, flows.on_message, cancel=flows.on_cancel, resume=resume.flow)
    r.button(fb.Start, flows.start_button, PARTICIPANTS)
    r.button(fb.Answer, flows.question_button, PARTICIPANTS)
    r.button(fb.Toggle, flows.question_button, PARTICIPANTS)
    r.button(fb.Move, flows.question_button, PARTICIPANTS)
    r.button(fb.Edit, flows.edit_button, PARTICIPANTS)
    r.button(fb.Switch, flows.switch_button, PARTICIPANTS)
    r.button(fb.KeepCurrent, flows.keep_button, PARTICIPANTS)
    r.button(fb.BriefMenu, brief.menu_button, PARTICIPANTS)
    r.button(fb.BriefStep, flows.step_button, PARTICIPANTS)
    r.button(fb.Download, brief.download_button, PARTICIPANTS, heavy=True)
    r.button(fb.NewChain, flows.new_chain_button, PARTICIPANTS)
    r.button(fb.Chain, flows.chain_button, PARTICIPANTS)     # one five-whys chain from /brief
    # homework: participants hand in, staff read and give feedback
    r.command("huiswerk", homework.homework_command, PARTICIPANTS, order=15,
              aliases=("homework",))
    r.command("inzendingen", homework.submissions_command, STAFF, order=30,
              aliases=("submissions",))
    r.state(hb.PREFIX, homework.on_message)
    r.button(hb.Open, homework.open_button, PARTICIPANTS)
    r.button(hb.Submit, homework.submit_button, PARTICIPANTS)
    r.button(hb.Restart, homework.restart_button, PARTICIPANTS)     # asks first
    r.button(hb.RestartYes, homework.restart_yes_button, PARTICIPANTS)
    r.button(hb.RestartNo, homework.restart_no_button, PARTICIPANTS)
    r.button(hb.Undo, homework.undo_button, PARTICIPANTS)             # until the hand-in
    r.button(hb.Stop, homework.stop_button, PARTICIPANTS)
    r.button(hb.Reply, homework.reply_button, PARTICIPANTS)
    r.button(hb.Session, homework.session_button, STAFF)
    r.button(hb.Feedback, homework.feedback_button, STAFF)
    r.button(hb.View, homework.view_button, ENROLLED)  # the rule is can_view_submission
    r.button(hb.SubmitDraft, homework.submit_draft_button, PARTICIPANTS)  # at the deadline
    # what coaches read besides homework (issue 14): evaluations, intakes, the preparation
    # pack, the current version of a handed-in brief step, "koppel terug" to the group
    r.state(cob.PREFIX, coaches.on_message)
    r.button(cob.Current, coaches.current_button, ENROLLED)  # the rule is can_view_submission
    r.button(cob.Evaluations, coaches.evaluations_button, STAFF)  # access.is_staff_of
    r.button(cob.EvaluationOf, coaches.evaluation_of_button, STAFF)
    r.button(cob.Intakes, coaches.intakes_button, STAFF)
    r.button(cob.IntakeOf, coaches.intake_of_button, STAFF)
    r.button(cob.Pack, coaches.pack_button, STAFF, heavy=True)
    r.button(cob.GroupFeedback, coaches.group_feedback_button, STAFF)
    r.button(cob.SendFeedback, coaches.send_feedback_button, STAFF)
    r.button(cob.CancelFeedback, coaches.cancel_feedback_button, STAFF)
    # learning from each other: the group's shelf, sharing, reactions, picks, the library
    r.command("groep", sharing.group_command, ENROLLED, order=25, aliases=("group",))
    r.state(shb.PREFIX, sharing.on_message)                 # a question, an answer
    r.button(shb.Shelf, sharing.shelf_button, ENROLLED)     # the rule is sharing.may_see
    r.button(shb.Open, sharing.open_button, ENROLLED)
    r.button(shb.ShareMenu, sharing.share_menu_button, PARTICIPANTS)
    r.button(shb.Offer, sharing.offer_button, PARTICIPANTS)
    r.button(shb.Share, sharing.share_button, PARTICIPANTS)
    r.button(shb.NotNow, sharing.not_now_button, PARTICIPANTS)
    r.button(shb.Mine, sharing.mine_button, PARTICIPANTS)
    r.button(shb.Withdraw, sharing.withdraw_button, PARTICIPANTS)  # the author only
    r.button(shb.Useful, sharing.useful_button, PARTICIPANTS)      # peers of the trajectory
    r.button(shb.Ask, sharing.ask_button, PARTICIPANTS)
    r.button(shb.Answer, sharing.answer_button, PARTICIPANTS)      # the author only
    r.button(shb.Pick, sharing.pick_button, STAFF)                 # staff of the trajectory
    r.button(shb.Promote, sharing.promote_button, COORDINATORS)
    r.button(shb.Consent, sharing.consent_button, PARTICIPANTS)    # the author only
    r.button(lb.Examples, library.examples_button, ENROLLED)
    r.button(lb.Choose, library.choose_button, PARTICIPANTS)
    # calendar
    r.command("sessies", calendar.sessions_command, ENROLLED, order=20, aliases=("sessions",),
              heavy=True)
    r.command("stil", calendar.mute_command, PARTICIPANTS | COORDINATORS, order=60,
              aliases=("mute",))
    r.button(cb.Mute, calendar.mute_button, PARTICIPANTS)
    r.button(cb.Ics, calendar.ics_button, ENROLLED)           # one session's .ics (/sessies)
    # the coordinator's calendar in the chat (/sessies)
    r.state(cb.CAL, calendar.on_message)
    r.button(cb.Manage, calendar.manage_button, COORDINATORS)
    r.button(cb.Move, calendar.move_button, COORDINATORS)
    r.button(cb.CancelSession, calendar.cancel_button, COORDINATORS)
    r.button(cb.AddSession, calendar.add_button, COORDINATORS)
    r.button(cb.EditText, calendar.edit_text_button, COORDINATORS)
    r.button(cb.EditDue, calendar.edit_due_button, COORDINATORS)
    r.button(cb.Confirm, calendar.confirm_button, COORDINATORS)
    r.button(cb.Abort, calendar.abort_button, COORDINATORS)
    # follow-up: "herinner me morgen", absence, extensions, the end of a trajectory
    r.command("afwezig", followup.away_command, PARTICIPANTS, order=61, aliases=("away",))
    r.state(fub.PREFIX, followup.on_message)
    r.button(fub.Later, followup.later_button, PARTICIPANTS)
    r.button(fub.Away, followup.away_button, PARTICIPANTS)
    r.button(fub.Extend, followup.extend_button, STAFF)      # the rule is access.staff_of
    r.button(fub.ExtendBy, followup.extend_by_button, STAFF)
    r.button(fub.ExtendType, followup.extend_type_button, STAFF)
    r.command("slotevaluatie", followup.final_command, PARTICIPANTS, order=24,
              help=followup.final_help)
    r.command("slotevaluaties", followup.final_overview_command, STAFF, order=42)
    r.button(fub.FinalEvaluation, followup.final_button, PARTICIPANTS)
    r.button(fub.Aftercare, followup.aftercare_button, PARTICIPANTS)
    # staff: progress and exports
    r.command("voortgang", progress.progress_command, STAFF, order=40, aliases=("progress",),
              heavy=True)
    r.command("export", export.export_command, STAFF, order=35, heavy=True)
    r.button(pgb.Show, progress.show_button, STAFF, heavy=True)
    r.button(pgb.Nudge, progress.nudge_button, STAFF)
    r.button(pgb.Export, export.export_button, STAFF, heavy=True)
    # coordinators: announcements, invites, audit
    r.command("aankondiging", announcements.announce_command, COORDINATORS, order=45,
              aliases=("announce",))
    r.command("aankondigingen", announcements.list_command, COORDINATORS, order=46,
              aliases=("announcements",))
    r.state(ab.PREFIX, announcements.on_message)
    r.button(ab.Audience, announcements.audience_button, COORDINATORS)
    r.button(ab.ForTrajectory, announcements.trajectory_button, COORDINATORS)
    r.button(ab.ForRole, announcements.role_button, COORDINATORS)
    r.button(ab.ForMunicipality, announcements.municipality_button, COORDINATORS)
    r.button(ab.ForMissingHomework, announcements.missing_homework_button, COORDINATORS)
    r.button(ab.OtherAudience, announcements.other_audience_button, COORDINATORS)
    r.button(ab.Later, announcements.later_button, COORDINATORS)
    r.button(ab.Send, announcements.send_button, COORDINATORS)
    r.button(ab.Cancel, announcements.cancel_button, COORDINATORS)
    r.button(ab.CancelPlanned, announcements.withdraw_button, COORDINATORS)
    r.button(ab.EditPlanned, announcements.edit_button, COORDINATORS)
    r.button(ab.Resend, announcements.resend_button, COORDINATORS)  # who missed it, again
    r.command("uitnodiging", invitations.invite_command, COORDINATORS, order=60,
              aliases=("invite",))
    r.command("maximum", invitations.maximum_command, COORDINATORS, order=61)
    r.state(ib.PREFIX, invitations.on_text)
    r.button(ib.PickTrajectory, invitations.pick_trajectory, COORDINATORS)
    r.button(ib.PickRole, invitations.pick_role, COORDINATORS)
    r.button(ib.Uses, invitations.set_uses, COORDINATORS)
    r.button(ib.Days, invitations.set_days, COORDINATORS)
    r.button(ib.Prefill, invitations.ask_prefill, COORDINATORS)
    r.button(ib.Create, invitations.create, COORDINATORS)
    r.button(ib.Cancel, invitations.cancel, COORDINATORS)
    r.button(ib.ListOpen, invitations.list_open, COORDINATORS)
    r.button(ib.Revoke, invitations.revoke, COORDINATORS)
    r.button(ib.ConfirmMaximum, invitations.confirm_maximum, COORDINATORS)
    r.button(ib.KeepMaximum, invitations.keep_maximum, COORDINATORS)
    r.command("audit", privacy.audit_command, COORDINATORS, order=83)
    return r


# Every button kind the bot sends, for the composition test (each must have a route above).
BUTTON_KINDS = (*comb.KINDS, *sb.KINDS, *pb.KINDS, *eb.KINDS, *fb.KINDS, *hb.KINDS, *cb.KINDS,
                *pgb.KINDS, *ab.KINDS, *ib.KINDS, *fub.KINDS, *cob.KINDS, *shb.KINDS,
                *lb.KINDS)


# -- timed and bulk messages -------------------------------------------------------------------
COMPOSERS: dict[str, Composer] = {
    planner.SESSION_REMINDER: compose.session_reminder,
    planner.HOMEWORK_OPEN: compose.homework_open,
    planner.NUDGE: compose.nudge,
    planner.EVALUATION: compose.evaluation,
    planner.DIGEST: compose.digest,
    planner.SESSION_CHANGE: compose_followup.session_change,  # with the updated .ics
    planner.LAGGING: compose.lagging,
    homework.DIGEST: compose.homework_digest,
    "announcement": compose.announcement,
    "announcement_resolve": compose.announcement_resolve,  # a planned one: audience at send time
    # follow-up (issue 16): the ladder, check-ins, late joiners, absence, the end
    planner.FOLLOWUP: compose_followup.reminder,
    planner.FOLLOWUP_STAFF: compose_followup.staff,
    planner.CHECK_IN: compose_followup.check_in,
    planner.WELCOME_LATE: compose_followup.welcome_late,
    planner.ABSENCE_NOTICE: compose_followup.absence_notice,
    planner.EXTENSION_NOTICE: compose_followup.extension_notice,
    planner.CLOSING: compose_followup.closing,
    planner.AFTERCARE: compose_followup.aftercare,
    planner.ESCALATION: compose_followup.escalation,
    # what coaches see (issue 14): the preparation pack, "koppel terug" to the group
    planner.PREP_PACK: compose_coaches.prep_pack,
    planner.GROUP_FEEDBACK: compose_coaches.group_feedback,
    planner.DRAFT_CHECK: compose_coaches.draft_check,       # issue 15: drafts never lost
    planner.DRAFTS_LOCKED: compose_coaches.drafts_locked,
}


def after_pass_hooks() -> list[AfterPass]:
    """After each dispatcher pass (and during long ones)."""
    return [
        announcements.follow_deliveries,  # edit each announcement's live status message
        homework.retry_downloads,         # try failed homework downloads again
    ]


# -- the Application -----------------------------------------------------------------------------
# Handler groups: lower runs first; features are in group 0 (the registry).
GROUP_SKIP_SEEN = -10
GROUP_ODD = -9
GROUP_FLOOD = -8
GROUP_FEATURES = 0
# No group after the features: the inbox marks each update done once its replies are accepted
# (transports/inbox.py, Inbox.handle), also when a handler stops early.


def install(app: Application, registry: Registry) -> None:
    """Every PTB handler, in the order an update meets them."""
    app.add_handler(TypeHandler(Update, common.skip_seen_updates), group=GROUP_SKIP_SEEN)
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, common.edited_message),
                    group=GROUP_ODD)
    app.add_handler(MessageHandler(filters.ChatType.GROUPS | filters.ChatType.CHANNEL,
                                   common.group_chat), group=GROUP_ODD)
    app.add_handler(TypeHandler(Update, common.flood_control), group=GROUP_FLOOD)
    registry.install(app)  # commands and buttons, group 0
    app.add_handler(ChatMemberHandler(common.bot_blocked_or_back,
                                      ChatMemberHandler.MY_CHAT_MEMBER))
    private = filters.ChatType.PRIVATE
    # fallbacks, after every feature in group 0: they only see what nothing else took
    app.add_handler(MessageHandler(private & filters.COMMAND, common.unknown_command))
    app.add_handler(MessageHandler(private & ~filters.COMMAND, router.route_message))
    app.add_handler(TypeHandler(Update, common.ignore))
    app.add_error_handler(common.error_handler)


CHECKPOINT_SECONDS = 60
PRUNE_SECONDS = 6 * 3600
KEEP_UPDATE_IDS = timedelta(days=7)   # Telegram redelivers unconfirmed updates for 24 hours


async def _checkpoint_job(context: KernbotContext) -> None:
    checkpoint(context.services.db)


async def prune_job(context: KernbotContext) -> None:
    """Forget handled update ids older than a week (they only guard against redelivery)."""
    services = context.application.bot_data["services"]
    updates.prune(services.db, services.clock.now(), KEEP_UPDATE_IDS)


async def on_start(app: Application) -> None:
    """Start-up work, before any new update is received (bot.py, the console, the tests)."""
    await app.bot_data["inbox"].recover()  # what a crash left: handle it, re-send owed prompts
    await set_default_menus(app)
    if app.job_queue is not None:
        app.job_queue.run_repeating(_checkpoint_job, interval=CHECKPOINT_SECONDS,
                                    first=CHECKPOINT_SECONDS, name="wal-checkpoint",
                                    job_kwargs={"coalesce": True, "max_instances": 1,
                                                "misfire_grace_time": CHECKPOINT_SECONDS})
        app.job_queue.run_repeating(prune_job, interval=PRUNE_SECONDS, first=60,
                                    name="prune-update-ids",
                                    job_kwargs={"coalesce": True, "max_instances": 1,
                                                "misfire_grace_time": PRUNE_SECONDS})
    await app.bot_data["dispatcher"].attach(app)


def build_application(config: Config, services: Services, *,
                      request: BaseRequest | None = None, rate_limit: bool | None = None
                      ) -> Application:
    """`request` replaces the HTTP transport (the fake Bot API of the console and the tests).
    The rate limiter is on for real Telegram and off for the in-process fake by default."""
    builder = (
        ApplicationBuilder()
        .token(config.token or PLACEHOLDER_TOKEN)
        .base_url(config["bot"]["base_url"])
        .base_file_url(config["bot"]["base_file_url"])
        # no tzinfo: nothing reads Telegram's dates (time comes from services.clock), and a
        # zone in Defaults converts every date of every update (about 15 us each)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NoLinkPreviews()))
        .context_types(ContextTypes(context=KernbotContext))
        .updater(None)  # updates come through our inbox (transports/inbox.py), not PTB's Updater
        # concurrently across chats, in order within a chat (transports/updates.py)
        .concurrent_updates(PerChatUpdateProcessor())
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limit if rate_limit is not None else request is None:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    # texts (handlers/replies.py) and polling (transports/polling.py) go through
    # `do_api_request` on purpose: Telegram's answer is kept as it came, not parsed into PTB
    # objects (the largest cost of an answer). PTB would advise the typed methods once each.
    warnings.filterwarnings("ignore", category=PTBUserWarning, message=r"Please use "
                            r"'Bot\.(sendMessage|editMessageText|getUpdates)' instead of")
    registry = build_registry()
    app.bot_data["services"] = services
    app.bot_data["registry"] = registry
    app.bot_data["dispatcher"] = Dispatcher(services, COMPOSERS, after_pass_hooks())
    app.bot_data["keyboards"] = Keyboards()
    if config["bot"]["flood_limit"]:
        app.bot_data["flood_guard"] = FloodGuard(config["bot"]["flood_limit"])
    if config["bot"]["documents_per_minute"]:
        app.bot_data["heavy_guard"] = RateLimit(config["bot"]["documents_per_minute"],
                                                timedelta(minutes=1))
    app.bot_data["inbox"] = Inbox(app, services, on_owed=resume.resend_owed)
    install(app, registry)
    return app


# -- the console chat ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ConsoleHooks:
    on_start: object   # async fn(app): start-up work
    travel: object     # async fn(app, clock, target): walk the demo clock, sending what falls due
    settle: object     # async fn(app): deliver what is due (after each piped line)


def console_hooks(app: Application) -> ConsoleHooks:
    dispatcher: Dispatcher = app.bot_data["dispatcher"]
    return ConsoleHooks(on_start=on_start, travel=dispatcher.travel, settle=dispatcher.run_pass)
