-- The answer to the person who asked goes through the outbox too, written in the action's own
-- transaction and sent at once by the process that handled it: held_until keeps the courier
-- (of another process) from sending it meanwhile. tried_at: when a send was first begun, so that
-- a message found unsent after a crash, which Telegram may have received, is sent again marked
-- as a possible repeat.
ALTER TABLE outbox ADD COLUMN held_until TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN tried_at TEXT COLLATE "C";
