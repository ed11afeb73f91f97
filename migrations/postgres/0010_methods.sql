-- Methods over time: the methods an office adopted after its first one (the first stays the
-- `ruleset` setting written by `init`), each in force from its day until the next one's.
-- Kept as the file's text, so that a record's score can always be explained by the method
-- that made it; never changed or removed once adopted.
CREATE TABLE methods (
    start      TEXT COLLATE "C" PRIMARY KEY,
    text       TEXT NOT NULL,
    source     TEXT NOT NULL,
    adopted_at TEXT COLLATE "C" NOT NULL,
    adopted_by TEXT NOT NULL
);

CREATE FUNCTION methods_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an adopted method is never changed or removed';
END
$$;
CREATE TRIGGER methods_no_update BEFORE UPDATE ON methods
    FOR EACH ROW EXECUTE FUNCTION methods_refuse();
CREATE TRIGGER methods_no_delete BEFORE DELETE ON methods
    FOR EACH ROW EXECUTE FUNCTION methods_refuse();
