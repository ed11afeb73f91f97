-- What the running bot writes for itself on every update moved to its working file
-- (migrations/botfile; migrate.move_to_bot_file copies the rows there first, in this
-- migration's transaction): the updates received, the report summaries, the lease. Here stay
-- the claims of updates whose action committed here, each written in the action's own
-- transaction, so that a redelivered update changes nothing; those handled so far start them.
CREATE TABLE claimed_updates (
    update_id  INTEGER PRIMARY KEY,
    claimed_at TEXT NOT NULL
);
INSERT INTO claimed_updates (update_id, claimed_at)
SELECT update_id, handled_at FROM intake WHERE handled_at IS NOT NULL;
DROP TABLE intake;
DROP TABLE drafts;
DROP TABLE leases;
-- The working file names the database it belongs to: beside another database made at the same
-- path, its summaries (which name units by id) are dropped rather than confirmed there.
INSERT INTO settings (key, value) VALUES ('database_id', lower(hex(randomblob(16))));
