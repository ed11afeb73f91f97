-- Scheduled work: which job ran for which period, the messages it owes, and commissions (约稿).

-- One row per job and period (quota_reminder 2026-03/20, settlement 2026-03, ...), written in the
-- same transaction as the job's effects: a run that finds its row here was made already.
CREATE TABLE job_runs (
    job     TEXT NOT NULL,
    period  TEXT NOT NULL,
    due_at  TEXT NOT NULL,
    ran_at  TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'skipped', 'failed')),
    detail  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job, period)
);

-- Messages the bot owes, stored with the action that owes them and marked when delivered, so
-- that a restart delivers what is left and nothing twice.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    chat_id    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    parse_mode TEXT,
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    -- Why it will never be delivered: the user blocked the bot, the chat does not exist.
    failure    TEXT
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL AND failure IS NULL;

-- A commission (约稿): a topic the office asks some units to write on by a deadline.
CREATE TABLE commissions (
    id         INTEGER PRIMARY KEY,
    topic      TEXT NOT NULL,
    -- The last day answers are taken (office time zone).
    deadline   TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    -- When the misses were settled, after the deadline.
    closed_at  TEXT
);

-- Who was asked, and how it ended for them: answered, or missed with the penalty's record.
CREATE TABLE commission_targets (
    commission_id INTEGER NOT NULL REFERENCES commissions (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    outcome       TEXT CHECK (outcome IN ('answered', 'missed', 'missed_again')),
    record_id     INTEGER REFERENCES records (id),
    PRIMARY KEY (commission_id, unit_id)
);
CREATE INDEX commission_targets_unit ON commission_targets (unit_id);

-- Answers are submissions (报送) linked to the commission they answer.
CREATE TABLE commission_answers (
    record_id     INTEGER PRIMARY KEY REFERENCES records (id),
    commission_id INTEGER NOT NULL REFERENCES commissions (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id)
);
CREATE INDEX commission_answers_commission ON commission_answers (commission_id, unit_id);

-- An answer selected by the city or the region, with the record that scored it; once per level.
CREATE TABLE commission_selections (
    answer_id INTEGER NOT NULL REFERENCES commission_answers (record_id),
    item_id   TEXT NOT NULL,
    record_id INTEGER NOT NULL REFERENCES records (id),
    PRIMARY KEY (answer_id, item_id)
);

-- Changes to a liaison's standing the bot made by itself (blocked the bot: made inactive).
CREATE TABLE liaison_events (
    user_id INTEGER NOT NULL,
    event   TEXT NOT NULL,
    reason  TEXT NOT NULL DEFAULT '',
    at      TEXT NOT NULL
);
