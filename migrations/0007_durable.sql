-- Nothing lost, nothing twice: every Telegram update stored before Telegram is told it arrived,
-- one running instance per database, and a ledger whose lines and kept sums cannot drift from
-- each other unnoticed.

-- Every update received, stored before the getUpdates call whose offset confirms it (or before
-- the webhook answers 200). handled_at is set in the transaction of the update's action, or once
-- its handler has finished when it has none; at start-up the updates without it are handled
-- first. payload is NULL for updates acted on before this table existed.
CREATE TABLE intake (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT,
    received_at TEXT NOT NULL,
    handled_at  TEXT
);
CREATE INDEX intake_unhandled ON intake (update_id) WHERE handled_at IS NULL;
INSERT INTO intake (update_id, payload, received_at, handled_at)
SELECT update_id, NULL, at, at FROM processed_updates;
DROP TABLE processed_updates;

-- Who runs the bot on this database. One holder at a time, renewed while it runs; once
-- expires_at (seconds since the epoch, the same clock for every process) has passed, another
-- process may take over.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at REAL NOT NULL,
    expires_at  REAL NOT NULL
);

-- Each ledger line carries a hash over its columns and the hash of the line before it (see
-- bot/storage/chain.py): a line changed or removed behind the bot's back breaks the chain from
-- there on, and `govinfo-bot verify` names it. Lines written before this migration get their
-- hashes here, in id order.
--
-- Each line also carries the slot of its score column (as score_columns has it), so that the
-- trigger keeping the sums can write them from the line alone: an INSERT ... SELECT into a table
-- with triggers of its own (the guards below) goes through a temporary table for every row,
-- which made a 100,000-row import a third slower.
DROP TRIGGER ledger_no_update;
ALTER TABLE ledger ADD COLUMN hash TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
WITH RECURSIVE chain (id, hash) AS (
    SELECT id, ledger_line_hash('', id, date, unit_id, rule_id, column_name, points, adoptions,
        items, record_id, batch_id, explanation, created_at, reverses)
    FROM ledger WHERE id = (SELECT MIN(id) FROM ledger)
    UNION ALL
    SELECT l.id, ledger_line_hash(c.hash, l.id, l.date, l.unit_id, l.rule_id, l.column_name,
        l.points, l.adoptions, l.items, l.record_id, l.batch_id, l.explanation, l.created_at,
        l.reverses)
    FROM chain c JOIN ledger l ON l.id = (SELECT MIN(id) FROM ledger WHERE id > c.id)
)
UPDATE ledger SET hash = chain.hash,
    slot = (SELECT s.slot FROM score_columns s WHERE s.name = ledger.column_name)
FROM chain WHERE chain.id = ledger.id;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- INSERT OR REPLACE deletes the line it conflicts with without firing ledger_no_delete (delete
-- triggers fire for a REPLACE only with recursive_triggers on): a new line must come after every
-- other, with its id given (the hash covers it), and must not reverse a line reversed already.
CREATE TRIGGER ledger_append_only BEFORE INSERT ON ledger
WHEN NEW.id <= (SELECT COALESCE(MAX(id), 0) FROM ledger)
    OR (NEW.reverses IS NOT NULL AND EXISTS (SELECT 1 FROM ledger WHERE reverses = NEW.reverses))
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

CREATE TRIGGER ledger_slot BEFORE INSERT ON ledger
WHEN NEW.slot IS NOT (SELECT slot FROM score_columns WHERE name = NEW.column_name)
BEGIN
    SELECT RAISE(ABORT, 'a ledger line''s slot is its score column''s');
END;

-- The kept sums change only through the ledger's insert triggers. They write this marker row
-- before their upserts and delete it after them; the guards below refuse any other write to the
-- sums, so standings cannot be edited apart from the ledger they are summed from.
CREATE TABLE ledger_sums_writer (
    one INTEGER PRIMARY KEY CHECK (one = 1)
);

DROP TRIGGER ledger_sums;
CREATE TRIGGER ledger_sums AFTER INSERT ON ledger
BEGIN
    INSERT INTO ledger_sums_writer (one) VALUES (1);
    INSERT INTO ledger_months (month, unit_id, entries, adoptions, items, c0, c1, c2, c3, c4, c5, c6, c7)
    VALUES (substr(NEW.date, 1, 7), NEW.unit_id, 1, NEW.adoptions, NEW.items, (NEW.slot = 0) * NEW.points, (NEW.slot = 1) * NEW.points, (NEW.slot = 2) * NEW.points, (NEW.slot = 3) * NEW.points, (NEW.slot = 4) * NEW.points, (NEW.slot = 5) * NEW.points, (NEW.slot = 6) * NEW.points, (NEW.slot = 7) * NEW.points)
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
    VALUES (substr(NEW.date, 1, 4) || 'Q' || ((CAST(substr(NEW.date, 6, 2) AS INTEGER) + 2) / 3),
        NEW.unit_id, 1, NEW.adoptions, NEW.items, (NEW.slot = 0) * NEW.points, (NEW.slot = 1) * NEW.points, (NEW.slot = 2) * NEW.points, (NEW.slot = 3) * NEW.points, (NEW.slot = 4) * NEW.points, (NEW.slot = 5) * NEW.points, (NEW.slot = 6) * NEW.points, (NEW.slot = 7) * NEW.points)
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
    DELETE FROM ledger_sums_writer;
END;

CREATE TRIGGER ledger_items AFTER INSERT ON ledger WHEN NEW.items <> 0
BEGIN
    INSERT INTO ledger_sums_writer (one) VALUES (1);
    INSERT INTO item_months (month, rule_id, items) VALUES (substr(NEW.date, 1, 7), NEW.rule_id, NEW.items)
    ON CONFLICT (month, rule_id) DO UPDATE SET items = items + excluded.items;
    DELETE FROM ledger_sums_writer;
END;

CREATE TRIGGER ledger_months_guard_insert BEFORE INSERT ON ledger_months
WHEN NOT EXISTS (SELECT 1 FROM ledger_sums_writer)
BEGIN
    SELECT RAISE(ABORT, 'the kept sums follow the ledger');
END;
CREATE TRIGGER ledger_months_guard_update BEFORE UPDATE ON ledger_months
WHEN NOT EXISTS (SELECT 1 FROM ledger_sums_writer)
BEGIN
    SELECT RAISE(ABORT, 'the kept sums follow the ledger');
END;
CREATE TRIGGER ledger_months_guard_delete BEFORE DELETE ON ledger_months
BEGIN
    SELECT RAISE(ABORT, 'the kept sums follow the ledger');
END;
CREATE TRIGGER ledger_quarters_guard_insert BEFORE INSERT ON ledger_quarters
WHEN NOT EXISTS (SELECT 1 FROM ledger_sums_writer)
BEGIN
    SELECT RAISE(ABORT, 'the kept sums follow the ledger');
END;
CREATE TRIGGER ledger_quarters_guard_update BEFORE UPDATE ON ledger_quarters
WHEN NOT EXISTS (SELECT 1 FROM ledger_sums_writer)
BEGIN
    SELECT RAISE(ABORT, 'the kept sums follow the ledger');
END;
CREATE TRIGGER ledger_quarters_guard_delete BEFORE DELETE ON ledger_quarters
BEGIN
    SELECT RAISE(ABORT, 'the kept sums follow the ledger');
END;
CREATE TRIGGER item_months_guard_insert BEFORE INSERT ON item_months
WHEN NOT EXISTS (SELECT 1 FROM ledger_sums_writer)
BEGIN
    SELECT RAISE(ABORT, 'the kept sums follow the ledger');
END;
CREATE TRIGGER item_months_guard_update BEFORE UPDATE ON item_months
WHEN NOT EXISTS (SELECT 1 FROM ledger_sums_writer)
BEGIN
    SELECT RAISE(ABORT, 'the kept sums follow the ledger');
END;
CREATE TRIGGER item_months_guard_delete BEFORE DELETE ON item_months
BEGIN
    SELECT RAISE(ABORT, 'the kept sums follow the ledger');
END;
