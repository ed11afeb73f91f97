-- A ledger key kept outside the database (bot/storage/chain.py, bot/storage/ledgerkey.py): from
-- the keying on, each ledger line is chained by an HMAC under it. The keying is recorded once,
-- at `init`: which line is the first keyed one, the hash of the line before it, a name of the
-- key, when, and a MAC over all that.
CREATE TABLE ledger_keying (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    first_line BIGINT NOT NULL,
    head       TEXT COLLATE "C" NOT NULL,
    key_id     TEXT COLLATE "C" NOT NULL,
    at         TEXT COLLATE "C" NOT NULL,
    mac        TEXT COLLATE "C" NOT NULL
);

CREATE FUNCTION ledger_keying_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger keying is written once';
END
$$;
CREATE TRIGGER ledger_keying_no_update BEFORE UPDATE ON ledger_keying
    FOR EACH ROW EXECUTE FUNCTION ledger_keying_refuse();
CREATE TRIGGER ledger_keying_no_delete BEFORE DELETE ON ledger_keying
    FOR EACH ROW EXECUTE FUNCTION ledger_keying_refuse();
CREATE TRIGGER ledger_keying_no_truncate BEFORE TRUNCATE ON ledger_keying
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keying_refuse();

-- A database initialised before this migration is keyed when the store next opens (it needs the
-- key, which lives outside the database): this marks it due, here and only here, so that a
-- keying record removed later is reported by `verify` rather than quietly made again.
INSERT INTO settings (key, value) SELECT 'ledger_keying_due', 'upgrade' FROM settings
    WHERE key = 'ruleset';

-- The head of the ledger's chain when the version was published (line id and hash): kept
-- outside the database too (in the bulletin's notes, sent to the admins), it proves with
-- `govinfo-bot verify --anchor` that no line up to it changed since.
ALTER TABLE bulletins ADD COLUMN anchor TEXT COLLATE "C" NOT NULL DEFAULT '';
