-- One-time links into the web console that an admin asks the bot for (`/web`): only the
-- token's hash is kept, with who asked (their address, and the actor their actions are
-- recorded as), until when it may be used, and when it was.
CREATE TABLE web_links (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    channel    TEXT COLLATE "C" NOT NULL,
    address    TEXT COLLATE "C" NOT NULL,
    actor      TEXT NOT NULL,
    made_at    TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    used_at    TEXT COLLATE "C"
);
CREATE INDEX web_links_expires ON web_links (expires_at);
