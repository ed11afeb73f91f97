-- Updates python-telegram-bot cannot read (a field a newer Bot API made required, a stray
-- byte): kept raw with the reason, their inbox row marked handled, rather than asked for again
-- and again ahead of every update behind them (migrations/botfile/0003 on SQLite). Kept for an
-- admin to see (`govinfo-bot verify` counts them), not forgotten with the inbox's handled rows.
CREATE TABLE set_aside_updates (
    update_id    BIGINT PRIMARY KEY,
    payload      TEXT COLLATE "C" NOT NULL,
    reason       TEXT COLLATE "C" NOT NULL,
    set_aside_at TEXT COLLATE "C" NOT NULL
);
