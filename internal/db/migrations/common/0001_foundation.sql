-- Foundation: organisations, people, roles, sessions, login throttling,
-- the evidence chain and site settings. Times are TEXT in db.TimeLayout.

CREATE TABLE orgs (
	id TEXT PRIMARY KEY,
	parent_id TEXT REFERENCES orgs(id),
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	short_name TEXT NOT NULL DEFAULT '',
	code TEXT NOT NULL UNIQUE,
	address TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	fax TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	office_hours TEXT NOT NULL DEFAULT '',
	sort INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX orgs_parent ON orgs(parent_id);
CREATE UNIQUE INDEX orgs_parent_name ON orgs(parent_id, name);

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	phone TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	disabled BOOLEAN NOT NULL DEFAULT FALSE,
	must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
	password_changed_at TEXT NOT NULL,
	last_login_at TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE user_roles (
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	role TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (user_id, org_id, role)
);
CREATE INDEX user_roles_org ON user_roles(org_id);

-- Only a hash of the session token is stored: a leaked table opens no session.
CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed logins per key ("u:<username>" or "ip:<address>"); kept in the
-- database so every replica enforces the same lockout.
CREATE TABLE login_throttle (
	key TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	last_failure_at TEXT NOT NULL,
	locked_until TEXT NOT NULL DEFAULT ''
);

CREATE TABLE audit_events (
	seq BIGINT PRIMARY KEY,
	at TEXT NOT NULL,
	actor_id TEXT NOT NULL,
	actor_name TEXT NOT NULL,
	org_id TEXT NOT NULL,
	action TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id TEXT NOT NULL,
	summary TEXT NOT NULL,
	before_json TEXT NOT NULL,
	after_json TEXT NOT NULL,
	ip TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id);
CREATE INDEX audit_events_org ON audit_events(org_id, seq);

-- The chain's head: appends lock this row, so events are numbered without
-- gaps on every engine, and cutting events off the end is detectable.
CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
