package supervise

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
)

// Finding is a stored finding.
type Finding struct {
	ID, Key, Rule, OrgID                    string
	ObjectType, ObjectID, ObjectLabel, Link string
	Severity                                Severity
	Evidence                                string
	Status                                  string // open, resolved
	FirstSeen, LastSeen, ResolvedAt         time.Time
	TimesSeen, Occurrences                  int
	// The finding's latest ticket, if any.
	TicketID, TicketNo, TicketStatus, TicketResolution string
}

// RuleName is the rule's Chinese name.
func (f Finding) RuleName() string { return RuleName(f.Rule) }

// Group is the rule's group.
func (f Finding) Group() string {
	r, _ := RuleByCode(f.Rule)
	return r.Group
}

// StatusLabel is the status in Chinese.
func (f Finding) StatusLabel() string {
	if f.Status == "open" {
		return "存在"
	}
	return "已消除"
}

// TicketActive reports whether the finding has a ticket in progress.
func (f Finding) TicketActive() bool { return f.TicketID != "" && f.TicketStatus != TicketClosed }

const findingColsF = `f.id, f.fkey, f.rule, f.org_id, f.object_type, f.object_id, f.object_label, f.link, f.severity, f.evidence,
	f.status, f.first_seen, f.last_seen, f.resolved_at, f.times_seen, f.occurrences`

// findingDest returns scan destinations for findingColsF and a func that
// converts the times once scanned.
func findingDest(f *Finding) ([]any, func()) {
	var sev, first, last, resolved string
	dest := []any{&f.ID, &f.Key, &f.Rule, &f.OrgID, &f.ObjectType, &f.ObjectID, &f.ObjectLabel, &f.Link, &sev, &f.Evidence,
		&f.Status, &first, &last, &resolved, &f.TimesSeen, &f.Occurrences}
	return dest, func() {
		f.Severity = Severity(sev)
		f.FirstSeen, f.LastSeen, f.ResolvedAt = db.MustTime(first), db.MustTime(last), db.MustTime(resolved)
	}
}

// latestTicket is a correlated subquery column: the newest ticket's field.
func latestTicket(col string) string {
	return `COALESCE((SELECT t.` + col + ` FROM supervise_tickets t WHERE t.finding_id = f.id ORDER BY t.created_at DESC, t.id DESC LIMIT 1), '')`
}

var findingSelect = "SELECT " + findingColsF + ", " + latestTicket("id") + ", " + latestTicket("ticket_no") + ", " +
	latestTicket("status") + ", " + latestTicket("resolution") + " FROM supervise_findings f"

func scanFinding(row interface{ Scan(...any) error }) (Finding, error) {
	var f Finding
	dest, finish := findingDest(&f)
	if err := row.Scan(append(dest, &f.TicketID, &f.TicketNo, &f.TicketStatus, &f.TicketResolution)...); err != nil {
		return f, err
	}
	finish()
	return f, nil
}

func (s *Service) getFinding(ctx context.Context, q db.Querier, id string) (Finding, error) {
	f, err := scanFinding(q.QueryRowContext(ctx, findingSelect+" WHERE f.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.NotFoundf("问题不存在或您无权查看")
	}
	return f, err
}

// Finding returns a finding if p may see it.
func (s *Service) Finding(ctx context.Context, p *org.Principal, id string) (Finding, error) {
	f, err := s.getFinding(ctx, s.DB.R, id)
	if err != nil {
		return f, err
	}
	ok, err := s.Orgs.Allowed(ctx, p, org.PermSuperviseView, f.OrgID)
	if err != nil {
		return f, err
	}
	if !ok {
		return Finding{}, apperr.NotFoundf("问题不存在或您无权查看")
	}
	return f, nil
}

// Span is a stretch of days a finding was seen.
type Span struct{ From, To string }

// Spans lists the days a finding was seen, oldest first.
func (s *Service) Spans(ctx context.Context, id string) ([]Span, error) {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT from_on, to_on FROM supervise_finding_spans WHERE finding_id = $1 ORDER BY seq", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Span
	for rows.Next() {
		var sp Span
		if err := rows.Scan(&sp.From, &sp.To); err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, rows.Err()
}

// FindingFilter selects findings for lists.
type FindingFilter struct {
	OrgIDs   []string // nil = all
	OrgID    string
	Rule     string
	Group    string
	Severity Severity
	Status   string // "open" (default), "resolved", "all"
	Ticket   string // "", "none" (no ticket in progress), "active"
	Limit    int    // <0: no limit; 0: 100
	Offset   int
}

// Findings lists findings, most serious first, then by org and rule.
func (s *Service) Findings(ctx context.Context, f FindingFilter) ([]Finding, int, error) {
	return s.findings(ctx, f)
}

func (s *Service) findings(ctx context.Context, f FindingFilter) ([]Finding, int, error) {
	where := " WHERE 1=1"
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where += inList("f.org_id", f.OrgIDs, &args)
	if f.OrgID != "" {
		where += " AND f.org_id = " + arg(f.OrgID)
	}
	if f.Rule != "" {
		where += " AND f.rule = " + arg(f.Rule)
	}
	if f.Group != "" {
		var codes []string
		for _, r := range RulesOf(f.Group) {
			codes = append(codes, r.Code)
		}
		where += inList("f.rule", codes, &args)
	}
	if f.Severity != "" {
		where += " AND f.severity = " + arg(string(f.Severity))
	}
	switch f.Status {
	case "", "open":
		where += " AND f.status = 'open'"
	case "resolved":
		where += " AND f.status = 'resolved'"
	}
	switch f.Ticket {
	case "none":
		where += " AND NOT EXISTS (SELECT 1 FROM supervise_tickets t WHERE t.finding_id = f.id AND t.status <> 'closed')"
	case "active":
		where += " AND EXISTS (SELECT 1 FROM supervise_tickets t WHERE t.finding_id = f.id AND t.status <> 'closed')"
	}
	var total int
	if err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM supervise_findings f"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := findingSelect + where + ` ORDER BY CASE f.severity WHEN 'veto' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
		f.org_id, f.rule, f.object_label, f.id`
	if f.Limit >= 0 {
		limit := f.Limit
		if limit == 0 || limit > 1000 {
			limit = 100
		}
		q += " LIMIT " + arg(limit) + " OFFSET " + arg(f.Offset)
	}
	rows, err := s.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		fd, err := scanFinding(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, fd)
	}
	return out, total, rows.Err()
}

// Count is a number of open findings for one org and rule.
type Count struct {
	OrgID, Rule string
	N           int
}

// OpenCounts counts open findings of orgIDs (nil = all) by org and rule.
func (s *Service) OpenCounts(ctx context.Context, orgIDs []string) ([]Count, error) {
	cs, err := s.countOpen(ctx, s.DB.R, orgIDs)
	if err != nil {
		return nil, err
	}
	out := make([]Count, len(cs))
	for i, c := range cs {
		out[i] = Count{c.org, c.rule, c.n}
	}
	return out, nil
}
