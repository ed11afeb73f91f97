-- The first schema: the ruleset in force, units, records, the append-only ledger and quota
-- settlements. Every user action is a batch, so every row can say who made it and when.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE units (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    group_id   TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
);

CREATE TABLE unit_aliases (
    alias   TEXT PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id)
);
CREATE INDEX unit_aliases_unit ON unit_aliases (unit_id);

-- One user action (an import, a report, a settlement) and who did it.
CREATE TABLE batches (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    sha256     TEXT,
    rows       INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
-- The same file is never imported twice.
CREATE UNIQUE INDEX batches_file ON batches (kind, sha256) WHERE sha256 IS NOT NULL;

CREATE TABLE records (
    id          INTEGER PRIMARY KEY,
    batch_id    INTEGER NOT NULL REFERENCES batches (id),
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    date        TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    points      INTEGER,
    modifiers   TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'confirmed'
                CHECK (status IN ('pending', 'confirmed', 'rejected')),
    explanation TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX records_unit_item_date ON records (unit_id, item_id, date);
CREATE INDEX records_item_date ON records (item_id, date, unit_id) WHERE status = 'confirmed';

-- Every total is a sum over these rows. A correction is a new row that reverses an old one.
CREATE TABLE ledger (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    date        TEXT NOT NULL,
    rule_id     TEXT NOT NULL,
    column_name TEXT NOT NULL,
    points      INTEGER NOT NULL,
    adoptions   INTEGER NOT NULL DEFAULT 0,
    items       INTEGER NOT NULL DEFAULT 0,
    record_id   INTEGER REFERENCES records (id),
    batch_id    INTEGER NOT NULL REFERENCES batches (id),
    reverses    INTEGER UNIQUE REFERENCES ledger (id),
    explanation TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
-- Covers the standings query, so a period's sums never touch the table itself.
CREATE INDEX ledger_period ON ledger (date, unit_id, column_name, points, adoptions, items);
CREATE INDEX ledger_items ON ledger (date, rule_id, unit_id, items) WHERE items <> 0;
CREATE INDEX ledger_unit ON ledger (unit_id, date);
CREATE INDEX ledger_record ON ledger (record_id);

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- One row per unit and settled month: settling the same month twice finds it and changes nothing.
CREATE TABLE quota_settlements (
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    month       TEXT NOT NULL,
    quota       INTEGER NOT NULL,
    submissions INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('met', 'missed', 'missed_again')),
    record_id   INTEGER REFERENCES records (id),
    batch_id    INTEGER NOT NULL REFERENCES batches (id),
    PRIMARY KEY (unit_id, month)
);
