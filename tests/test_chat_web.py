"""`/web` in chat: an admin gets a one-time link into the web console (stored only hashed,
used once); a liaison is refused; without the console's address the answer says how to set it."""

from __future__ import annotations

import hashlib

import pytest

from bot.storage import Address
from bot.telegram.handlers.common import STORE
from bot.usecases import webusers
from scoring.errors import DomainError
from tests.chat import ADMIN, LIAISON, OTHER_ADMIN, running_bot
from tests.stores import rows

CONSOLE = "https://xxb.example.gov.cn/"


async def test_an_admin_gets_a_link_used_once_and_a_liaison_none(database: str) -> None:
    async with running_bot(database, web_public_url=CONSOLE) as chat:
        await chat.join(LIAISON, "公安局")
        refused = await chat.ask(LIAISON, "/web")
        assert "/link/" not in refused.text and "管理员" in refused.text
        answer = await chat.ask(ADMIN, "/web")
        assert "只能使用一次" in answer.text
        token = answer.text.rsplit("https://xxb.example.gov.cn/link/", 1)[1].strip()
        assert len(token) >= 32
        # Only the token's hash is stored.
        stored = rows(chat.db(), "SELECT token_hash, actor FROM web_links")
        assert stored == [(hashlib.sha256(token.encode()).hexdigest(), f"tg:{ADMIN}")]
        assert token not in str(rows(chat.db(), "SELECT * FROM web_links"))

        store = chat.app.bot_data[STORE]
        admins = {Address.telegram(ADMIN), Address.telegram(OTHER_ADMIN)}
        now = chat.settings.now()
        # No console action is taken for the admin before they came in by the link.
        async with store.reading() as tx:
            with pytest.raises(DomainError) as before:
                await webusers.current_user(tx, f"tg:{ADMIN}")
        assert before.value.code == "web_user_gone"
        session = await webusers.use_login_link(store, token, admins, now)
        async with store.reading() as tx:
            assert (await webusers.current_user(tx, f"tg:{ADMIN}")).is_admin
        admin = await webusers.link_admin(store, session, admins, now)
        assert admin is not None and webusers.actor_of(admin.name) == f"tg:{ADMIN}"
        with pytest.raises(DomainError) as again:
            await webusers.use_login_link(store, token, admins, now)
        assert again.value.code == "web_link_used"
        # Taken off the admins, the session it opened ends.
        assert (
            await webusers.link_admin(store, session, {Address.telegram(OTHER_ADMIN)}, now) is None
        )

        # The console shows its invites as this bot's links: the running bot says how they start.
        (start,) = rows(chat.db(), "SELECT value FROM settings WHERE key = 'invite_link'")[0]
        invite = (await chat.ask(ADMIN, "/invite 审计局")).text
        assert start.endswith("?start=") and start in invite


async def test_without_the_console_address_the_answer_says_how_to_set_it(database: str) -> None:
    async with running_bot(database) as chat:
        answer = await chat.ask(ADMIN, "/web")
        assert "GOVINFO_WEB_PUBLIC_URL" in answer.text
        assert rows(chat.db(), "SELECT COUNT(*) FROM web_links") == [(0,)]
