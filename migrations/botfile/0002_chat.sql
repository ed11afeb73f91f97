-- Each update's chat, kept for the PostgreSQL store's replicas, which take a chat's updates in
-- order (migrations/postgres/0002); here, where one process takes them all, it is not read.
ALTER TABLE inbox ADD COLUMN chat_id INTEGER;
