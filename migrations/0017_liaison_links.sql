-- A liaison's personal link to the web console's liaison page, for liaisons who cannot reach
-- Telegram: made by the office for a unit, revocable, no password. Only the token's SHA-256
-- is kept; the liaison it opens is the one at ('web', the link's id written out) in liaisons.
CREATE TABLE liaison_links (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_by TEXT,
    revoked_at TEXT
);
