-- Updates python-telegram-bot cannot read (a field a newer Bot API made required, a stray
-- byte): kept raw with the reason, their inbox row marked handled, rather than asked for again
-- and again ahead of every update behind them. Kept for an admin to see (`govinfo-bot verify`
-- counts them), not forgotten with the inbox's handled rows.
CREATE TABLE set_aside_updates (
    update_id    INTEGER PRIMARY KEY,
    payload      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    set_aside_at TEXT NOT NULL
);
