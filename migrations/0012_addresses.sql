-- A person and a chat are reached at (channel, address): the channel names the way in
-- ('telegram', later mail, DingTalk, 企业微信), the address is that channel's own text for them
-- (a Telegram user or chat id written out, a mail address). Every Telegram id stored before is
-- kept as ('telegram', its digits); nothing else changes. (SQLite adds a NOT NULL column only
-- with a default: the defaults below fill the rows there were; every insert names both.)

-- Liaisons are keyed by their address: rebuilt, as SQLite cannot change a primary key.
CREATE TABLE liaisons_by_address (
    channel   TEXT NOT NULL,
    address   TEXT NOT NULL,
    unit_id   INTEGER NOT NULL REFERENCES units (id),
    name      TEXT NOT NULL DEFAULT '',
    username  TEXT NOT NULL DEFAULT '',
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (channel, address)
);
INSERT INTO liaisons_by_address (channel, address, unit_id, name, username, active, joined_at)
    SELECT 'telegram', CAST(user_id AS TEXT), unit_id, name, username, active, joined_at
    FROM liaisons;
DROP TABLE liaisons;
ALTER TABLE liaisons_by_address RENAME TO liaisons;
CREATE INDEX liaisons_unit ON liaisons (unit_id) WHERE active = 1;

-- Who made an invite and who used it; who made a commission; who claimed a record: the
-- column keeps its name and holds the address as text, its channel beside it. (An INTEGER
-- column would turn the text '123' back into a number: each is replaced by a TEXT one.)
ALTER TABLE invites ADD COLUMN created_channel TEXT NOT NULL DEFAULT 'telegram';
ALTER TABLE invites ADD COLUMN created_address TEXT NOT NULL DEFAULT '';
UPDATE invites SET created_address = CAST(created_by AS TEXT);
ALTER TABLE invites DROP COLUMN created_by;
ALTER TABLE invites RENAME COLUMN created_address TO created_by;
ALTER TABLE invites ADD COLUMN used_channel TEXT;
ALTER TABLE invites ADD COLUMN used_address TEXT;
UPDATE invites SET used_channel = 'telegram', used_address = CAST(used_by AS TEXT)
    WHERE used_by IS NOT NULL;
ALTER TABLE invites DROP COLUMN used_by;
ALTER TABLE invites RENAME COLUMN used_address TO used_by;

ALTER TABLE commissions ADD COLUMN created_channel TEXT NOT NULL DEFAULT 'telegram';
ALTER TABLE commissions ADD COLUMN created_address TEXT NOT NULL DEFAULT '';
UPDATE commissions SET created_address = CAST(created_by AS TEXT);
ALTER TABLE commissions DROP COLUMN created_by;
ALTER TABLE commissions RENAME COLUMN created_address TO created_by;

ALTER TABLE records ADD COLUMN claimed_channel TEXT;
ALTER TABLE records ADD COLUMN claimed_address TEXT;
UPDATE records SET claimed_channel = 'telegram', claimed_address = CAST(claimed_by AS TEXT)
    WHERE claimed_by IS NOT NULL;
ALTER TABLE records DROP COLUMN claimed_by;
ALTER TABLE records RENAME COLUMN claimed_address TO claimed_by;

-- Wrong invite codes and the bot's own changes to a liaison, by the person's address.
DROP INDEX invite_failures_user;
ALTER TABLE invite_failures ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';
ALTER TABLE invite_failures ADD COLUMN address TEXT NOT NULL DEFAULT '';
UPDATE invite_failures SET address = CAST(user_id AS TEXT);
ALTER TABLE invite_failures DROP COLUMN user_id;
CREATE INDEX invite_failures_address ON invite_failures (channel, address, at);

ALTER TABLE liaison_events ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';
ALTER TABLE liaison_events ADD COLUMN address TEXT NOT NULL DEFAULT '';
UPDATE liaison_events SET address = CAST(user_id AS TEXT);
ALTER TABLE liaison_events DROP COLUMN user_id;

-- The messages owed, sent or not, by the chat's address: a pending one goes to the same chat.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';
ALTER TABLE outbox ADD COLUMN address TEXT NOT NULL DEFAULT '';
UPDATE outbox SET address = CAST(chat_id AS TEXT);
ALTER TABLE outbox DROP COLUMN chat_id;
