-- The answers owed by the actions stored here (a report's summary): written in the action's own
-- transaction, as the database's outbox holds the answers of actions stored there (its columns,
-- the same statements: bot.storage.outbox), and sent at once by the process that handled it;
-- one a crash left unsent goes at the next start, marked as a possible repeat.
CREATE TABLE answers (
    id         INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    chat_id    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    parse_mode TEXT,
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    failure    TEXT,
    buttons    TEXT,
    attachment TEXT,
    held_until TEXT,
    tried_at   TEXT
);
CREATE INDEX answers_unsent ON answers (id) WHERE sent_at IS NULL AND failure IS NULL;
