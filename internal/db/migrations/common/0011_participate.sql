-- 公众参与: the annual 重大行政决策事项目录 with every stage of each
-- decision, solicitations of opinions (征求意见) with their draft, files,
-- comments and the adoption report (采纳情况). Commenters' names, contacts
-- and addresses stay in participate_comments and are never shown publicly.

CREATE TABLE participate_decisions (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),          -- 决策机关 whose catalog lists it
	year INTEGER NOT NULL,
	seq INTEGER NOT NULL,                              -- 序号 in the year's catalog
	title TEXT NOT NULL,
	undertaker_id TEXT NOT NULL REFERENCES orgs(id),   -- 决策承办单位
	basis TEXT NOT NULL DEFAULT '',                    -- 决策依据和背景
	planned TEXT NOT NULL DEFAULT '',                  -- 计划完成时间
	status TEXT NOT NULL CHECK (status IN ('draft', 'listed', 'removed')),
	listed_on TEXT NOT NULL DEFAULT '',
	removed_reason TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (org_id, year, seq)
);
CREATE INDEX participate_decisions_year ON participate_decisions(year, status);

-- One row per recorded stage. Which columns a stage uses depends on its
-- kind (participate.StageKinds): a hearing has its date, the day the
-- participant list was published and the day materials were sent.
CREATE TABLE participate_stages (
	decision_id TEXT NOT NULL REFERENCES participate_decisions(id),
	kind TEXT NOT NULL,
	on_date TEXT NOT NULL DEFAULT '',
	end_date TEXT NOT NULL DEFAULT '',
	list_on TEXT NOT NULL DEFAULT '',
	materials_on TEXT NOT NULL DEFAULT '',
	participants TEXT NOT NULL DEFAULT '',
	url TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL,
	PRIMARY KEY (decision_id, kind)
);

CREATE TABLE participate_solicitations (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	decision_id TEXT REFERENCES participate_decisions(id),
	title TEXT NOT NULL,
	draft_html TEXT NOT NULL,                          -- sanitized on save
	explanation_html TEXT NOT NULL,                    -- 起草说明, sanitized on save
	how_to TEXT NOT NULL DEFAULT '',                   -- other ways to comment (letter, e-mail)
	start_on TEXT NOT NULL,
	end_on TEXT NOT NULL,                              -- inclusive
	major BOOLEAN NOT NULL DEFAULT FALSE,              -- 重大行政决策 (第713号令)
	shorten_reason TEXT NOT NULL DEFAULT '',           -- published when a major one runs < 30 days
	status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'reported')),
	published_on TEXT NOT NULL DEFAULT '',
	report_summary TEXT NOT NULL DEFAULT '',
	reported_on TEXT NOT NULL DEFAULT '',
	comment_seq INTEGER NOT NULL DEFAULT 0,            -- last comment number; its update serialises submissions
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX participate_solicitations_status ON participate_solicitations(status, end_on);
CREATE INDEX participate_solicitations_org ON participate_solicitations(org_id);
CREATE INDEX participate_solicitations_decision ON participate_solicitations(decision_id);

CREATE TABLE participate_files (
	solicitation_id TEXT NOT NULL REFERENCES participate_solicitations(id),
	hash TEXT NOT NULL REFERENCES blobs(hash),
	name TEXT NOT NULL,
	size BIGINT NOT NULL,
	content_type TEXT NOT NULL,
	sort INTEGER NOT NULL,
	PRIMARY KEY (solicitation_id, hash)
);

-- Groups of comments answered together in the adoption report.
CREATE TABLE participate_groups (
	id TEXT PRIMARY KEY,
	solicitation_id TEXT NOT NULL REFERENCES participate_solicitations(id),
	summary TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX participate_groups_solicitation ON participate_groups(solicitation_id);

CREATE TABLE participate_comments (
	id TEXT PRIMARY KEY,
	solicitation_id TEXT NOT NULL REFERENCES participate_solicitations(id),
	seq INTEGER NOT NULL,                              -- 第 N 条意见 within the solicitation
	receipt_no TEXT NOT NULL UNIQUE,                   -- the commenter's key to its status
	submit_key TEXT UNIQUE,                            -- makes a replayed form return the same comment
	body TEXT NOT NULL,                                -- as submitted (staff only)
	public_body TEXT NOT NULL,                         -- personal data masked: the only text ever shown
	para INTEGER NOT NULL DEFAULT 0,                   -- anchored paragraph (1-based), 0 = the whole draft
	passage TEXT NOT NULL DEFAULT '',
	passage_start INTEGER NOT NULL DEFAULT 0,          -- rune offsets of passage in the paragraph's text
	passage_end INTEGER NOT NULL DEFAULT 0,
	name TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
	flags TEXT NOT NULL DEFAULT '',                    -- review words that held it
	reject_reason TEXT NOT NULL DEFAULT '',
	reject_note TEXT NOT NULL DEFAULT '',
	moderated_by TEXT NOT NULL DEFAULT '',
	moderated_at TEXT NOT NULL DEFAULT '',
	norm_hash TEXT NOT NULL,
	minhash TEXT NOT NULL,
	dup_of TEXT,                                       -- the first comment of its duplicate cluster
	dup_kind TEXT NOT NULL DEFAULT '',                 -- '' | exact | near
	dup_score INTEGER NOT NULL DEFAULT 0,              -- similarity in percent
	group_id TEXT REFERENCES participate_groups(id),
	decision TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'adopted', 'partly', 'not_adopted')),
	reason TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	UNIQUE (solicitation_id, seq)
);
CREATE INDEX participate_comments_status ON participate_comments(solicitation_id, status, seq);
CREATE INDEX participate_comments_pending ON participate_comments(status, created_at);
CREATE INDEX participate_comments_group ON participate_comments(group_id);
