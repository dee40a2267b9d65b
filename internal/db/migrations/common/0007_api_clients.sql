-- Integrations (a provincial 政府信息公开申请平台, 一网通办) that push
-- 依申请公开 applications into one org and read their status through the
-- API. As with sessions, only the SHA-256 of a client's token is stored: a
-- leaked table authenticates nobody. A revoked client keeps its row (the
-- evidence chain and the cases it pushed name it).

CREATE TABLE api_clients (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	revoked_at TEXT NOT NULL DEFAULT '',
	last_used_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_clients_org ON api_clients(org_id);
