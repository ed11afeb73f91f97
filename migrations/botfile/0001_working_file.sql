-- The bot's working file (govinfo.bot.sqlite3 beside govinfo.sqlite3): what the running bot
-- writes for itself on every update, kept out of the database so that none of it waits for the
-- database's write lock (held for half a minute by a large import from the command line).

-- Every update received, stored before the getUpdates call whose offset confirms it (or before
-- the webhook answers 200). handled_at is set by an action here (a summary, its cancel), or
-- once the update's handlers have finished; at start-up the updates without it are handled
-- first, but for those whose action the database records as done (claimed_updates there).
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT,
    received_at TEXT NOT NULL,
    handled_at  TEXT
);
CREATE INDEX inbox_unhandled ON inbox (update_id) WHERE handled_at IS NULL;

-- A report summarised for its liaison, waiting for the confirm button: the button works after a
-- restart, and only once. record_id is the record its confirmation stored in the database;
-- confirming, the update whose confirmation is storing it there (cancel is refused meanwhile). Ids
-- are random: a button names one, and a working file made anew must not give an old button's
-- id to a new summary.
CREATE TABLE drafts (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    unit_id    INTEGER NOT NULL,
    date       TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    modifiers  TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    evidence   TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    record_id  INTEGER,
    cancelled  INTEGER NOT NULL DEFAULT 0,
    confirming INTEGER
);
CREATE INDEX drafts_open ON drafts (user_id) WHERE record_id IS NULL AND cancelled = 0;

-- Who runs the bot on this database. One holder at a time, renewed while it runs; once
-- expires_at (seconds since the epoch, the same clock for every process) has passed, another
-- process may take over.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at REAL NOT NULL,
    expires_at  REAL NOT NULL
);

-- The database this file belongs to (its settings' database_id).
CREATE TABLE belongs_to (
    database_id TEXT NOT NULL
);
