-- One-time links into the web console that an admin asks the bot for (`/web`): only the
-- token's hash is kept, with who asked (their address, and the actor their actions are
-- recorded as), until when it may be used, and when it was.
CREATE TABLE web_links (
    token_hash TEXT PRIMARY KEY,
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    actor      TEXT NOT NULL,
    made_at    TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX web_links_expires ON web_links (expires_at);
