-- What the running bot writes for itself on every update moved to its working file
-- (migrations/botfile; Store.open copies the rows that matter there first): the updates
-- received, the report summaries, the lease. Only the updates whose action committed here stay,
-- marked in the action's own transaction, so that a redelivered update changes nothing.
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
