"""The intake: every Telegram update stored in the bot's working file before Telegram is told it
arrived, and marked once it has been handled, so that a crash loses none and a redelivery
changes nothing. An action on the database marks its update there (claimed_updates), in its own
transaction; the working file's marks catch up (Intake.handled)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.storage.query import Repository
from bot.storage.sql import sql
from scoring.errors import DomainError

# Handled updates are kept this long, then forgotten (forget_updates): in the working file by the
# intake, hourly; in the database at start-up and by the daily ledger check.
KEEP_HANDLED = timedelta(days=2)


class AlreadyProcessed(DomainError):
    """The Telegram update was acted on before (a redelivery): nothing more is done."""

    def __init__(self, update_id: int) -> None:
        super().__init__("update_replayed", update_id=update_id)


_STORE_UPDATES = sql(
    sqlite="INSERT INTO inbox (update_id, payload, received_at, chat_id) "
    "SELECT i.value, p.value, :received_at, c.value FROM json_each(:ids) i "
    "JOIN json_each(:payloads) p ON p.key = i.key JOIN json_each(:chats) c ON c.key = i.key "
    # SQLite reads ON CONFLICT after a SELECT with no WHERE as a join's ON.
    "WHERE true ON CONFLICT DO NOTHING RETURNING update_id",
    postgres="INSERT INTO inbox (update_id, payload, received_at, chat_id) "
    "SELECT u.id, u.payload, :received_at, u.chat "
    "FROM unnest(:ids::bigint[], :payloads::text[], :chats::bigint[]) AS u (id, payload, chat) "
    "ON CONFLICT DO NOTHING RETURNING update_id",
    arrays=["ids", "payloads", "chats"],
)
_SET_ASIDE = sql(
    "INSERT INTO set_aside_updates (update_id, payload, reason, set_aside_at) "
    "VALUES (:update_id, :payload, :reason, :at) ON CONFLICT DO NOTHING"
)
_MARK_HANDLED = sql(
    "UPDATE inbox SET handled_at = :handled_at WHERE update_id = :update_id AND handled_at IS NULL"
)
_SET_ASIDE_COUNT = sql("SELECT COUNT(*) FROM set_aside_updates")
_UNHANDLED = sql("SELECT update_id, payload FROM inbox WHERE handled_at IS NULL ORDER BY update_id")
_ABSORB_CLAIMS = sql(
    "UPDATE inbox SET handled_at = received_at WHERE handled_at IS NULL "
    "AND update_id IN (SELECT update_id FROM {data}.claimed_updates)"
)
_CLAIM_IN_INBOX = sql(
    "INSERT INTO inbox (update_id, received_at, handled_at) VALUES (:update_id, :at, :at) "
    "ON CONFLICT (update_id) DO UPDATE SET handled_at = excluded.handled_at "
    "WHERE inbox.handled_at IS NULL"
)
_CLAIM = sql(
    "INSERT INTO claimed_updates (update_id, claimed_at) VALUES (:update_id, :at) "
    "ON CONFLICT DO NOTHING"
)
_FORGET_HANDLED = sql("DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < :before")
_FORGET_CLAIMS = sql("DELETE FROM claimed_updates WHERE claimed_at < :before")
# The replicas' claims, on PostgreSQL only. Seconds since the epoch by the database server's clock.
_SERVER_NOW = "CAST(extract(epoch FROM clock_timestamp()) AS DOUBLE PRECISION)"
_CLAIM_NEXT = sql(
    postgres=f"UPDATE inbox SET claimed_by = :replica, claimed_until = {_SERVER_NOW} + :seconds "
    "WHERE update_id = ("
    "SELECT i.update_id FROM inbox i WHERE i.handled_at IS NULL "
    f"AND (i.claimed_until IS NULL OR i.claimed_until < {_SERVER_NOW}) "
    "AND NOT EXISTS (SELECT 1 FROM inbox e WHERE e.chat_id = i.chat_id "
    "AND e.handled_at IS NULL AND e.update_id < i.update_id) "
    "AND NOT EXISTS (SELECT 1 FROM inbox e WHERE e.chat_id = i.chat_id "
    f"AND e.claimed_until >= {_SERVER_NOW} AND e.update_id < i.update_id) "
    "ORDER BY i.update_id LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "RETURNING update_id, payload"
)
_RENEW_CLAIMS = sql(
    postgres=f"UPDATE inbox SET claimed_until = {_SERVER_NOW} + :seconds "
    "WHERE claimed_by = :replica AND claimed_until IS NOT NULL "
    "AND update_id = ANY(:ids::bigint[])"
)
_FINISH_CLAIM = sql(
    postgres="UPDATE inbox SET claimed_until = NULL, "
    "handled_at = CASE WHEN :handled THEN COALESCE(handled_at, :at) ELSE handled_at END "
    "WHERE update_id = :update_id"
)
_ABSORB_EXPIRED = sql(
    postgres="UPDATE inbox SET handled_at = received_at WHERE handled_at IS NULL "
    f"AND (claimed_until IS NULL OR claimed_until < {_SERVER_NOW}) "
    "AND update_id IN (SELECT update_id FROM claimed_updates)"
)


class IntakeStorage(Repository):
    async def store_updates(
        self, updates: Sequence[tuple[int, str] | tuple[int, str, int | None]], now: datetime
    ) -> set[int]:
        """Store (update id, JSON[, chat id]) of received updates, in one statement (atomic by
        itself); the ids stored now for the first time. The others were received before:
        handled already, or being handled."""
        if not updates:
            return set()
        # RETURNING names the rows inserted: the others were there before.
        rows = await self.all(
            _STORE_UPDATES,
            {"ids": [update[0] for update in updates],
             "payloads": [update[1] for update in updates],
             "chats": [update[2] if len(update) > 2 else None for update in updates],
             "received_at": now.isoformat(timespec="microseconds")},
        )  # fmt: skip
        return {update_id for (update_id,) in rows}

    async def set_aside(self, updates: Sequence[tuple[int, str, str]], now: datetime) -> list[int]:
        """Keep apart (update id, JSON, reason) of updates that cannot be read, each marked
        handled in the inbox: the updates behind them go on. The ids kept now; one kept before
        (received again, or found by two ways at once) stays as it was."""
        stamp = now.isoformat()
        kept = []
        for update_id, payload, reason in updates:
            if await self.write(
                _SET_ASIDE,
                {"update_id": update_id, "payload": payload, "reason": reason, "at": stamp},
            ):
                kept.append(update_id)
            await self.write(_MARK_HANDLED, {"handled_at": stamp, "update_id": update_id})
        return kept

    async def set_aside_count(self) -> int:
        row = await self.one(_SET_ASIDE_COUNT)
        return int(row[0]) if row else 0

    async def unhandled_updates(self) -> list[tuple[int, str]]:
        """(update id, JSON) of every stored update not handled yet, in update id order. Those
        whose action the database records are marked handled here now, and left out."""
        await self.absorb_claims()
        return await self.all(_UNHANDLED)

    async def absorb_claims(self) -> None:
        """Mark handled the stored updates whose action the database records (claimed_updates):
        done before the database forgets old claims, or such an update would be handled again."""
        await self.write(_ABSORB_CLAIMS)

    async def claim_update(self, update_id: int, now: datetime) -> None:
        """Mark the update handled in the transaction of its action: the action and the mark
        commit together, and an update marked before is refused (AlreadyProcessed). In the
        database for an action there, in the working file for one there (a summary)."""
        stamp = now.isoformat()
        if self.bot_file:
            # An update never stored (an action called with an update id outside the intake) is
            # recorded all the same, so that it too counts once.
            claimed = await self.write(_CLAIM_IN_INBOX, {"update_id": update_id, "at": stamp})
        else:
            claimed = await self.write(_CLAIM, {"update_id": update_id, "at": stamp})
        if claimed == 0:
            raise AlreadyProcessed(update_id)
        if self.bot_file:
            self.claims.append(update_id)

    async def mark_handled(self, update_id: int, now: datetime) -> None:
        """An update whose handlers finished (its action, if any, marked it in the database)."""
        await self.write(_MARK_HANDLED, {"handled_at": now.isoformat(), "update_id": update_id})

    async def forget_updates(self, before: datetime) -> int:
        """Drop updates handled before then, from the working file or from the database's
        claims, as the transaction's file is; how many. Telegram redelivers an update for a day
        at most, and after a week without updates it may start the ids again from a random
        number: an old id kept forever could drop a new update."""
        statement = _FORGET_HANDLED if self.bot_file else _FORGET_CLAIMS
        return await self.write(statement, {"before": before.isoformat()})

    # --- replicas (PostgreSQL): whichever process claims an update first handles it ---------
    # Claims are timed by the database server's clock (SERVER_NOW), never by a process's: the
    # machines' clocks may differ by more than a claim lasts.

    async def claim_next(self, replica: str, seconds: float) -> tuple[int, str] | None:
        """Claim for `replica`, for `seconds` unless renewed, the oldest stored update that
        nobody holds and whose chat has no earlier update waiting or being handled (a chat's
        updates go one at a time, in order); (id, JSON) or None. An earlier update counts as
        being handled until its claim is released (finish_claim), also once its action has
        marked it handled: its conversation is kept after that. Replicas claiming at once skip
        each other's rows (FOR UPDATE SKIP LOCKED)."""
        row = await self.one(_CLAIM_NEXT, {"replica": replica, "seconds": seconds})
        return (int(row[0]), str(row[1])) if row else None

    async def renew_claims(self, replica: str, update_ids: Sequence[int], seconds: float) -> int:
        """Extend the replica's claims on the updates it is handling; how many it still held."""
        if not update_ids:
            return 0
        return await self.write(
            _RENEW_CLAIMS, {"seconds": seconds, "replica": replica, "ids": list(update_ids)}
        )

    async def finish_claim(self, update_id: int, now: datetime | None) -> None:
        """Release the update's claim: its chat's next update may be taken. With `now`, it is
        marked handled too (unless its action did that already); without, it waits to be taken
        again (it could not be handled now)."""
        await self.write(
            _FINISH_CLAIM,
            {"handled": now is not None, "at": now.isoformat() if now else None,
             "update_id": update_id},
        )  # fmt: skip

    async def absorb_expired_claims(self) -> int:
        """Mark handled the updates of dead claimers whose action committed (claimed_updates),
        before they are taken again; how many. Live claims are left to their holders, which
        release them once the conversation is kept."""
        return await self.write(_ABSORB_EXPIRED)
