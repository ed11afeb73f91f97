-- Publishing the bulletin: each published version of a period's bulletin with the files as
-- they were published (so the same file can be had again, byte for byte), who and when; and
-- files the bot owes someone (a draft sent to the admins through the outbox).

CREATE TABLE files (
    id         INTEGER PRIMARY KEY,
    filename   TEXT NOT NULL,
    data       BLOB NOT NULL,
    sha256     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE bulletins (
    id           INTEGER PRIMARY KEY,
    period       TEXT NOT NULL,
    version      INTEGER NOT NULL,
    published_at TEXT NOT NULL,
    actor        TEXT NOT NULL,
    actor_name   TEXT NOT NULL DEFAULT '',
    -- The bulletin as JSON (rules.md, "Bulletin as JSON"): what the next version is compared with.
    content      TEXT NOT NULL,
    docx_file    INTEGER REFERENCES files (id),
    xlsx_file    INTEGER NOT NULL REFERENCES files (id),
    UNIQUE (period, version)
);
