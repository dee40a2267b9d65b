-- 监督考核: check runs and the findings they keep (one row per rule and
-- object, so a re-run updates it instead of adding a duplicate), the spans
-- of days each finding was seen (scores count a finding in every period it
-- was seen in), rectification tickets with their thread of events, bonus
-- points, score snapshots per period, and the configuration (thresholds,
-- indicator table) as JSON.

CREATE TABLE supervise_config (
	name TEXT PRIMARY KEY,
	body TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	updated_by TEXT NOT NULL
);

-- One row whose update serialises the writing part of check runs on both
-- engines (the same row-lock pattern as audit_head).
CREATE TABLE supervise_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	runs BIGINT NOT NULL
);
INSERT INTO supervise_state (id, runs) VALUES (1, 0);

CREATE TABLE supervise_runs (
	id TEXT PRIMARY KEY,
	started_at TEXT NOT NULL,
	finished_at TEXT NOT NULL,
	as_of TEXT NOT NULL,
	run_kind TEXT NOT NULL,
	actor_name TEXT NOT NULL,
	scope_org_id TEXT NOT NULL DEFAULT '',
	open_count INTEGER NOT NULL,
	new_count INTEGER NOT NULL,
	resolved_count INTEGER NOT NULL,
	closed_tickets INTEGER NOT NULL,
	reopened_tickets INTEGER NOT NULL,
	escalated_tickets INTEGER NOT NULL,
	errors TEXT NOT NULL DEFAULT '',
	config TEXT NOT NULL
);
CREATE INDEX supervise_runs_as_of ON supervise_runs(as_of, started_at);

-- Open findings per org and rule after each run: the trend charts.
CREATE TABLE supervise_run_counts (
	run_id TEXT NOT NULL REFERENCES supervise_runs(id),
	org_id TEXT NOT NULL,
	rule TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (run_id, org_id, rule)
);

-- The daily scheduled run is claimed here first, so replicas run it once.
CREATE TABLE supervise_schedule (
	day TEXT PRIMARY KEY,
	claimed_at TEXT NOT NULL
);

CREATE TABLE supervise_findings (
	id TEXT PRIMARY KEY,
	fkey TEXT NOT NULL UNIQUE,
	rule TEXT NOT NULL,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	object_type TEXT NOT NULL,
	object_id TEXT NOT NULL,
	object_label TEXT NOT NULL,
	link TEXT NOT NULL,
	severity TEXT NOT NULL,
	evidence TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
	first_seen TEXT NOT NULL,
	last_seen TEXT NOT NULL,
	resolved_at TEXT NOT NULL DEFAULT '',
	times_seen INTEGER NOT NULL DEFAULT 1,
	occurrences INTEGER NOT NULL DEFAULT 1,
	updated_at TEXT NOT NULL
);
CREATE INDEX supervise_findings_org ON supervise_findings(org_id, status, rule);
CREATE INDEX supervise_findings_rule ON supervise_findings(rule, status);

-- Days (YYYY-MM-DD, the runs' as-of days) a finding was seen: a new span
-- each time it (re)appears.
CREATE TABLE supervise_finding_spans (
	finding_id TEXT NOT NULL REFERENCES supervise_findings(id),
	seq INTEGER NOT NULL,
	from_on TEXT NOT NULL,
	to_on TEXT NOT NULL,
	PRIMARY KEY (finding_id, seq)
);
CREATE INDEX supervise_finding_spans_days ON supervise_finding_spans(from_on, to_on);

CREATE TABLE supervise_counters (
	name TEXT NOT NULL,
	year INTEGER NOT NULL,
	last INTEGER NOT NULL,
	PRIMARY KEY (name, year)
);

CREATE TABLE supervise_tickets (
	id TEXT PRIMARY KEY,
	ticket_no TEXT NOT NULL UNIQUE,
	finding_id TEXT NOT NULL REFERENCES supervise_findings(id),
	org_id TEXT NOT NULL REFERENCES orgs(id),
	status TEXT NOT NULL CHECK (status IN ('open', 'replied', 'closed')),
	resolution TEXT NOT NULL DEFAULT '',
	request TEXT NOT NULL,
	days INTEGER NOT NULL,
	opened_on TEXT NOT NULL,
	due_on TEXT NOT NULL,
	reply TEXT NOT NULL DEFAULT '',
	replied_on TEXT NOT NULL DEFAULT '',
	replied_by TEXT NOT NULL DEFAULT '',
	closed_on TEXT NOT NULL DEFAULT '',
	escalated_on TEXT NOT NULL DEFAULT '',
	reopen_count INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
-- At most one ticket in progress per finding.
CREATE UNIQUE INDEX supervise_tickets_active ON supervise_tickets(finding_id) WHERE status <> 'closed';
CREATE INDEX supervise_tickets_org ON supervise_tickets(org_id, status);

CREATE TABLE supervise_ticket_events (
	ticket_id TEXT NOT NULL REFERENCES supervise_tickets(id),
	seq INTEGER NOT NULL,
	kind TEXT NOT NULL,
	on_date TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	actor_id TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL DEFAULT '',
	at TEXT NOT NULL,
	PRIMARY KEY (ticket_id, seq)
);

-- Points are stored in tenths (97.5 points = 975).
CREATE TABLE supervise_bonuses (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	period TEXT NOT NULL,
	points INTEGER NOT NULL,
	reason TEXT NOT NULL,
	actor_name TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX supervise_bonuses_period ON supervise_bonuses(period, org_id);

-- A computed period: the indicator table as it was, kept so a later change
-- of the table does not rewrite the period's results.
CREATE TABLE supervise_scores (
	id TEXT PRIMARY KEY,
	period TEXT NOT NULL,
	version INTEGER NOT NULL,
	scope_org_id TEXT NOT NULL DEFAULT '',
	indicators TEXT NOT NULL,
	as_of TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	computed_by TEXT NOT NULL,
	computed_at TEXT NOT NULL,
	UNIQUE (period, scope_org_id, version)
);

CREATE TABLE supervise_score_rows (
	score_id TEXT NOT NULL REFERENCES supervise_scores(id),
	org_id TEXT NOT NULL REFERENCES orgs(id),
	base INTEGER NOT NULL,
	bonus INTEGER NOT NULL,
	final INTEGER NOT NULL,
	grade TEXT NOT NULL,
	vetoed BOOLEAN NOT NULL,
	position INTEGER NOT NULL,
	items TEXT NOT NULL,
	PRIMARY KEY (score_id, org_id)
);
