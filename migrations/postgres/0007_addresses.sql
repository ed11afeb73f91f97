-- A person and a chat are reached at (channel, address): the channel names the way in
-- ('telegram', later mail, DingTalk, 企业微信), the address is that channel's own text for them
-- (a Telegram user or chat id written out, a mail address). Every Telegram id stored before is
-- kept as ('telegram', its digits); the columns are those of SQLite's migration 0012.

ALTER TABLE liaisons DROP CONSTRAINT liaisons_pkey;
ALTER TABLE liaisons ADD COLUMN channel TEXT COLLATE "C" NOT NULL DEFAULT 'telegram';
ALTER TABLE liaisons ALTER COLUMN user_id TYPE TEXT COLLATE "C" USING user_id::text;
ALTER TABLE liaisons RENAME COLUMN user_id TO address;
ALTER TABLE liaisons ALTER COLUMN channel DROP DEFAULT;
ALTER TABLE liaisons ADD PRIMARY KEY (channel, address);

-- Who made an invite and who used it; who made a commission; who claimed a record: the
-- column keeps its name and holds the address as text, its channel beside it.
ALTER TABLE invites ADD COLUMN created_channel TEXT COLLATE "C" NOT NULL DEFAULT 'telegram';
ALTER TABLE invites ALTER COLUMN created_channel DROP DEFAULT;
ALTER TABLE invites ALTER COLUMN created_by TYPE TEXT COLLATE "C" USING created_by::text;
ALTER TABLE invites ADD COLUMN used_channel TEXT COLLATE "C";
UPDATE invites SET used_channel = 'telegram' WHERE used_by IS NOT NULL;
ALTER TABLE invites ALTER COLUMN used_by TYPE TEXT COLLATE "C" USING used_by::text;

ALTER TABLE commissions ADD COLUMN created_channel TEXT COLLATE "C" NOT NULL DEFAULT 'telegram';
ALTER TABLE commissions ALTER COLUMN created_channel DROP DEFAULT;
ALTER TABLE commissions ALTER COLUMN created_by TYPE TEXT COLLATE "C" USING created_by::text;

ALTER TABLE records ADD COLUMN claimed_channel TEXT COLLATE "C";
UPDATE records SET claimed_channel = 'telegram' WHERE claimed_by IS NOT NULL;
ALTER TABLE records ALTER COLUMN claimed_by TYPE TEXT COLLATE "C" USING claimed_by::text;

-- Wrong invite codes and the bot's own changes to a liaison, by the person's address.
DROP INDEX invite_failures_user;
ALTER TABLE invite_failures ADD COLUMN channel TEXT COLLATE "C" NOT NULL DEFAULT 'telegram';
ALTER TABLE invite_failures ALTER COLUMN channel DROP DEFAULT;
ALTER TABLE invite_failures ALTER COLUMN user_id TYPE TEXT COLLATE "C" USING user_id::text;
ALTER TABLE invite_failures RENAME COLUMN user_id TO address;
CREATE INDEX invite_failures_address ON invite_failures (channel, address, at);

ALTER TABLE liaison_events ADD COLUMN channel TEXT COLLATE "C" NOT NULL DEFAULT 'telegram';
ALTER TABLE liaison_events ALTER COLUMN channel DROP DEFAULT;
ALTER TABLE liaison_events ALTER COLUMN user_id TYPE TEXT COLLATE "C" USING user_id::text;
ALTER TABLE liaison_events RENAME COLUMN user_id TO address;

-- The messages owed, sent or not, by the chat's address: a pending one goes to the same chat.
ALTER TABLE outbox ADD COLUMN channel TEXT COLLATE "C" NOT NULL DEFAULT 'telegram';
ALTER TABLE outbox ALTER COLUMN channel DROP DEFAULT;
ALTER TABLE outbox ALTER COLUMN chat_id TYPE TEXT COLLATE "C" USING chat_id::text;
ALTER TABLE outbox RENAME COLUMN chat_id TO address;

-- A summary's liaison.
DROP INDEX drafts_open;
ALTER TABLE drafts ADD COLUMN channel TEXT COLLATE "C" NOT NULL DEFAULT 'telegram';
ALTER TABLE drafts ALTER COLUMN channel DROP DEFAULT;
ALTER TABLE drafts ALTER COLUMN user_id TYPE TEXT COLLATE "C" USING user_id::text;
ALTER TABLE drafts RENAME COLUMN user_id TO address;
CREATE INDEX drafts_open ON drafts (channel, address) WHERE record_id IS NULL AND cancelled = 0;

-- A guided conversation's step, by the chat and the person in it on their channel.
ALTER TABLE conversations DROP CONSTRAINT conversations_pkey;
ALTER TABLE conversations ADD COLUMN channel TEXT COLLATE "C" NOT NULL DEFAULT 'telegram';
ALTER TABLE conversations ALTER COLUMN channel DROP DEFAULT;
ALTER TABLE conversations ALTER COLUMN chat_id TYPE TEXT COLLATE "C" USING chat_id::text;
ALTER TABLE conversations RENAME COLUMN chat_id TO chat;
ALTER TABLE conversations ALTER COLUMN user_id TYPE TEXT COLLATE "C" USING user_id::text;
ALTER TABLE conversations RENAME COLUMN user_id TO address;
ALTER TABLE conversations ADD PRIMARY KEY (channel, chat, address);
