-- The web console (bot/web/): who may enter it, what they did to the accounts, failed logins
-- (throttling), the forms already acted on (a form sent twice stores once) and the key that
-- signs its session cookies, shared by every process serving the console.
CREATE TABLE web_users (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL
);

-- Accounts added, changed and removed, with who did it: the audit trail of the accounts.
CREATE TABLE web_user_events (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('added', 'changed', 'removed')),
    role  TEXT NOT NULL,
    actor TEXT NOT NULL,
    at    TEXT NOT NULL
);

CREATE TABLE web_login_failures (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    address TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX web_login_failures_name ON web_login_failures (name, at);
CREATE INDEX web_login_failures_address ON web_login_failures (address, at);

CREATE TABLE web_forms (
    token      TEXT PRIMARY KEY,
    claimed_at TEXT NOT NULL
);

CREATE TABLE web_session_key (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    key TEXT NOT NULL
);
