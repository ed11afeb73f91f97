-- A person and a chat are reached at (channel, address), as in the database (its migration
-- 0012): a summary's liaison and an owed answer's chat, every Telegram id kept as
-- ('telegram', its digits).
DROP INDEX drafts_open;
ALTER TABLE drafts ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';
ALTER TABLE drafts ADD COLUMN address TEXT NOT NULL DEFAULT '';
UPDATE drafts SET address = CAST(user_id AS TEXT);
ALTER TABLE drafts DROP COLUMN user_id;
CREATE INDEX drafts_open ON drafts (channel, address) WHERE record_id IS NULL AND cancelled = 0;

ALTER TABLE answers ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';
ALTER TABLE answers ADD COLUMN address TEXT NOT NULL DEFAULT '';
UPDATE answers SET address = CAST(chat_id AS TEXT);
ALTER TABLE answers DROP COLUMN chat_id;
