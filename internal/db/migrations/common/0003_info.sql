-- Proactive disclosure: records (政府信息), their review rounds, attachments
-- and the per-org, per-year counter behind gapless 索引号.

CREATE TABLE info_records (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	status TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published', 'withdrawn')),
	step INTEGER NOT NULL DEFAULT 0,
	title TEXT NOT NULL,
	doc_no TEXT NOT NULL DEFAULT '',
	summary TEXT NOT NULL DEFAULT '',
	keywords TEXT NOT NULL DEFAULT '',
	topic TEXT NOT NULL DEFAULT '',
	genre TEXT NOT NULL,
	written_on TEXT NOT NULL DEFAULT '',
	formed_on TEXT NOT NULL,
	catalog_key TEXT NOT NULL DEFAULT '',
	attribute TEXT NOT NULL CHECK (attribute IN ('proactive', 'on_request', 'withheld')),
	withheld_reason TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	validity TEXT NOT NULL DEFAULT 'current',
	validity_on TEXT NOT NULL DEFAULT '',
	valid_until TEXT NOT NULL DEFAULT '',
	replaced_by TEXT NOT NULL DEFAULT '',
	index_no TEXT UNIQUE,
	published_at TEXT NOT NULL DEFAULT '',
	published_on TEXT NOT NULL DEFAULT '',
	lag_workdays INTEGER,
	limit_text TEXT NOT NULL DEFAULT '',
	late BOOLEAN NOT NULL DEFAULT FALSE,
	withdrawn_reason TEXT NOT NULL DEFAULT '',
	rejected_reason TEXT NOT NULL DEFAULT '',
	author_id TEXT NOT NULL,
	author_name TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX info_records_org_status ON info_records(org_id, status, published_at);
CREATE INDEX info_records_catalog ON info_records(catalog_key, published_at);
CREATE INDEX info_records_published ON info_records(status, published_at);

-- One row per decision in a review round: who, when, the 保密审查
-- confirmation, the comment, and the legal ground when a personal-data
-- finding was knowingly let through (e.g. 惩戒性公示).
CREATE TABLE info_reviews (
	id TEXT PRIMARY KEY,
	record_id TEXT NOT NULL REFERENCES info_records(id) ON DELETE CASCADE,
	round INTEGER NOT NULL,
	step INTEGER NOT NULL,
	role TEXT NOT NULL,
	decision TEXT NOT NULL CHECK (decision IN ('submit', 'approve', 'reject')),
	actor_id TEXT NOT NULL,
	actor_name TEXT NOT NULL,
	secrecy_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
	privacy_ground TEXT NOT NULL DEFAULT '',
	comment TEXT NOT NULL DEFAULT '',
	at TEXT NOT NULL
);
CREATE INDEX info_reviews_record ON info_reviews(record_id, round, step);

CREATE TABLE info_attachments (
	record_id TEXT NOT NULL REFERENCES info_records(id) ON DELETE CASCADE,
	hash TEXT NOT NULL,
	name TEXT NOT NULL,
	size BIGINT NOT NULL,
	content_type TEXT NOT NULL,
	sort INTEGER NOT NULL,
	PRIMARY KEY (record_id, hash)
);

CREATE TABLE info_index_counters (
	org_id TEXT NOT NULL REFERENCES orgs(id),
	year INTEGER NOT NULL,
	last INTEGER NOT NULL,
	PRIMARY KEY (org_id, year)
);

-- Review flow per org: the roles that approve, in order, after the editor
-- submits. Absent = the default 审核员 → 分管领导.
CREATE TABLE info_review_flows (
	org_id TEXT PRIMARY KEY REFERENCES orgs(id),
	steps TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Years of the working-day calendar entered by administrators (the
-- built-in years ship in the binary); stored in the file format of
-- workday.FormatYearFile.
CREATE TABLE workday_years (
	year INTEGER PRIMARY KEY,
	body TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	updated_by TEXT NOT NULL
);
