-- Methods over time: the methods an office adopted after its first one (the first stays the
-- `ruleset` setting written by `init`), each in force from its day until the next one's.
-- Kept as the file's text, so that a record's score can always be explained by the method
-- that made it; never changed or removed once adopted.
CREATE TABLE methods (
    start      TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    source     TEXT NOT NULL,
    adopted_at TEXT NOT NULL,
    adopted_by TEXT NOT NULL
);

CREATE TRIGGER methods_no_update BEFORE UPDATE ON methods
BEGIN
    SELECT RAISE(ABORT, 'an adopted method is never changed');
END;

CREATE TRIGGER methods_no_delete BEFORE DELETE ON methods
BEGIN
    SELECT RAISE(ABORT, 'an adopted method is never removed');
END;
