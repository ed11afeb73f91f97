-- Numbers that stay right: locked periods, months settled in any order and settled again when
-- late data arrives, and drafts cancelled by the liaison's next command.

-- Periods locked now (a published bulletin's numbers can no longer change). Reopening deletes
-- the row; period_events keeps every lock and reopening with who, when and why.
CREATE TABLE period_locks (
    period     TEXT PRIMARY KEY,
    first_day  TEXT NOT NULL,
    last_day   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL
);

CREATE TABLE period_events (
    id         INTEGER PRIMARY KEY,
    period     TEXT NOT NULL,
    event      TEXT NOT NULL CHECK (event IN ('locked', 'reopened')),
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL
);

-- Months the office has settled: a late submission dated in one of them settles it again.
CREATE TABLE quota_months (
    month       TEXT PRIMARY KEY,
    batch_id    INTEGER NOT NULL REFERENCES batches (id),
    allow_empty INTEGER NOT NULL DEFAULT 0 CHECK (allow_empty IN (0, 1))
);
INSERT INTO quota_months (month, batch_id)
SELECT month, MIN(batch_id) FROM quota_settlements GROUP BY month;

-- A liaison's summaries waiting for the confirm button, found when their next command cancels them.
CREATE INDEX drafts_open ON drafts (user_id) WHERE record_id IS NULL AND cancelled = 0;

-- Submissions are refused as duplicates by unit, title and month.
CREATE INDEX records_submission_titles ON records (unit_id, title_key, date)
    WHERE item_id = 'submission' AND status <> 'rejected' AND title_key <> '';

-- An import compares its rows with the records stored over the file's days.
CREATE INDEX records_date ON records (date);
