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

-- The ruleset's bulletin score columns, each in a fixed slot of the monthly sums below.
CREATE TABLE score_columns (
    name TEXT PRIMARY KEY,
    slot INTEGER NOT NULL UNIQUE CHECK (slot BETWEEN 0 AND 7)
);

-- Every total is a sum over these rows. A correction is a new row that reverses an old one.
CREATE TABLE ledger (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    date        TEXT NOT NULL,
    rule_id     TEXT NOT NULL,
    column_name TEXT NOT NULL REFERENCES score_columns (name),
    points      INTEGER NOT NULL,
    adoptions   INTEGER NOT NULL DEFAULT 0,
    items       INTEGER NOT NULL DEFAULT 0,
    record_id   INTEGER REFERENCES records (id),
    batch_id    INTEGER NOT NULL REFERENCES batches (id),
    reverses    INTEGER UNIQUE REFERENCES ledger (id),
    explanation TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
-- Covers the standings query, so a period's sums never touch the table itself. A unit's own
-- lines for a period are found through it too: an index led by unit_id tempts the planner into
-- a skip-scan that makes the period sums several times slower.
CREATE INDEX ledger_period ON ledger (date, unit_id, column_name, points, adoptions, items);
CREATE INDEX ledger_items ON ledger (date, rule_id, items) WHERE items <> 0;
CREATE INDEX ledger_record ON ledger (record_id);

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- Monthly sums per unit, kept by the trigger below in the same transaction as the ledger rows.
-- The ledger is append-only, so adding is all these sums ever need: they cannot drift from it.
-- Standings over whole months read these instead of every ledger line.
CREATE TABLE ledger_months (
    month     TEXT NOT NULL,
    unit_id   INTEGER NOT NULL REFERENCES units (id),
    entries   INTEGER NOT NULL,
    adoptions INTEGER NOT NULL,
    items     INTEGER NOT NULL,
    c0 INTEGER NOT NULL,
    c1 INTEGER NOT NULL,
    c2 INTEGER NOT NULL,
    c3 INTEGER NOT NULL,
    c4 INTEGER NOT NULL,
    c5 INTEGER NOT NULL,
    c6 INTEGER NOT NULL,
    c7 INTEGER NOT NULL,
    PRIMARY KEY (month, unit_id)
) WITHOUT ROWID;

-- The same sums per quarter (`2024Q2`): the quarterly bulletin reads one row per unit.
CREATE TABLE ledger_quarters (
    quarter   TEXT NOT NULL,
    unit_id   INTEGER NOT NULL REFERENCES units (id),
    entries   INTEGER NOT NULL,
    adoptions INTEGER NOT NULL,
    items     INTEGER NOT NULL,
    c0 INTEGER NOT NULL,
    c1 INTEGER NOT NULL,
    c2 INTEGER NOT NULL,
    c3 INTEGER NOT NULL,
    c4 INTEGER NOT NULL,
    c5 INTEGER NOT NULL,
    c6 INTEGER NOT NULL,
    c7 INTEGER NOT NULL,
    PRIMARY KEY (quarter, unit_id)
) WITHOUT ROWID;

-- Scored adoption items per month and rule, for the bulletin's headline counts.
CREATE TABLE item_months (
    month   TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    items   INTEGER NOT NULL,
    PRIMARY KEY (month, rule_id)
) WITHOUT ROWID;

CREATE TRIGGER ledger_sums AFTER INSERT ON ledger
BEGIN
    INSERT INTO ledger_months (month, unit_id, entries, adoptions, items, c0, c1, c2, c3, c4, c5, c6, c7)
    SELECT substr(NEW.date, 1, 7), NEW.unit_id, 1, NEW.adoptions, NEW.items, (slot = 0) * NEW.points, (slot = 1) * NEW.points, (slot = 2) * NEW.points, (slot = 3) * NEW.points, (slot = 4) * NEW.points, (slot = 5) * NEW.points, (slot = 6) * NEW.points, (slot = 7) * NEW.points
    FROM score_columns WHERE name = NEW.column_name
    ON CONFLICT (month, unit_id) DO UPDATE SET
        entries = entries + 1,
        adoptions = adoptions + excluded.adoptions,
        items = items + excluded.items,
        c0 = c0 + excluded.c0,
        c1 = c1 + excluded.c1,
        c2 = c2 + excluded.c2,
        c3 = c3 + excluded.c3,
        c4 = c4 + excluded.c4,
        c5 = c5 + excluded.c5,
        c6 = c6 + excluded.c6,
        c7 = c7 + excluded.c7;
    INSERT INTO ledger_quarters (quarter, unit_id, entries, adoptions, items, c0, c1, c2, c3, c4, c5, c6, c7)
    SELECT substr(NEW.date, 1, 4) || 'Q' || ((CAST(substr(NEW.date, 6, 2) AS INTEGER) + 2) / 3),
        NEW.unit_id, 1, NEW.adoptions, NEW.items, (slot = 0) * NEW.points, (slot = 1) * NEW.points, (slot = 2) * NEW.points, (slot = 3) * NEW.points, (slot = 4) * NEW.points, (slot = 5) * NEW.points, (slot = 6) * NEW.points, (slot = 7) * NEW.points
    FROM score_columns WHERE name = NEW.column_name
    ON CONFLICT (quarter, unit_id) DO UPDATE SET
        entries = entries + 1,
        adoptions = adoptions + excluded.adoptions,
        items = items + excluded.items,
        c0 = c0 + excluded.c0,
        c1 = c1 + excluded.c1,
        c2 = c2 + excluded.c2,
        c3 = c3 + excluded.c3,
        c4 = c4 + excluded.c4,
        c5 = c5 + excluded.c5,
        c6 = c6 + excluded.c6,
        c7 = c7 + excluded.c7;
    INSERT INTO item_months (month, rule_id, items)
    SELECT substr(NEW.date, 1, 7), NEW.rule_id, NEW.items WHERE NEW.items <> 0
    ON CONFLICT (month, rule_id) DO UPDATE SET items = items + excluded.items;
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
