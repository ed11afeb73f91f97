-- The bot: liaisons bound to units through one-time invites, reports waiting for approval,
-- and the ids of Telegram updates already acted on.

CREATE TABLE liaisons (
    user_id   INTEGER PRIMARY KEY,
    unit_id   INTEGER NOT NULL REFERENCES units (id),
    name      TEXT NOT NULL DEFAULT '',
    username  TEXT NOT NULL DEFAULT '',
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    joined_at TEXT NOT NULL
);
CREATE INDEX liaisons_unit ON liaisons (unit_id) WHERE active = 1;

-- Only a hash of each code is kept: a copy of the database does not hand out live invites.
CREATE TABLE invites (
    code_hash  TEXT PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by    INTEGER,
    used_at    TEXT
);

-- Wrong invite codes per user, for throttling guessers.
CREATE TABLE invite_failures (
    user_id INTEGER NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX invite_failures_user ON invite_failures (user_id, at);

-- A Telegram update that changed something is recorded in the same transaction as the change:
-- delivered again, it finds itself here and changes nothing.
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    at        TEXT NOT NULL
);

-- A report summarised for its liaison, waiting for the confirm button. Kept in the database so
-- that the button still works after a restart, and only once.
CREATE TABLE drafts (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    date       TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    modifiers  TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    evidence   TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    record_id  INTEGER REFERENCES records (id),
    cancelled  INTEGER NOT NULL DEFAULT 0
);

ALTER TABLE records ADD COLUMN claimed_by INTEGER;
ALTER TABLE records ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
-- The title folded for duplicate detection (case, width and punctuation ignored).
ALTER TABLE records ADD COLUMN title_key TEXT NOT NULL DEFAULT '';
CREATE INDEX records_claims ON records (unit_id, item_id, date, title_key) WHERE status <> 'rejected';
CREATE INDEX records_pending ON records (status) WHERE status = 'pending';

-- Every change of a record's status, who made it and why.
CREATE TABLE record_events (
    id        INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES records (id),
    event     TEXT NOT NULL,
    actor     TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    at        TEXT NOT NULL
);
CREATE INDEX record_events_record ON record_events (record_id);
