-- One delivery path: a message the bot owes after a commit may carry inline buttons (a claim
-- with ✅/❌ for the admins) or a file (`document:<id>` or `photo:<id>`: the evidence of a
-- claim, the office copy of a submission), so that it too goes through the outbox, written in
-- the action's own transaction.
ALTER TABLE outbox ADD COLUMN buttons TEXT;
ALTER TABLE outbox ADD COLUMN attachment TEXT;
