package supervise

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// Run kinds: who started a check.
const (
	RunManual   = "manual"   // 政务公开办 in the back office
	RunSchedule = "schedule" // the daily job in serve
	RunCLI      = "cli"      // gongkai check
)

// RunKindLabel names a run kind in Chinese.
func RunKindLabel(k string) string {
	switch k {
	case RunManual:
		return "手动检查"
	case RunSchedule:
		return "每日自动检查"
	case RunCLI:
		return "命令行检查"
	}
	return k
}

// Run is one check run.
type Run struct {
	ID                  string
	StartedAt, Finished time.Time
	AsOf                string
	Kind, ActorName     string
	ScopeOrgID          string // "" = every org
	Open, New, Resolved int
	ClosedTickets       int
	ReopenedTickets     int
	EscalatedTickets    int
	Errors              map[string]string // rule → why it could not be computed
}

// RunOptions choose what a run covers.
type RunOptions struct {
	ScopeOrgID string // the org whose subtree is checked; "" = all
	Kind       string
}

// RunResult is a run with the findings open in its scope afterwards.
type RunResult struct {
	Run      Run
	Findings []Finding
}

// RunFor is a check started by a person: over the subtree of scopeOrgID
// (their whole scope when ""), which they must hold supervise.manage for.
func (s *Service) RunFor(ctx context.Context, p *org.Principal, ip, scopeOrgID string) (RunResult, error) {
	if scopeOrgID == "" {
		root, err := s.rootID(ctx)
		if err != nil {
			return RunResult{}, err
		}
		ok, err := s.Orgs.Allowed(ctx, p, org.PermSuperviseManage, root)
		if err != nil {
			return RunResult{}, err
		}
		if !ok {
			// Not district-wide: the first org the person manages.
			scope, err := s.Orgs.Scope(ctx, p, org.PermSuperviseManage)
			if err != nil {
				return RunResult{}, err
			}
			if len(scope) == 0 {
				return RunResult{}, apperr.New(apperr.Forbidden, "只有政务公开办可以开展检查")
			}
			scopeOrgID = s.topOf(ctx, scope)
		}
	} else if ok, err := s.Orgs.Allowed(ctx, p, org.PermSuperviseManage, scopeOrgID); err != nil {
		return RunResult{}, err
	} else if !ok {
		return RunResult{}, apperr.New(apperr.Forbidden, "只有政务公开办可以开展检查")
	}
	return s.Run(ctx, p.Actor(ip), RunOptions{ScopeOrgID: scopeOrgID, Kind: RunManual})
}

// topOf is the org of scope nearest the root (a supervisor's grant).
func (s *Service) topOf(ctx context.Context, scope []string) string {
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil || len(scope) == 0 {
		return scope[0]
	}
	depth := org.Depth(all)
	best := scope[0]
	for _, id := range scope {
		if depth[id] < depth[best] {
			best = id
		}
	}
	return best
}

// scopeOrgs lists the orgs a run covers, in tree order.
func (s *Service) scopeOrgs(ctx context.Context, scopeOrgID string) ([]org.Org, error) {
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	if scopeOrgID == "" {
		return all, nil
	}
	ids, err := s.Orgs.Subtree(ctx, scopeOrgID)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, apperr.NotFoundf("机构不存在")
	}
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	var out []org.Org
	for _, o := range all {
		if in[o.ID] {
			out = append(out, o)
		}
	}
	return out, nil
}

type storedFinding struct {
	id, key, rule, org, status string
	occurrences                int
}

// Run checks the orgs of the scope as of today, then in one transaction
// updates the findings (new, seen again, resolved, back again), closes and
// reopens the tickets that depend on them, escalates overdue tickets and
// records the run with its counts and an evidence-chain event.
func (s *Service) Run(ctx context.Context, actor audit.Actor, opt RunOptions) (RunResult, error) {
	if opt.Kind == "" {
		opt.Kind = RunManual
	}
	started := s.now()
	today := workday.DateOf(started)
	cfg, err := s.Config(ctx)
	if err != nil {
		return RunResult{}, err
	}
	orgs, err := s.scopeOrgs(ctx, opt.ScopeOrgID)
	if err != nil {
		return RunResult{}, err
	}
	ev, err := s.evaluate(ctx, cfg, orgs, today)
	if err != nil {
		return RunResult{}, err
	}
	cal, calErr := s.Calendar(ctx)
	run := Run{ID: db.NewID(), StartedAt: started, AsOf: today.String(), Kind: opt.Kind, ActorName: actor.Name,
		ScopeOrgID: opt.ScopeOrgID, Errors: ev.failed}
	inScope := map[string]bool{}
	ids := make([]string, len(orgs))
	for i, o := range orgs {
		inScope[o.ID] = true
		ids[i] = o.ID
	}
	// One candidate per key: two rules never share a key, and a rule gives
	// an object once; the guard keeps a future rule's mistake from
	// violating the unique key mid-run.
	seen := map[string]bool{}
	var cands []Candidate
	for _, c := range ev.cands {
		if inScope[c.OrgID] && !seen[c.Key()] {
			seen[c.Key()] = true
			cands = append(cands, c)
		}
	}
	auditOrg := opt.ScopeOrgID
	if auditOrg == "" {
		if auditOrg, err = s.rootID(ctx); err != nil {
			return RunResult{}, err
		}
	}
	var newIDs, resolvedIDs []string
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE supervise_state SET runs = runs + 1 WHERE id = 1"); err != nil {
			return err
		}
		stored, err := s.storedFindings(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, c := range cands {
			rule, _ := RuleByCode(c.Rule)
			f, ok := stored[c.Key()]
			switch {
			case !ok:
				id := db.NewID()
				if _, err := tx.ExecContext(ctx, `INSERT INTO supervise_findings (id, fkey, rule, org_id, object_type, object_id,
					object_label, link, severity, evidence, status, first_seen, last_seen, updated_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $11, $11)`,
					id, c.Key(), c.Rule, c.OrgID, c.ObjectType, c.ObjectID, c.ObjectLabel, c.Link, string(rule.Severity), c.Evidence,
					db.Time(now)); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO supervise_finding_spans (finding_id, seq, from_on, to_on)
					VALUES ($1, 1, $2, $2)`, id, run.AsOf); err != nil {
					return err
				}
				newIDs = append(newIDs, id)
				run.New++
			case f.status == "open":
				if _, err := tx.ExecContext(ctx, `UPDATE supervise_findings SET object_label = $2, link = $3, severity = $4, evidence = $5,
					last_seen = $6, times_seen = times_seen + 1, updated_at = $6 WHERE id = $1`,
					f.id, c.ObjectLabel, c.Link, string(rule.Severity), c.Evidence, db.Time(now)); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE supervise_finding_spans SET to_on = $3
					WHERE finding_id = $1 AND seq = $2 AND to_on < $3`, f.id, f.occurrences, run.AsOf); err != nil {
					return err
				}
			default: // it came back
				if _, err := tx.ExecContext(ctx, `UPDATE supervise_findings SET object_label = $2, link = $3, severity = $4, evidence = $5,
					status = 'open', resolved_at = '', last_seen = $6, times_seen = times_seen + 1, occurrences = occurrences + 1,
					updated_at = $6 WHERE id = $1`, f.id, c.ObjectLabel, c.Link, string(rule.Severity), c.Evidence, db.Time(now)); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO supervise_finding_spans (finding_id, seq, from_on, to_on)
					VALUES ($1, $2, $3, $3)`, f.id, f.occurrences+1, run.AsOf); err != nil {
					return err
				}
				n, err := s.reopenTickets(ctx, tx, f.id, c, today, cal, calErr, actor, now)
				if err != nil {
					return err
				}
				run.ReopenedTickets += n
				newIDs = append(newIDs, f.id)
				run.New++
			}
		}
		for key, f := range stored {
			if f.status != "open" || seen[key] || ev.failed[f.rule] != "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE supervise_findings SET status = 'resolved', resolved_at = $2, updated_at = $2
				WHERE id = $1`, f.id, db.Time(now)); err != nil {
				return err
			}
			n, err := s.closeFixedTickets(ctx, tx, f.id, today, actor, now)
			if err != nil {
				return err
			}
			run.ClosedTickets += n
			resolvedIDs = append(resolvedIDs, f.id)
			run.Resolved++
		}
		if run.EscalatedTickets, err = s.escalate(ctx, tx, ids, today, actor, now); err != nil {
			return err
		}
		counts, err := s.countOpen(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, c := range counts {
			run.Open += c.n
		}
		run.Finished = s.now()
		errs, _ := json.Marshal(run.Errors)
		if len(run.Errors) == 0 {
			errs = nil
		}
		cfgJSON, _ := json.Marshal(cfg)
		if _, err := tx.ExecContext(ctx, `INSERT INTO supervise_runs (id, started_at, finished_at, as_of, run_kind, actor_name,
			scope_org_id, open_count, new_count, resolved_count, closed_tickets, reopened_tickets, escalated_tickets, errors, config)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			run.ID, db.Time(run.StartedAt), db.Time(run.Finished), run.AsOf, run.Kind, run.ActorName, run.ScopeOrgID, run.Open,
			run.New, run.Resolved, run.ClosedTickets, run.ReopenedTickets, run.EscalatedTickets, string(errs), string(cfgJSON)); err != nil {
			return err
		}
		for _, c := range counts {
			if _, err := tx.ExecContext(ctx, "INSERT INTO supervise_run_counts (run_id, org_id, rule, n) VALUES ($1, $2, $3, $4)",
				run.ID, c.org, c.rule, c.n); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("%s（截至 %s）：存在问题 %d 项（新发现 %d 项，已整改消除 %d 项）", RunKindLabel(run.Kind), today.Chinese(),
			run.Open, run.New, run.Resolved)
		if run.ClosedTickets+run.ReopenedTickets+run.EscalatedTickets > 0 {
			summary += fmt.Sprintf("；整改单自动办结 %d 件、重新打开 %d 件、督办 %d 件", run.ClosedTickets, run.ReopenedTickets, run.EscalatedTickets)
		}
		if len(run.Errors) > 0 {
			summary += fmt.Sprintf("；%d 条规则未能计算", len(run.Errors))
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: auditOrg, Action: "supervise.run",
			ObjectType: "supervise_run", ObjectID: run.ID, Summary: summary,
			After: map[string]any{"as_of": run.AsOf, "scope": run.ScopeOrgID, "open": run.Open, "new": newIDs,
				"resolved": resolvedIDs, "errors": run.Errors}})
		return err
	})
	if err != nil {
		return RunResult{}, err
	}
	fs, _, err := s.findings(ctx, FindingFilter{OrgIDs: ids, Status: "open", Limit: -1})
	if err != nil {
		return RunResult{}, err
	}
	return RunResult{Run: run, Findings: fs}, nil
}

func (s *Service) storedFindings(ctx context.Context, q db.Querier, orgIDs []string) (map[string]storedFinding, error) {
	args := []any{}
	rows, err := q.QueryContext(ctx, "SELECT id, fkey, rule, org_id, status, occurrences FROM supervise_findings WHERE 1=1"+
		inList("org_id", orgIDs, &args), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]storedFinding{}
	for rows.Next() {
		var f storedFinding
		if err := rows.Scan(&f.id, &f.key, &f.rule, &f.org, &f.status, &f.occurrences); err != nil {
			return nil, err
		}
		out[f.key] = f
	}
	return out, rows.Err()
}

type ruleCount struct {
	org, rule string
	n         int
}

func (s *Service) countOpen(ctx context.Context, q db.Querier, orgIDs []string) ([]ruleCount, error) {
	args := []any{}
	rows, err := q.QueryContext(ctx, "SELECT org_id, rule, COUNT(*) FROM supervise_findings WHERE status = 'open'"+
		inList("org_id", orgIDs, &args)+" GROUP BY org_id, rule ORDER BY org_id, rule", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ruleCount
	for rows.Next() {
		var c ruleCount
		if err := rows.Scan(&c.org, &c.rule, &c.n); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// inList appends " AND col IN (…)" for ids (nil = no condition, empty =
// nothing matches).
func inList(col string, ids []string, args *[]any) string {
	if ids == nil {
		return ""
	}
	if len(ids) == 0 {
		return " AND 1=0"
	}
	ph := make([]string, len(ids))
	for i, id := range ids {
		*args = append(*args, id)
		ph[i] = "$" + strconv.Itoa(len(*args))
	}
	return " AND " + col + " IN (" + strings.Join(ph, ", ") + ")"
}

// --- run history ---

// Runs lists the latest runs, newest first.
func (s *Service) Runs(ctx context.Context, limit int) ([]Run, error) {
	if limit <= 0 || limit > 500 {
		limit = 20
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, started_at, finished_at, as_of, run_kind, actor_name, scope_org_id, open_count,
		new_count, resolved_count, closed_tickets, reopened_tickets, escalated_tickets, errors
		FROM supervise_runs ORDER BY started_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var started, finished, errs string
		if err := rows.Scan(&r.ID, &started, &finished, &r.AsOf, &r.Kind, &r.ActorName, &r.ScopeOrgID, &r.Open, &r.New, &r.Resolved,
			&r.ClosedTickets, &r.ReopenedTickets, &r.EscalatedTickets, &errs); err != nil {
			return nil, err
		}
		r.StartedAt, r.Finished = db.MustTime(started), db.MustTime(finished)
		if errs != "" {
			json.Unmarshal([]byte(errs), &r.Errors)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TrendPoint is the open findings after one run, per rule group.
type TrendPoint struct {
	RunID   string
	AsOf    string
	At      time.Time
	Total   int
	ByGroup map[string]int
}

// Trend gives the open findings of orgIDs (nil = all) after each of the
// latest limit runs, oldest first: one point per as-of day (the day's last
// run), so several runs in a day do not crowd the chart. Only runs over
// every org or over scope count: a run over one street alone would look
// like a drop in the district's total.
func (s *Service) Trend(ctx context.Context, orgIDs []string, scope string, limit int) ([]TrendPoint, error) {
	if limit <= 0 {
		limit = 12
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, as_of, started_at FROM supervise_runs WHERE scope_org_id IN ('', $1)
		ORDER BY started_at DESC, id DESC LIMIT 500`, scope)
	if err != nil {
		return nil, err
	}
	var pts []TrendPoint
	days := map[string]bool{}
	for rows.Next() {
		var p TrendPoint
		var at string
		if err := rows.Scan(&p.RunID, &p.AsOf, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if days[p.AsOf] || len(pts) >= limit {
			continue
		}
		days[p.AsOf] = true
		p.At = db.MustTime(at)
		p.ByGroup = map[string]int{}
		pts = append(pts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range pts {
		args := []any{pts[i].RunID}
		r, err := s.DB.R.QueryContext(ctx, "SELECT rule, SUM(n) FROM supervise_run_counts WHERE run_id = $1"+
			inList("org_id", orgIDs, &args)+" GROUP BY rule", args...)
		if err != nil {
			return nil, err
		}
		for r.Next() {
			var rule string
			var n int
			if err := r.Scan(&rule, &n); err != nil {
				r.Close()
				return nil, err
			}
			if ru, ok := RuleByCode(rule); ok {
				pts[i].ByGroup[ru.Group] += n
			}
			pts[i].Total += n
		}
		r.Close()
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].At.Before(pts[j].At) })
	return pts, nil
}
