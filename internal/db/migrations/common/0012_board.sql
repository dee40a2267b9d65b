-- 留言 (the message board) and the policy Q&A knowledge base (政策问答).
-- Writers' names, contacts and addresses stay in board_messages and are
-- never shown publicly: the portal shows only the public_* texts, masked
-- when the message was published.

CREATE TABLE board_messages (
	id TEXT PRIMARY KEY,
	tracking_no TEXT NOT NULL UNIQUE,                  -- the writer's credential (LY-YYYY-XXXXXX-XXXXXX)
	submit_key TEXT UNIQUE,                            -- the form's token: a replayed form finds its message
	org_id TEXT NOT NULL REFERENCES orgs(id),          -- the org the message is routed to now (承办单位)
	first_org_id TEXT NOT NULL REFERENCES orgs(id),    -- the org the writer chose
	category TEXT NOT NULL,                            -- consult | suggest | complaint | correction
	limit_days INTEGER NOT NULL,                       -- the category's limit in working days when received
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	consent BOOLEAN NOT NULL DEFAULT FALSE,            -- the writer agreed to publication (masked)
	status TEXT NOT NULL CHECK (status IN ('held', 'received', 'accepted', 'replied', 'redirected', 'invalid')),
	flags TEXT NOT NULL DEFAULT '',                    -- review words that held it
	received_on TEXT NOT NULL,                         -- the clock's start (not counted)
	accepted_on TEXT NOT NULL DEFAULT '',              -- 受理日期 (the first acceptance)
	responded_on TEXT NOT NULL DEFAULT '',             -- 答复日期 (reply or referral to another channel)
	reply TEXT NOT NULL DEFAULT '',
	reply_org_id TEXT REFERENCES orgs(id),             -- 答复部门
	reply_by TEXT NOT NULL DEFAULT '',
	channel TEXT NOT NULL DEFAULT '',                  -- the channel a referred message belongs to
	invalid_reason TEXT NOT NULL DEFAULT '',
	public_title TEXT NOT NULL DEFAULT '',
	public_body TEXT NOT NULL DEFAULT '',
	public_reply TEXT NOT NULL DEFAULT '',
	published_at TEXT NOT NULL DEFAULT '',             -- '' = not public
	rating TEXT NOT NULL DEFAULT '' CHECK (rating IN ('', 'satisfied', 'basic', 'unsatisfied')),
	rating_comment TEXT NOT NULL DEFAULT '',
	rated_at TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX board_messages_org ON board_messages(org_id, status);
CREATE INDEX board_messages_received ON board_messages(received_on);
CREATE INDEX board_messages_responded ON board_messages(responded_on);
CREATE INDEX board_messages_published ON board_messages(published_at);

-- The handling history: every step, with the orgs a transfer moved the
-- message between, so the trail survives the routing.
CREATE TABLE board_history (
	message_id TEXT NOT NULL REFERENCES board_messages(id),
	seq INTEGER NOT NULL,
	kind TEXT NOT NULL,
	at TEXT NOT NULL,
	on_date TEXT NOT NULL,
	from_org_id TEXT NOT NULL DEFAULT '',
	to_org_id TEXT NOT NULL DEFAULT '',
	actor_id TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (message_id, seq)
);
CREATE INDEX board_history_from ON board_history(from_org_id);

CREATE TABLE board_qa (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	question TEXT NOT NULL,
	answer TEXT NOT NULL,
	keywords TEXT NOT NULL DEFAULT '',
	policy_id TEXT REFERENCES info_records(id),
	status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
	author_name TEXT NOT NULL DEFAULT '',
	published_on TEXT NOT NULL DEFAULT '',
	rev INTEGER NOT NULL DEFAULT 1,                    -- +1 on every change: SUM(rev) versions the suggestion cache
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX board_qa_status ON board_qa(status, updated_at);
CREATE INDEX board_qa_policy ON board_qa(policy_id);
