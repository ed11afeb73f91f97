"""The Telegram application, built from the settings by one factory for production, the sandbox
and the tests alike."""

from __future__ import annotations

import logging
import warnings

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    filters,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot import texts
from bot.jobs.scheduler import Scheduler
from bot.lease import Lease
from bot.settings import Settings
from bot.storage import PgStore, Store
from bot.telegram.delivery import Courier
from bot.telegram.handlers import bulletin, commission, edits, hints, liaison, office, report
from bot.telegram.handlers.common import (
    ANSWERS,
    COURIER,
    POLLING,
    SCHEDULER,
    SETTINGS,
    STOP,
    STORE,
    deliver_now,
    features,
    on_error,
    stale_button,
)
from bot.telegram.intake import Intake, IntakeProcessor, IntakeQueue, IntakeRequest
from bot.telegram.notices import ChatNotices
from bot.telegram.pressbot import PressBot
from bot.telegram.replicas import Conversations, Dispatcher, Leadership, Nudge
from bot.telegram.timer import JobQueueTimer
from bot.usecases import people
from bot.usecases.setup import initialize
from bot.usecases.verify import tell_keying

log = logging.getLogger(__name__)

# The report and rejection conversations follow one user in one chat, and their buttons are
# answered for that user whichever message carries them: per_message tracking is not wanted.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)

# Enough connections for concurrent handlers; the library's default of 256 costs CPU on every
# request for nothing.
CONNECTION_POOL = 16
CONCURRENT_UPDATES = 8
INTAKE = "intake"
LEASE = "lease"
LEADERSHIP = "leadership"


def build_application(settings: Settings, *, rate_limit: bool | None = None) -> Application:  # type: ignore[type-arg]
    """The bot, ready to run. `rate_limit` (default: the setting) keeps to Telegram's limits."""
    if settings.bot_token is None:
        raise ValueError("a bot token is required")
    intake = Intake(settings.now, durable=settings.durable_intake)
    limited = settings.rate_limit if rate_limit is None else rate_limit
    bot = PressBot(
        settings.bot_token.get_secret_value(),
        request=HTTPXRequest(connection_pool_size=CONNECTION_POOL),
        get_updates_request=IntakeRequest(intake, connection_pool_size=1),
        rate_limiter=AIORateLimiter(max_retries=3) if limited else None,
        # Telegram's own, as python-telegram-bot has them, unless the settings name others.
        base_url=settings.api_base_url or "https://api.telegram.org/bot",
        base_file_url=settings.api_base_file_url or "https://api.telegram.org/file/bot",
    )
    app = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(IntakeProcessor(intake, CONCURRENT_UPDATES))
        .update_queue(IntakeQueue(intake))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data[SETTINGS] = settings
    app.bot_data[INTAKE] = intake
    liaison.register(app)
    report.register(app)
    office.register(app)
    commission.register(app)
    bulletin.register(app)
    # Last in its group: a /cancel that no conversation took (the report's and the rejection's
    # conversations take theirs first).
    app.add_handler(
        CommandHandler("cancel", report.cancel_outside, filters=filters.ChatType.PRIVATE)
    )
    hints.register(app)
    app.add_handler(CallbackQueryHandler(stale_button))
    # Last: it filters edits out of every handler registered above.
    edits.register(app)
    app.add_error_handler(on_error)
    return app


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    settings: Settings = app.bot_data[SETTINGS]
    store = await Store.open(
        settings.db, key_file=settings.ledger_key_file, key=settings.ledger_key_value
    )
    app.bot_data[STORE] = store
    await tell_keying(store, ChatNotices.of(settings), settings.now())
    intake: Intake = app.bot_data[INTAKE]
    intake.use(store)
    if isinstance(store, PgStore):
        await _replicate(app, store, settings, intake)
        return
    # Nothing is sent, scheduled or polled before this process holds the database.
    await _hold_database(app, store, settings)
    await _prepare(app, store, settings)
    courier = Courier(app.bot, store, settings.admin_ids, settings.now, lambda: app.running)
    app.bot_data[COURIER] = courier
    app.bot_data[ANSWERS] = courier
    _schedule(app, store, settings, courier)
    # What the last run received but did not handle comes first, before anything polled now;
    # put_nowait, because these are stored already (IntakeQueue.put would refuse them as known).
    for update in await intake.unhandled(app.bot):
        app.update_queue.put_nowait(update)


async def _prepare(app: Application, store: Store, settings: Settings) -> None:  # type: ignore[type-arg]
    async with store.reading() as tx:
        initialised = await tx.config.ruleset_text() is not None
    if not initialised:
        await initialize(store, settings.ruleset)
    # The web console shows its invites as this bot's links, as /invite does.
    await people.remember_invite_link(store, f"https://t.me/{app.bot.username}?start=")
    await set_commands(app, settings)


def _schedule(app: Application, store: Store, settings: Settings, courier: Courier) -> None:  # type: ignore[type-arg]
    if settings.jobs and app.job_queue is not None:
        notices = ChatNotices.of(settings)
        scheduler = Scheduler(JobQueueTimer(app), store, settings, courier, notices)
        app.bot_data[SCHEDULER] = scheduler
        scheduler.start()


async def _replicate(app: Application, store: PgStore, settings: Settings, intake: Intake) -> None:  # type: ignore[type-arg]
    """One of several processes on a PostgreSQL database (bot.telegram.replicas): it takes updates from
    the intake, wherever they were received, and runs the scheduler and the courier only while
    it leads. Polling, only the leader may ask Telegram for updates: this one waits for that."""
    await _prepare(app, store, settings)
    dispatcher = Dispatcher(
        app, store, settings.now, CONCURRENT_UPDATES,
        claim_seconds=settings.claim_seconds, poll_every=settings.intake_poll_seconds,
    )  # fmt: skip
    intake.replicate(dispatcher, Conversations(app, store, settings.now))
    app.bot_data[COURIER] = Nudge(store)
    # Sending stops, between two messages, as soon as this process no longer leads.
    courier = Courier(
        app.bot, store, settings.admin_ids, settings.now,
        lambda: app.running and leadership.leading.is_set(), shared=True,
    )  # fmt: skip
    # Every process sends its own answers at once; the courier's deliveries only when leading.
    app.bot_data[ANSWERS] = courier

    async def lead() -> None:
        log.warning(texts.LEADER_TAKEN.format(db=store.display))
        app.bot_data[COURIER] = courier
        # The scheduler's first wake-up delivers what the outbox holds.
        _schedule(app, store, settings, courier)

    def told() -> None:
        if app.running:
            deliver_now(app, reschedule=True)

    def lost() -> None:
        log.error(texts.LEADER_LOST.format(db=store.display))
        app.bot_data[COURIER] = Nudge(store)
        app.bot_data[STOP].set()

    leadership = Leadership(
        store, dispatcher.name, lead, told, lost, courier.idle,
        check=settings.leader_check_seconds,
    )  # fmt: skip
    app.bot_data[LEADERSHIP] = leadership
    leadership.start()
    dispatcher.start()
    if app.bot_data.get(POLLING, True):
        await leadership.leading.wait()


async def _hold_database(app: Application, store: Store, settings: Settings) -> None:  # type: ignore[type-arg]
    """Take the lease, waiting as a standby while another bot holds it, and keep it; losing it
    stops this bot (bot.telegram.runner)."""
    lease = Lease(store, settings.lease_seconds)
    app.bot_data[LEASE] = lease
    seconds = settings.lease_seconds + 2
    if await lease.acquire(
        lambda holder: log.warning(
            texts.LEASE_STANDBY.format(db=store.display, holder=holder, seconds=seconds)
        )
    ):
        log.warning(texts.LEASE_TAKEN.format(db=store.display))

    def lost(holder: str) -> None:
        log.error(texts.LEASE_LOST.format(db=store.display, holder=holder))
        app.bot_data[STOP].set()

    lease.keep(lost)


async def set_commands(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Menus of what the database's ruleset supports: no commissions without their rules."""
    async with app.bot_data[STORE].reading() as tx:
        shown = features(await tx.config.ruleset())
    liaison_commands = [
        BotCommand(name, text)
        for name, (text, needs) in texts.COMMANDS_LIAISON.items()
        if not needs or needs in shown
    ]
    admin_commands = liaison_commands + [
        BotCommand(name, text)
        for name, (text, needs) in texts.COMMANDS_ADMIN.items()
        if not needs or needs in shown
    ]
    await app.bot.set_my_commands(liaison_commands, scope=BotCommandScopeAllPrivateChats())
    for admin_id in settings.admin_ids:
        try:
            await app.bot.set_my_commands(admin_commands, scope=BotCommandScopeChat(admin_id))
        except TelegramError:
            # An admin who never opened a chat with the bot cannot have a chat scope yet.
            log.warning("could not set the admin command menu for %s", admin_id)


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    store: Store | None = app.bot_data.get(STORE)
    if store is None:
        return
    leadership: Leadership | None = app.bot_data.get(LEADERSHIP)
    if leadership is not None:
        await leadership.stop()
    intake: Intake = app.bot_data[INTAKE]
    if intake.dispatcher is not None:
        await intake.dispatcher.stop()
    lease: Lease | None = app.bot_data.get(LEASE)
    try:
        if lease is not None:
            await lease.release()
    finally:
        # Whether or not the lease could be released: it expires by itself.
        await store.close()
