-- What several bot processes on one database need (bot/replicas.py), and the roster's version.

-- Raised by any change to the roster, so that a process keeping the roster in memory knows
-- when to read it again (SQLite's PRAGMA data_version does this there).
CREATE TABLE roster_version (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    n   BIGINT NOT NULL
);
INSERT INTO roster_version (one, n) VALUES (1, 0);

CREATE FUNCTION roster_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE roster_version SET n = n + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER units_changed AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION roster_changed();
CREATE TRIGGER unit_aliases_changed AFTER INSERT OR UPDATE OR DELETE ON unit_aliases
    FOR EACH STATEMENT EXECUTE FUNCTION roster_changed();

-- An update is handled by whichever replica claims it first: claimed_by names the replica,
-- claimed_until (seconds since the epoch, by the server's clock) is when another may take it
-- over (the claimer died); it is cleared once the update is done with. A chat's updates are
-- claimed one at a time, in update id order (chat_id; NULL for updates without a chat, which
-- need no order).
ALTER TABLE inbox ADD COLUMN chat_id BIGINT;
ALTER TABLE inbox ADD COLUMN claimed_by TEXT COLLATE "C";
ALTER TABLE inbox ADD COLUMN claimed_until DOUBLE PRECISION;
CREATE INDEX inbox_chat_unhandled ON inbox (chat_id, update_id) WHERE handled_at IS NULL;
CREATE INDEX inbox_chat_claimed ON inbox (chat_id, update_id) WHERE claimed_until IS NOT NULL;

-- A conversation's state (which step of /report, the draft so far) kept between its steps,
-- which may land on different replicas: the conversation handlers' states and the user's
-- data, as JSON, by chat and user.
CREATE TABLE conversations (
    chat_id    BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    states     TEXT NOT NULL,
    user_data  TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
