"""Adoption claims in chat: the guided /report conversation, the one-line report, and the
confirm button of the summary both end in; under a method with kinds of submission, the same
for a submission (报送) of a kind."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import texts
from bot.buttons import Buttons
from bot.chatinput import (
    parse_day,
    parse_one_line,
    record_number,
    split_one_line,
    split_submission_line,
)
from bot.render import EVIDENCE_SHOWN, cut, explanation_lines, fit, render_changes
from bot.storage import Address, AlreadyProcessed
from bot.telegram.handlers.common import (
    Context,
    answer_now,
    answers_errors,
    current_liaison,
    ends_on_failure,
    for_asker,
    now,
    owed_edit,
    owed_reply,
    request,
    require_private,
    settings,
    store,
    tell_error,
)
from bot.telegram.notices import ChatAnswer
from bot.usecases.reports import (
    Claimed,
    Draft,
    SubmissionDraft,
    Submitted,
    cancel_draft,
    cancel_open_drafts,
    check_report_day,
    check_title,
    confirm_draft,
    confirm_submission,
    make_draft,
    make_submission_draft,
)
from scoring.errors import DomainError
from scoring.periods import month_of
from scoring.points import show_points
from scoring.records import submission_kind
from scoring.ruleset import Item, Ruleset

CHOOSE, TITLE, DATE, ENDORSE, EVIDENCE = range(5)
# A one-line report waiting for the liaison to pick the item its name meant.
PICK_KEY = "report_pick"
# A report left half-way is dropped after this long.
CONVERSATION_TIMEOUT = 600
DRAFT_KEY = "report"
# In a guided report's draft: the kind of the submission it is (an id, "" for none), absent in
# an adoption's.
SUBMISSION_KEY = "submission"
# The handler group that cancels waiting summaries on a new command: before group 0.
CANCEL_GROUP = -1


def menu_options(ruleset: Ruleset, prefix: str) -> list[tuple[str, str]]:
    """(label, callback data) for the items and groups of items under an id prefix."""
    reportable = ruleset.reportable_items
    options: list[tuple[str, str]] = []
    children: dict[str, list[Item]] = {}
    for item in reportable:
        if item.id == prefix:
            options.append((f"{item.chat_name}（{_shown(item)}）", f"ri:{item.id}"))
        elif not prefix or item.id.startswith(prefix + "."):
            segment = item.id[len(prefix) + 1 if prefix else 0 :].split(".")[0]
            children.setdefault(f"{prefix}.{segment}" if prefix else segment, []).append(item)
    for child, members in children.items():
        if len(members) == 1:
            options.append(
                (f"{members[0].chat_name}（{_shown(members[0])}）", f"ri:{members[0].id}")
            )
        else:
            options.append((ruleset.menu.get(child, child), f"rp:{child}"))
    return options


def menu_keyboard(ruleset: Ruleset, prefix: str) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(label, callback_data=data)]
        for label, data in menu_options(ruleset, prefix)
    ]
    if prefix:
        parent = prefix.rpartition(".")[0]
        rows.append([InlineKeyboardButton(texts.REPORT_BACK, callback_data=f"rp:{parent}")])
    elif ruleset.submission_kinds:
        rows.append([InlineKeyboardButton(texts.REPORT_SUBMISSION, callback_data="rb:")])
    return InlineKeyboardMarkup(rows)


def kinds_keyboard(ruleset: Ruleset) -> InlineKeyboardMarkup:
    """The method's kinds of submission, a submission of none, and the way back to the menu."""
    rows = [
        [InlineKeyboardButton(kind.label, callback_data=f"rt:{kind.id}")]
        for kind in ruleset.submission_kinds
    ]
    rows.append([InlineKeyboardButton(texts.REPORT_SUBMISSION_NO_KIND, callback_data="rt:")])
    rows.append([InlineKeyboardButton(texts.REPORT_BACK, callback_data="rm:")])
    return InlineKeyboardMarkup(rows)


async def _ruleset(context: Context, day: date | None = None) -> Ruleset:
    """The method in force on the report's day (today until the day is given): its menu,
    items and endorsements."""
    day = day or now(context).date()
    if (methods := store(context).methods_cache) is not None:
        return methods.at(day)  # as tx.config gives it, without waiting for the reading lock
    async with store(context).reading() as tx:
        return await tx.config.ruleset(day)


@answers_errors
async def start_report(update: Update, context: Context) -> int:
    require_private(update)
    await current_liaison(update, context)
    context.user_data[DRAFT_KEY] = {"modifiers": {}}  # type: ignore[index]
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        fit(texts.REPORT_CHOOSE), reply_markup=menu_keyboard(await _ruleset(context), "")
    )
    return CHOOSE


async def navigate(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await query.edit_message_reply_markup(menu_keyboard(await _ruleset(context), query.data[3:]))
    return CHOOSE


async def back_from_kinds(update: Update, context: Context) -> int:
    """Back from the kinds of submission: the menu's question again, with its buttons."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    menu = menu_keyboard(await _ruleset(context), "")
    await query.edit_message_text(fit(texts.REPORT_CHOOSE), reply_markup=menu)
    return CHOOSE


async def open_kinds(update: Update, context: Context) -> int:
    """报送 in the menu: the method's kinds of submission to choose from."""
    query = update.callback_query
    assert query is not None
    ruleset = await _ruleset(context)
    if not ruleset.submission_kinds:
        await query.answer(texts.error_text("button_forged", {}), show_alert=True)
        return CHOOSE
    await query.answer()
    await query.edit_message_text(
        fit(texts.REPORT_SUBMISSION_KINDS), reply_markup=kinds_keyboard(ruleset)
    )
    return CHOOSE


async def choose_kind(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    ruleset = await _ruleset(context)
    kind = ruleset.submission_kinds_by_key.get(query.data[3:]) if query.data[3:] else None
    if not ruleset.submission_kinds or (query.data[3:] and kind is None):
        await query.answer(texts.error_text("button_forged", {}), show_alert=True)
        return CHOOSE
    await query.answer()
    _draft(context)[SUBMISSION_KEY] = kind.id if kind else ""
    shown = texts.SUBMITTED_KIND.format(kind=kind.label, title="") if kind else ""
    await query.edit_message_text(fit(texts.REPORT_SUBMISSION_TITLE.format(kind=shown)))
    return TITLE


async def choose_item(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    ruleset = await _ruleset(context)
    item = ruleset.items_by_key.get(query.data[3:])
    if item is None:
        await query.answer(texts.error_text("button_forged", {}), show_alert=True)
        return CHOOSE
    await query.answer()
    _draft(context)["item"] = item.id
    await query.edit_message_text(
        fit(texts.REPORT_TITLE.format(item=item.chat_name, points=_shown(item)))
    )
    return TITLE


def _draft(context: Context) -> dict:  # type: ignore[type-arg]
    return context.user_data.setdefault(DRAFT_KEY, {"modifiers": {}})  # type: ignore[union-attr]


async def take_title(update: Update, context: Context) -> int:
    assert update.effective_message is not None and update.effective_message.text is not None
    try:
        title = check_title(update.effective_message.text, now(context).date())
    except DomainError as err:
        await tell_error(update, err)
        return TITLE
    _draft(context)["title"] = title
    await update.effective_message.reply_text(
        fit(_date_question(context)), reply_markup=_day_keyboard()
    )
    return DATE


def _date_question(context: Context) -> str:
    """The date asked of an adoption (采用日期) or of a submission (报送日期)."""
    return texts.REPORT_SUBMISSION_DATE if SUBMISSION_KEY in _draft(context) else texts.REPORT_DATE


async def take_day(update: Update, context: Context) -> int:
    """The date, refused at once (and asked again) when it is in the future or in a locked
    period: the report would be refused at its end otherwise, after every step."""
    today = now(context).date()
    query = update.callback_query
    if query is not None:
        text = texts.TODAY if query.data == "rd:0" else texts.YESTERDAY
    else:
        assert update.effective_message is not None and update.effective_message.text is not None
        text = update.effective_message.text
    try:
        day = parse_day(text, today)
        await check_report_day(store(context), day, today)
    except DomainError as err:
        await tell_error(update, err)
        await _send(update, _date_question(context), _day_keyboard())
        return DATE
    if query is not None:
        await query.answer()
    ruleset = await _ruleset(context, day)
    if SUBMISSION_KEY in _draft(context):
        return await _submission_day(update, context, ruleset, day)
    item_id = _draft(context)["item"]
    if item_id not in ruleset.items_by_key:
        # Chosen from today's menu, the item is not one of the method in force on that day.
        absent = DomainError("method_item_absent", date=day, method=ruleset.name, item=item_id)
        await tell_error(update, absent)
        await _send(update, texts.REPORT_DATE, _day_keyboard())
        return DATE
    _draft(context)["day"] = day
    if any(item_id in m.allowed_on for m in ruleset.modifiers):
        await _send(
            update,
            texts.REPORT_ENDORSE,
            _endorse_keyboard(ruleset, item_id, _draft(context)["modifiers"]),
        )
        return ENDORSE
    await _send(update, texts.REPORT_EVIDENCE, _skip_keyboard())
    return EVIDENCE


async def _submission_day(update: Update, context: Context, ruleset: Ruleset, day: date) -> int:
    """The date of a guided submission: its summary to confirm, or the date asked again where
    the method in force that day lacks the kind chosen from today's."""
    kind = _draft(context)[SUBMISSION_KEY] or None
    if kind is not None and kind not in ruleset.submission_kinds_by_key:
        label = (await _ruleset(context)).submission_kinds_by_key[kind].label
        absent = DomainError("method_kind_absent", date=day, method=ruleset.name, kind=label)
        await tell_error(update, absent)
        await _send(update, texts.REPORT_SUBMISSION_DATE, _day_keyboard())
        return DATE
    chosen = context.user_data.pop(DRAFT_KEY)  # type: ignore[union-attr]
    assert update.effective_user is not None
    answer = owed_reply(update, submission_summary_text, _summary_buttons)
    try:
        await make_submission_draft(
            store(context), Address.telegram(update.effective_user.id), kind, chosen["title"],
            day, request(update, context), answer,
        )  # fmt: skip
    except DomainError as err:
        await _end_refused(update, context, err)
        return ConversationHandler.END
    await answer_now(context, answer.owed)
    return ConversationHandler.END


async def _end_refused(update: Update, context: Context, err: DomainError) -> None:
    """A refused report (a duplicate, say) ends the conversation: it is said, not retried, in
    the chat rather than in a passing alert, with how to start again."""
    if not isinstance(err, AlreadyProcessed):
        shown = for_asker(update, context, err)
        reason = texts.error_text(shown.code, shown.params)
        await _send(update, f"{reason}\n{texts.REPORT_ENDED}")


def _day_keyboard() -> InlineKeyboardMarkup:
    days = [
        InlineKeyboardButton(texts.TODAY, callback_data="rd:0"),
        InlineKeyboardButton(texts.YESTERDAY, callback_data="rd:1"),
    ]
    return InlineKeyboardMarkup([days])


async def _send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(fit(text), reply_markup=markup)


def _shown(item: Item) -> str:
    """An item's points in a menu or a prompt (an adjustment, given per record, is never
    reported by a liaison)."""
    return show_points(item.points or 0)


def _endorse_keyboard(
    ruleset: Ruleset, item_id: str, chosen: dict[str, int]
) -> InlineKeyboardMarkup:
    rows = []
    for m in ruleset.modifiers:
        if item_id in m.allowed_on:
            label = f"{m.label} {show_points(m.points_for(item_id), signed=True)}"
            if chosen.get(m.id):
                label = texts.ENDORSE_COUNT.format(label=label, times=chosen[m.id])
            rows.append([InlineKeyboardButton(label, callback_data=f"re:{m.id}")])
    rows.append([InlineKeyboardButton(texts.ENDORSE_DONE, callback_data="re:")])
    return InlineKeyboardMarkup(rows)


def _skip_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.SKIP, callback_data="rs:")]])


async def toggle_endorsement(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    modifier = query.data[3:]
    draft = _draft(context)
    ruleset = await _ruleset(context, draft.get("day"))
    if not modifier:
        await query.answer()
        # The buttons go; the endorsements chosen with them stay to be read.
        await query.edit_message_text(fit(endorsements_text(ruleset, draft["modifiers"])))
        await _send(update, texts.REPORT_EVIDENCE, _skip_keyboard())
        return EVIDENCE
    chosen = ruleset.modifiers_by_key.get(modifier)
    if chosen is not None and draft["item"] in chosen.allowed_on:
        times = draft["modifiers"].get(modifier, 0) + 1
        if chosen.max_per_adoption is not None and times > chosen.max_per_adoption:
            text = texts.error_text(
                "modifier_too_many",
                {"modifier": chosen.label, "times": times, "limit": chosen.max_per_adoption},
            )
            await query.answer(text, show_alert=True)
            return ENDORSE
        draft["modifiers"][modifier] = times
    await query.answer()
    await query.edit_message_reply_markup(
        _endorse_keyboard(ruleset, draft["item"], draft["modifiers"])
    )
    return ENDORSE


async def take_evidence(update: Update, context: Context) -> int:
    message = update.effective_message
    query = update.callback_query
    evidence = ""
    if query is None and message is not None:
        if message.document is not None:
            evidence = f"document:{message.document.file_id}"
        elif message.photo:
            evidence = f"photo:{message.photo[-1].file_id}"
        elif message.text:
            evidence = message.text.strip()
    chosen = context.user_data.pop(DRAFT_KEY)  # type: ignore[union-attr]
    assert update.effective_user is not None
    ruleset = await _ruleset(context, chosen["day"])
    answer = owed_reply(
        update, lambda draft: summary_text(draft, evidence, ruleset), _summary_buttons
    )
    if query is not None:
        await query.answer()
    try:
        modifiers = tuple(chosen["modifiers"].items())
        await make_draft(
            store(context),
            Address.telegram(update.effective_user.id),
            chosen["item"],
            chosen["title"],
            chosen["day"],
            modifiers,
            evidence,
            request(update, context),
            answer,
        )
    except DomainError as err:
        await _end_refused(update, context, err)
        return ConversationHandler.END
    await answer_now(context, answer.owed)
    return ConversationHandler.END


def endorsements_text(ruleset: Ruleset, chosen: dict[str, int]) -> str:
    """The endorsement question as answered: the endorsements chosen, or none."""
    if not any(chosen.values()):
        return texts.REPORT_ENDORSED_NONE
    labels = "、".join(
        ruleset.modifiers_by_key[m].label + (f"×{n}" if n > 1 else "")
        for m, n in chosen.items()
        if n
    )
    return texts.REPORT_ENDORSED.format(labels=labels)


def summary_text(draft: Draft, evidence: str, ruleset: Ruleset, near: str = "") -> str:
    """The claim as it will be stored, to confirm; `near`: the name the liaison wrote when it
    was only a part of the item's label. Fitted to a phone by the answer it is owed in
    (owed_reply, owed_edit)."""
    extra = ""
    if draft.record.modifiers:
        labels = "、".join(
            ruleset.modifiers_by_key[m].label + (f"×{n}" if n > 1 else "")
            for m, n in draft.record.modifiers
        )
        extra += texts.SUMMARY_ENDORSE.format(labels=labels)
    if evidence:
        if evidence.startswith("photo:"):
            shown = texts.EVIDENCE_PHOTO
        elif evidence.startswith("document:"):
            shown = texts.EVIDENCE_FILE
        else:
            shown = cut(evidence, EVIDENCE_SHOWN)
        extra += texts.SUMMARY_EVIDENCE.format(evidence=shown)
    return texts.SUMMARY.format(
        unit=draft.unit, item=draft.item.chat_name, title=draft.record.title, date=draft.record.day.isoformat(),
        extra=extra, explanation=explanation_lines(draft.scored.explanation), points=show_points(draft.scored.points),
        near=texts.SUMMARY_NEAR.format(name=near) if near else "",
    )  # fmt: skip


def submission_summary_text(draft: SubmissionDraft) -> str:
    """A submission as it will be stored, to confirm."""
    kind = texts.SUBMISSION_SUMMARY_KIND.format(kind=draft.kind) if draft.kind else ""
    return texts.SUBMISSION_SUMMARY.format(
        unit=draft.unit, kind=kind, title=draft.record.title, date=draft.record.day.isoformat()
    )


def _summary_buttons(draft: Draft | SubmissionDraft) -> Buttons:
    """Under a summary: the buttons that confirm (a claim, `dc`, or a submission, `ds`) or
    cancel its draft."""
    confirm = "ds" if isinstance(draft, SubmissionDraft) else "dc"
    return [[(texts.CONFIRM, f"{confirm}:{draft.id}"), (texts.CANCEL, f"dx:{draft.id}")]]


async def cancel(update: Update, context: Context) -> int:
    """/cancel in the guided report: the conversation ends, and so do summaries left waiting."""
    context.user_data.pop(DRAFT_KEY, None)  # type: ignore[union-attr]
    if update.effective_user is not None:
        await cancel_open_drafts(store(context), Address.telegram(update.effective_user.id))
    await _send(update, texts.REPORT_CANCELLED)
    return ConversationHandler.END


async def cancel_outside(update: Update, context: Context) -> None:
    """/cancel with no conversation going: the summaries left waiting are cancelled."""
    assert update.effective_user is not None
    cancelled = await cancel_open_drafts(store(context), Address.telegram(update.effective_user.id))
    await _send(update, texts.DRAFTS_CANCELLED if cancelled else texts.NOTHING_TO_CANCEL)


async def cancel_on_command(update: Update, context: Context) -> None:
    """Any other command means the liaison moved on: a summary left waiting for its confirm
    button is cancelled, so that pressing it later stores nothing."""
    if update.effective_user is not None:
        await cancel_open_drafts(store(context), Address.telegram(update.effective_user.id))


async def timed_out(update: Update, context: Context) -> None:
    context.user_data.pop(DRAFT_KEY, None)  # type: ignore[union-attr]
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, fit(texts.REPORT_TIMEOUT))


@answers_errors
async def one_line(update: Update, context: Context) -> None:
    require_private(update)
    assert update.effective_message is not None and update.effective_message.text is not None
    assert update.effective_user is not None
    ruleset = await _ruleset(context)
    text = update.effective_message.text
    try:
        parsed = parse_one_line(ruleset, text, now(context).date())
    except DomainError as err:
        await _offer_items(update, context, ruleset, err)
        return
    near = "" if parsed.exact else parsed.name
    # The summary is owed in the draft's transaction: stored, it is answered (after a crash, at
    # the next start).
    answer = owed_reply(
        update, lambda draft: summary_text(draft, "", ruleset, near=near), _summary_buttons
    )
    await make_draft(
        store(context),
        Address.telegram(update.effective_user.id),
        parsed.item.id,
        parsed.title,
        parsed.day,
        (),
        "",
        request(update, context),
        answer,
    )
    await answer_now(context, answer.owed)


@answers_errors
async def one_line_submission(update: Update, context: Context) -> None:
    """`报送 [类别] <标题> [日期]` where the method in force today or on that date has kinds of
    submission (the kind read by the date's): a summary to confirm, as a one-line report's. A
    method without kinds leaves the line as it was, a message the bot does not read."""
    require_private(update)
    assert update.effective_message is not None and update.effective_message.text is not None
    assert update.effective_user is not None
    today = now(context).date()
    current = await _ruleset(context)
    try:
        words, day = split_submission_line(update.effective_message.text, today)
    except DomainError:
        if current.submission_kinds:
            raise
        await _send(update, texts.HINT_TEXT)
        return
    ruleset = await _ruleset(context, min(day, today))
    if not ruleset.submission_kinds and not current.submission_kinds:
        await _send(update, texts.HINT_TEXT)
        return
    kind, title = submission_kind(ruleset, words)
    if kind is None and (named := submission_kind(current, words)[0]) is not None:
        label = current.submission_kinds_by_key[named].label
        raise DomainError("method_kind_absent", date=day, method=ruleset.name, kind=label)
    answer = owed_reply(update, submission_summary_text, _summary_buttons)
    await make_submission_draft(
        store(context), Address.telegram(update.effective_user.id), kind, " ".join(title), day,
        request(update, context), answer,
    )  # fmt: skip
    await answer_now(context, answer.owed)


async def _offer_items(
    update: Update, context: Context, ruleset: Ruleset, err: DomainError
) -> None:
    """An item name that fits several items, or none but is near some: the liaison picks one
    by its Chinese name, the title and the day kept; any other refusal is said as it is."""
    if err.code == "item_ambiguous":
        ids = [rule_id for rule_id, _ in err.params["candidates"]]
    elif err.code == "item_unknown":
        ids = list(err.params.get("suggestions", []))
    else:
        ids = []
    if not ids:
        raise err
    assert update.effective_message is not None and update.effective_message.text is not None
    name, title, day = split_one_line(update.effective_message.text, now(context).date())
    items = [ruleset.items_by_key[i] for i in ids]
    labels = [i.chat_name for i in items]
    if err.code == "item_ambiguous":
        question = texts.ITEM_PICK.format(name=name)
    elif len(items) == 1:
        question = texts.ITEM_DID_YOU_MEAN.format(name=name, item=labels[0])
        labels = [texts.ITEM_YES.format(item=labels[0])]
    else:
        question = texts.ITEM_NEAR_SOME.format(name=name)
    rows = [
        [InlineKeyboardButton(label, callback_data=f"rk:{i.id}")]
        for label, i in zip(labels, items, strict=True)
    ]
    rows.append([InlineKeyboardButton(texts.CANCEL, callback_data="rk:")])
    offer = await update.effective_message.reply_text(
        fit(question), reply_markup=InlineKeyboardMarkup(rows)
    )
    # Kept with the offer's message: a button of an earlier offer cannot take this title.
    context.user_data[PICK_KEY] = {  # type: ignore[index]
        "message": offer.message_id, "title": title, "day": day, "items": ids,
    }  # fmt: skip


@answers_errors
async def pick_item(update: Update, context: Context) -> None:
    """The item picked for a one-line report: its summary, to confirm as any other."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    pick = context.user_data.get(PICK_KEY)  # type: ignore[union-attr]
    if pick is None or query.message is None or pick["message"] != query.message.message_id:
        raise DomainError("button_stale")
    del context.user_data[PICK_KEY]  # type: ignore[union-attr]
    choice = query.data[3:]
    if not choice:
        await query.answer()
        await query.edit_message_text(texts.REPORT_CANCELLED)
        return
    if choice not in pick["items"]:
        raise DomainError("button_forged")
    ruleset = await _ruleset(context, pick["day"])
    answer = owed_edit(query, lambda draft: summary_text(draft, "", ruleset), _summary_buttons)
    await make_draft(
        store(context), Address.telegram(update.effective_user.id), choice, pick["title"],
        pick["day"], (), "", request(update, context), answer,
    )  # fmt: skip
    await query.answer()
    await answer_now(context, answer.owed)


@answers_errors
async def draft_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    action, _, raw_id = query.data.partition(":")
    try:
        draft_id = record_number(raw_id)
    except DomainError:
        raise DomainError("button_stale") from None
    person = Address.telegram(update.effective_user.id)
    summary = query.message.text  # type: ignore[union-attr]
    cancelled = fit(f"{summary}\n\n{texts.REPORT_CANCELLED}")
    answer: ChatAnswer[Claimed] = owed_edit(
        query, lambda claimed: f"{summary}\n\n{_claimed(claimed)}"
    )
    try:
        if action == "dx":
            dropped: ChatAnswer[None] = owed_edit(query, lambda _: cancelled)
            await cancel_draft(store(context), draft_id, person, request(update, context), dropped)
            await query.answer()
            await answer_now(context, dropped.owed)
            return
        if action == "ds":
            await _confirm_submission(update, context, draft_id, summary)
            return
        claimed = await confirm_draft(
            store(context),
            draft_id,
            person,
            settings(context).require_approval,
            request(update, context),
            answer,
        )
    except DomainError as err:
        if err.code == "draft_cancelled":
            # The buttons of a cancelled summary only say so, and go away.
            await query.edit_message_text(cancelled)
        raise
    await query.answer()
    await answer_now(context, answer.owed, notices=claimed.status == "pending")


async def _confirm_submission(
    update: Update, context: Context, draft_id: int, summary: str
) -> None:
    """A submission's summary confirmed: stored as /submit stores one, the summary then saying
    so with the month's count."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    today = now(context).date()

    def stored(done: Submitted) -> str:
        quota = texts.SUBMITTED_QUOTA.format(quota=done.quota) if done.quota else ""
        same_month = (done.day.year, done.day.month) == (today.year, today.month)
        text = texts.SUBMISSION_STORED.format(
            record=done.record_id, unit=done.unit, count=done.month_count, quota=quota,
            month=texts.THIS_MONTH if same_month else month_of(done.day).name,
        )  # fmt: skip
        if done.changes:
            text += "\n" + render_changes(texts.RESETTLED_FOR_LIAISON, done.changes)
        return f"{summary}\n\n{text}"

    answer: ChatAnswer[Submitted] = owed_edit(query, stored)
    person = Address.telegram(update.effective_user.id)
    done = await confirm_submission(
        store(context), draft_id, person, request(update, context), answer
    )
    await query.answer()
    notify = bool(done.changes) or settings(context).office_chat_id is not None
    await answer_now(context, answer.owed, notices=notify)


def _claimed(claimed: Claimed) -> str:
    """What a confirmed summary then says: stored, waiting for the office or scored."""
    if claimed.status == "pending":
        return texts.CLAIM_PENDING.format(record=claimed.record_id)
    return texts.CLAIM_CONFIRMED.format(
        record=claimed.record_id, points=show_points(claimed.scored.points)
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    # Every step ends the conversation if it fails unexpectedly (see ends_on_failure).
    step = ends_on_failure(DRAFT_KEY, texts.REPORT_FAILED)
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("report", step(start_report))],
            states={
                CHOOSE: [
                    CallbackQueryHandler(step(navigate), pattern=r"^rp:"),
                    CallbackQueryHandler(step(choose_item), pattern=r"^ri:"),
                    CallbackQueryHandler(step(open_kinds), pattern=r"^rb:"),
                    CallbackQueryHandler(step(choose_kind), pattern=r"^rt:"),
                    CallbackQueryHandler(step(back_from_kinds), pattern=r"^rm:"),
                ],
                TITLE: [
                    MessageHandler(private & filters.TEXT & ~filters.COMMAND, step(take_title))
                ],
                DATE: [
                    CallbackQueryHandler(step(take_day), pattern=r"^rd:"),
                    MessageHandler(private & filters.TEXT & ~filters.COMMAND, step(take_day)),
                ],
                ENDORSE: [CallbackQueryHandler(step(toggle_endorsement), pattern=r"^re:")],
                EVIDENCE: [
                    CallbackQueryHandler(step(take_evidence), pattern=r"^rs:"),
                    MessageHandler(
                        private
                        & (
                            filters.Document.ALL | filters.PHOTO | (filters.TEXT & ~filters.COMMAND)
                        ),
                        step(take_evidence),
                    ),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[CommandHandler("cancel", step(cancel))],
            conversation_timeout=CONVERSATION_TIMEOUT,
            # /report half-way starts again rather than being an unknown command.
            allow_reentry=True,
            name="report",
        )
    )
    app.add_handler(
        MessageHandler(private & filters.Regex(rf"^{texts.ONE_LINE_PREFIX}\s"), one_line)
    )
    app.add_handler(
        MessageHandler(
            private & filters.Regex(rf"^{texts.ONE_LINE_SUBMISSION_PREFIX}\s"),
            one_line_submission,
        )
    )
    # Before the handlers of group 0, which would otherwise take the command first.
    app.add_handler(
        MessageHandler(
            private & filters.COMMAND & ~filters.Regex(r"^/cancel\b"), cancel_on_command
        ),
        group=CANCEL_GROUP,
    )
    app.add_handler(CallbackQueryHandler(draft_button, pattern=r"^d[cxs]:"))
    app.add_handler(CallbackQueryHandler(pick_item, pattern=r"^rk:"))
