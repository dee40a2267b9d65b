package supervise

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// --- periods ---

// Period is an assessment period: a quarter, a half-year or a year.
type Period struct {
	Code     string // 2026-Q3, 2026-H1, 2026
	Kind     string // quarter, half, year
	From, To workday.Date
}

var periodRE = regexp.MustCompile(`^(\d{4})(?:-([QqHh])([1-4]))?$`)

// ParsePeriod reads 2026-Q3, 2026-H2 or 2026.
func ParsePeriod(s string) (Period, error) {
	m := periodRE.FindStringSubmatch(strings.TrimSpace(s))
	bad := apperr.Field("period", "考核期间应写作 2026-Q3（季度）、2026-H1（半年）或 2026（年度）")
	if m == nil {
		return Period{}, bad
	}
	y, _ := strconv.Atoi(m[1])
	if y < 2000 || y > 2100 {
		return Period{}, apperr.Field("period", "考核年度应在 2000–2100 之间")
	}
	n, _ := strconv.Atoi(m[3])
	switch strings.ToUpper(m[2]) {
	case "":
		return yearPeriod(y), nil
	case "Q":
		return quarterPeriod(y, n), nil
	case "H":
		if n > 2 {
			return Period{}, bad
		}
		return halfPeriod(y, n), nil
	}
	return Period{}, bad
}

func date(y int, m time.Month, d int) workday.Date { return workday.Date{Year: y, Month: m, Day: d} }

func endOfMonth(y int, m time.Month) workday.Date {
	return date(y, m, time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day())
}

func quarterPeriod(y, q int) Period {
	first := time.Month(3*(q-1) + 1)
	return Period{Code: fmt.Sprintf("%d-Q%d", y, q), Kind: "quarter", From: date(y, first, 1), To: endOfMonth(y, first+2)}
}

func halfPeriod(y, h int) Period {
	first := time.Month(6*(h-1) + 1)
	return Period{Code: fmt.Sprintf("%d-H%d", y, h), Kind: "half", From: date(y, first, 1), To: endOfMonth(y, first+5)}
}

func yearPeriod(y int) Period {
	return Period{Code: strconv.Itoa(y), Kind: "year", From: date(y, 1, 1), To: date(y, 12, 31)}
}

// PeriodOf is the period of a kind (quarter, half, year) containing d.
func PeriodOf(kind string, d workday.Date) Period {
	switch kind {
	case "half":
		return halfPeriod(d.Year, (int(d.Month)-1)/6+1)
	case "year":
		return yearPeriod(d.Year)
	}
	return quarterPeriod(d.Year, (int(d.Month)-1)/3+1)
}

// Prev is the period of the same kind before p.
func (p Period) Prev() Period { return PeriodOf(p.Kind, p.From.AddDays(-1)) }

// Label is the period in Chinese: 2026年第三季度, 2026年上半年, 2026年度.
func (p Period) Label() string {
	switch p.Kind {
	case "quarter":
		return fmt.Sprintf("%d年第%s季度", p.From.Year, []string{"一", "二", "三", "四"}[(int(p.From.Month)-1)/3])
	case "half":
		if p.From.Month == time.January {
			return fmt.Sprintf("%d年上半年", p.From.Year)
		}
		return fmt.Sprintf("%d年下半年", p.From.Year)
	}
	return fmt.Sprintf("%d年度", p.From.Year)
}

// --- computing ---

// ScoreItem is one counted finding (or escalated ticket) of a deduction.
type ScoreItem struct {
	Rule     string `json:"rule"`
	Label    string `json:"label"`
	Evidence string `json:"evidence"`
	Link     string `json:"link,omitempty"`
}

// Line is one indicator's result for a unit.
type Line struct {
	Code   string      `json:"code"`
	Name   string      `json:"name"`
	Kind   string      `json:"kind"`
	Count  int         `json:"count"`
	Per    Points      `json:"per,omitempty"`
	Weight Points      `json:"weight,omitempty"`
	Points Points      `json:"points,omitempty"` // deducted (capped at Weight)
	Capped bool        `json:"capped,omitempty"`
	Vetoed bool        `json:"vetoed,omitempty"`
	Items  []ScoreItem `json:"items,omitempty"`
}

// BonusItem is bonus points a unit was given for a period.
type BonusItem struct {
	ID     string    `json:"id"`
	Points Points    `json:"points"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// OrgScore is a unit's result for a period, with every deduction itemised.
type OrgScore struct {
	OrgID     string      `json:"org_id"`
	OrgName   string      `json:"org_name"`
	Base      Points      `json:"base"`
	Bonus     Points      `json:"bonus"`   // counted
	Claimed   Points      `json:"claimed"` // given, before the threshold and cap
	Final     Points      `json:"final"`
	Grade     string      `json:"grade"`
	Vetoed    bool        `json:"vetoed"`
	Rank      int         `json:"rank"`
	Lines     []Line      `json:"lines"`
	Bonuses   []BonusItem `json:"bonuses,omitempty"`
	BonusNote string      `json:"bonus_note,omitempty"`
}

// Deducted is the total of the deductions.
func (o OrgScore) Deducted() Points { return Base - o.Base }

// VetoNames lists the veto items that failed the unit.
func (o OrgScore) VetoNames() []string {
	var out []string
	for _, l := range o.Lines {
		if l.Vetoed {
			out = append(out, l.Name)
		}
	}
	return out
}

// Performance is the score weighted into the unit's performance
// assessment (Final × weight%), or 0 for a veto.
func (o OrgScore) Performance(weight int) Points {
	if o.Vetoed {
		return 0
	}
	return Points((int(o.Final)*weight + 50) / 100)
}

// Scores is a period's results for a scope.
type Scores struct {
	Period  Period
	AsOf    string // the last day counted (the period's end, or today while it runs)
	Table   Table
	Rows    []OrgScore
	Runs    int // check runs inside the period
	Saved   *Snapshot
	Preview bool // computed now, not a stored snapshot
}

// Snapshot describes a stored computation.
type Snapshot struct {
	ID, Period, ScopeOrgID string
	Version                int
	AsOf, Note             string
	ComputedBy             string
	ComputedAt             time.Time
}

// ComputeScores computes a period's results for the units of orgIDs with
// the table in force, without storing them.
func (s *Service) ComputeScores(ctx context.Context, orgIDs []string, period Period) (Scores, error) {
	t, err := s.Table(ctx)
	if err != nil {
		return Scores{}, err
	}
	return s.compute(ctx, s.DB.R, orgIDs, period, t)
}

func (s *Service) compute(ctx context.Context, q db.Querier, orgIDs []string, period Period, t Table) (Scores, error) {
	today := s.Today()
	if period.From.After(today) {
		return Scores{}, apperr.Field("period", period.Label()+"尚未开始，不能计算得分")
	}
	asOf := period.To
	if asOf.After(today) {
		asOf = today
	}
	from, to := period.From.String(), asOf.String()
	var runs int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM supervise_runs WHERE as_of >= $1 AND as_of <= $2", from, to).Scan(&runs); err != nil {
		return Scores{}, err
	}
	if runs == 0 {
		return Scores{}, apperr.Field("period", period.Label()+"（"+period.From.Chinese()+"至"+asOf.Chinese()+"）没有检查记录，无法计算得分：请先开展检查")
	}
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return Scores{}, err
	}
	want := map[string]bool{}
	for _, id := range orgIDs {
		want[id] = true
	}
	res := Scores{Period: period, AsOf: to, Table: t, Runs: runs}
	byOrg := map[string]*OrgScore{}
	for _, o := range all {
		if (orgIDs == nil || want[o.ID]) && slices.Contains(t.ScoredKinds, o.Kind) {
			res.Rows = append(res.Rows, OrgScore{OrgID: o.ID, OrgName: o.Name})
		}
	}
	ids := make([]string, len(res.Rows))
	for i := range res.Rows {
		byOrg[res.Rows[i].OrgID] = &res.Rows[i]
		ids[i] = res.Rows[i].OrgID
	}
	if len(ids) == 0 {
		return res, nil
	}
	// What counted per org and rule: findings seen inside the period, and
	// escalations that happened inside it.
	counted := map[string]map[string][]ScoreItem{}
	note := func(orgID, rule string, it ScoreItem) {
		if counted[orgID] == nil {
			counted[orgID] = map[string][]ScoreItem{}
		}
		counted[orgID][rule] = append(counted[orgID][rule], it)
	}
	args := []any{from, to}
	rows, err := q.QueryContext(ctx, `SELECT f.org_id, f.rule, f.object_label, f.evidence, f.link FROM supervise_findings f
		WHERE EXISTS (SELECT 1 FROM supervise_finding_spans sp WHERE sp.finding_id = f.id AND sp.from_on <= $2 AND sp.to_on >= $1)`+
		inList("f.org_id", ids, &args)+` ORDER BY f.org_id, f.rule, f.object_label`, args...)
	if err != nil {
		return Scores{}, err
	}
	for rows.Next() {
		var orgID, rule string
		var it ScoreItem
		if err := rows.Scan(&orgID, &rule, &it.Label, &it.Evidence, &it.Link); err != nil {
			rows.Close()
			return Scores{}, err
		}
		it.Rule = rule
		note(orgID, rule, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Scores{}, err
	}
	args = []any{from, to}
	rows, err = q.QueryContext(ctx, `SELECT t.org_id, t.id, t.ticket_no, e.on_date, f.object_label FROM supervise_ticket_events e
		JOIN supervise_tickets t ON t.id = e.ticket_id JOIN supervise_findings f ON f.id = t.finding_id
		WHERE e.kind = 'escalate' AND e.on_date >= $1 AND e.on_date <= $2`+inList("t.org_id", ids, &args)+
		` ORDER BY t.org_id, e.on_date, t.ticket_no`, args...)
	if err != nil {
		return Scores{}, err
	}
	for rows.Next() {
		var orgID, id, no, on, label string
		if err := rows.Scan(&orgID, &id, &no, &on, &label); err != nil {
			rows.Close()
			return Scores{}, err
		}
		d, _ := workday.ParseDate(on)
		note(orgID, CountTicketEscalated, ScoreItem{Rule: CountTicketEscalated, Label: "整改单 " + no,
			Evidence: fmt.Sprintf("%s（%s）逾期未反馈，%s 列入督办", no, label, d.Chinese()), Link: "/admin/supervise/tickets/" + id})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Scores{}, err
	}
	bonuses, err := s.bonuses(ctx, q, period.Code, ids)
	if err != nil {
		return Scores{}, err
	}
	for i := range res.Rows {
		o := &res.Rows[i]
		o.Base = Base
		for _, in := range t.Indicators {
			l := Line{Code: in.Code, Name: in.Name, Kind: in.Kind, Per: in.Per, Weight: in.Weight}
			for _, r := range in.Rules {
				l.Items = append(l.Items, counted[o.OrgID][r]...)
			}
			l.Count = len(l.Items)
			switch in.Kind {
			case KindDeduct:
				l.Points = Points(l.Count) * in.Per
				if l.Points > in.Weight {
					l.Points, l.Capped = in.Weight, true
				}
				o.Base -= l.Points
			case KindVeto:
				if l.Count >= in.Threshold {
					l.Vetoed, o.Vetoed = true, true
				}
			}
			o.Lines = append(o.Lines, l)
		}
		if o.Base < 0 {
			o.Base = 0
		}
		o.Bonuses = bonuses[o.OrgID]
		for _, b := range o.Bonuses {
			o.Claimed += b.Points
		}
		switch {
		case o.Claimed == 0:
		case o.Vetoed:
			o.BonusNote = "单项否决，加分不计"
		case o.Base <= t.BonusThreshold:
			o.BonusNote = fmt.Sprintf("扣分指标得分 %s 分，未超过 %s 分，加分不计", o.Base, t.BonusThreshold)
		default:
			o.Bonus = min(o.Claimed, t.BonusMax)
			if o.Bonus < o.Claimed {
				o.BonusNote = fmt.Sprintf("加分合计 %s 分，按上限计 %s 分", o.Claimed, t.BonusMax)
			}
		}
		o.Final = o.Base + o.Bonus
		o.Grade = t.Grade(o.Final, o.Vetoed)
	}
	rank(res.Rows)
	return res, nil
}

// rank orders rows (vetoed units after the others, then by final score)
// and numbers them; equal results share a rank.
func rank(rows []OrgScore) {
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Vetoed != rows[j].Vetoed {
			return !rows[i].Vetoed
		}
		return rows[i].Final > rows[j].Final
	})
	for i := range rows {
		if i > 0 && rows[i].Vetoed == rows[i-1].Vetoed && rows[i].Final == rows[i-1].Final {
			rows[i].Rank = rows[i-1].Rank
		} else {
			rows[i].Rank = i + 1
		}
	}
}

// --- snapshots ---

// SaveScores computes a period for the person's scope and stores it as a
// new version; earlier versions stay readable.
func (s *Service) SaveScores(ctx context.Context, p *org.Principal, ip, periodCode, note string) (Scores, error) {
	period, err := ParsePeriod(periodCode)
	if err != nil {
		return Scores{}, err
	}
	note = cleanText(note)
	if utf8.RuneCountInString(note) > 200 {
		return Scores{}, apperr.Field("note", "说明最多 200 字")
	}
	scope, ids, err := s.ManageScope(ctx, p)
	if err != nil {
		return Scores{}, err
	}
	t, err := s.Table(ctx)
	if err != nil {
		return Scores{}, err
	}
	var res Scores
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if res, err = s.compute(ctx, tx, ids, period, t); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM supervise_scores WHERE period = $1 AND scope_org_id = $2",
			period.Code, scope).Scan(&version); err != nil {
			return err
		}
		tj, _ := json.Marshal(t)
		snap := Snapshot{ID: db.NewID(), Period: period.Code, ScopeOrgID: scope, Version: version, AsOf: res.AsOf, Note: note,
			ComputedBy: p.User.DisplayName, ComputedAt: now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO supervise_scores (id, period, version, scope_org_id, indicators, as_of, note,
			computed_by, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, snap.ID, snap.Period, snap.Version, scope,
			string(tj), snap.AsOf, note, snap.ComputedBy, db.Time(now)); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "该期间刚刚已存档，请刷新后查看")
			}
			return err
		}
		for _, r := range res.Rows {
			items, _ := json.Marshal(r)
			if _, err := tx.ExecContext(ctx, `INSERT INTO supervise_score_rows (score_id, org_id, base, bonus, final, grade, vetoed,
				position, items) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, snap.ID, r.OrgID, int(r.Base), int(r.Bonus), int(r.Final),
				r.Grade, r.Vetoed, r.Rank, string(items)); err != nil {
				return err
			}
		}
		res.Saved = &snap
		failed := 0
		for _, r := range res.Rows {
			if r.Grade == "不合格" {
				failed++
			}
		}
		summary := fmt.Sprintf("存档%s考核结果（第 %d 版，%d 个单位，不合格 %d 个）", period.Label(), version, len(res.Rows), failed)
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: scope, Action: "supervise.score.save",
			ObjectType: "supervise_score", ObjectID: snap.ID, Summary: summary,
			After: map[string]any{"period": period.Code, "version": version, "as_of": res.AsOf, "units": len(res.Rows)}})
		return err
	})
	return res, err
}

// ManageScope is the org whose subtree p supervises (the root for the
// district office) and the ids in it; Forbidden for anyone else.
func (s *Service) ManageScope(ctx context.Context, p *org.Principal) (string, []string, error) {
	scope, err := s.Orgs.Scope(ctx, p, org.PermSuperviseManage)
	if err != nil {
		return "", nil, err
	}
	if len(scope) == 0 {
		return "", nil, apperr.New(apperr.Forbidden, "只有政务公开办可以进行此操作")
	}
	top := s.topOf(ctx, scope)
	ids, err := s.Orgs.Subtree(ctx, top)
	return top, ids, err
}

// Snapshot loads the latest (version 0) or a given version of a period
// stored for a scope, with its rows; nil when there is none.
func (s *Service) Snapshot(ctx context.Context, scope, period string, version int) (*Scores, error) {
	q := `SELECT id, period, version, scope_org_id, indicators, as_of, note, computed_by, computed_at FROM supervise_scores
		WHERE period = $1 AND scope_org_id = $2`
	args := []any{period, scope}
	if version > 0 {
		q += " AND version = $3"
		args = append(args, version)
	}
	q += " ORDER BY version DESC LIMIT 1"
	var snap Snapshot
	var tj, at string
	err := s.DB.R.QueryRowContext(ctx, q, args...).Scan(&snap.ID, &snap.Period, &snap.Version, &snap.ScopeOrgID, &tj, &snap.AsOf,
		&snap.Note, &snap.ComputedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	snap.ComputedAt = db.MustTime(at)
	p, err := ParsePeriod(snap.Period)
	if err != nil {
		return nil, err
	}
	res := &Scores{Period: p, AsOf: snap.AsOf, Saved: &snap}
	if err := json.Unmarshal([]byte(tj), &res.Table); err != nil {
		return nil, fmt.Errorf("supervise score %s: %w", snap.ID, err)
	}
	rows, err := s.DB.R.QueryContext(ctx, "SELECT items FROM supervise_score_rows WHERE score_id = $1 ORDER BY position, org_id", snap.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var items string
		if err := rows.Scan(&items); err != nil {
			return nil, err
		}
		var o OrgScore
		if err := json.Unmarshal([]byte(items), &o); err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, o)
	}
	return res, rows.Err()
}

// Versions lists a period's stored versions, newest first.
func (s *Service) Versions(ctx context.Context, scope, period string) ([]Snapshot, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, period, version, as_of, note, computed_by, computed_at FROM supervise_scores
		WHERE period = $1 AND scope_org_id = $2 ORDER BY version DESC`, period, scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		var sn Snapshot
		var at string
		if err := rows.Scan(&sn.ID, &sn.Period, &sn.Version, &sn.AsOf, &sn.Note, &sn.ComputedBy, &at); err != nil {
			return nil, err
		}
		sn.ScopeOrgID, sn.ComputedAt = scope, db.MustTime(at)
		out = append(out, sn)
	}
	return out, rows.Err()
}

// TrendRow is one unit's final scores across stored periods.
type TrendRow struct {
	OrgID, OrgName string
	Cells          []TrendCell // one per period of ScoreTrend's periods
}

// TrendCell is a unit's stored result for one period.
type TrendCell struct {
	Has    bool
	Final  Points
	Grade  string
	Vetoed bool
	Rank   int
}

// ScoreTrend lists the latest stored version of each period of a kind
// (quarter, half, year) for the scope, oldest first (at most limit), and
// each unit's result in them.
func (s *Service) ScoreTrend(ctx context.Context, scope, kind string, orgIDs []string, limit int) ([]Period, []TrendRow, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT s.id, s.period FROM supervise_scores s
		WHERE s.scope_org_id = $1 AND s.version = (SELECT MAX(x.version) FROM supervise_scores x WHERE x.period = s.period AND x.scope_org_id = s.scope_org_id)`, scope)
	if err != nil {
		return nil, nil, err
	}
	type sp struct {
		id string
		p  Period
	}
	var list []sp
	for rows.Next() {
		var id, code string
		if err := rows.Scan(&id, &code); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if p, err := ParsePeriod(code); err == nil && p.Kind == kind {
			list = append(list, sp{id, p})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].p.From.Before(list[j].p.From) })
	if limit > 0 && len(list) > limit {
		list = list[len(list)-limit:]
	}
	want := map[string]bool{}
	for _, id := range orgIDs {
		want[id] = true
	}
	byOrg := map[string]*TrendRow{}
	var order []string
	periods := make([]Period, len(list))
	for i, x := range list {
		periods[i] = x.p
		r, err := s.DB.R.QueryContext(ctx, `SELECT r.org_id, o.name, r.final, r.grade, r.vetoed, r.position FROM supervise_score_rows r
			JOIN orgs o ON o.id = r.org_id WHERE r.score_id = $1 ORDER BY o.sort, o.name`, x.id)
		if err != nil {
			return nil, nil, err
		}
		for r.Next() {
			var orgID, name string
			var c TrendCell
			var final int
			if err := r.Scan(&orgID, &name, &final, &c.Grade, &c.Vetoed, &c.Rank); err != nil {
				r.Close()
				return nil, nil, err
			}
			if orgIDs != nil && !want[orgID] {
				continue
			}
			c.Has, c.Final = true, Points(final)
			tr := byOrg[orgID]
			if tr == nil {
				tr = &TrendRow{OrgID: orgID, OrgName: name, Cells: make([]TrendCell, len(list))}
				byOrg[orgID] = tr
				order = append(order, orgID)
			}
			tr.Cells[i] = c
		}
		r.Close()
		if err := r.Err(); err != nil {
			return nil, nil, err
		}
	}
	out := make([]TrendRow, len(order))
	for i, id := range order {
		out[i] = *byOrg[id]
	}
	return periods, out, nil
}

// --- bonuses ---

// AddBonus gives a unit bonus points for a period (e.g. a practice adopted
// by the city), with the reason; they count only above the threshold.
func (s *Service) AddBonus(ctx context.Context, p *org.Principal, ip, orgID, periodCode, points, reason string) (BonusItem, error) {
	var fs apperr.Fields
	period, err := ParsePeriod(periodCode)
	if err != nil {
		fs.Add("period", "考核期间应写作 2026-Q3、2026-H1 或 2026")
	}
	pts, ok := ParsePoints(points)
	if !ok || pts <= 0 || pts > 500 {
		fs.Add("points", "加分应为 0.1–50 之间的数（最多一位小数）")
	}
	reason = cleanText(reason)
	if reason == "" {
		fs.Add("reason", "请写明加分理由（如经验做法被上级推广、获得表彰）")
	} else if utf8.RuneCountInString(reason) > 200 {
		fs.Add("reason", "加分理由最多 200 字")
	}
	if orgID == "" {
		fs.Add("org_id", "请选择加分单位")
	}
	if err := fs.Err(); err != nil {
		return BonusItem{}, err
	}
	o, err := s.Orgs.GetOrg(ctx, orgID)
	if err != nil {
		return BonusItem{}, apperr.Field("org_id", "加分单位不存在")
	}
	if err := s.must(ctx, p, org.PermSuperviseManage, orgID); err != nil {
		return BonusItem{}, err
	}
	b := BonusItem{ID: db.NewID(), Points: pts, Reason: reason, By: p.User.DisplayName, At: s.now()}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO supervise_bonuses (id, org_id, period, points, reason, actor_name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, b.ID, orgID, period.Code, int(pts), reason, b.By, db.Time(b.At)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, b.At, audit.Event{Actor: p.Actor(ip), OrgID: orgID, Action: "supervise.bonus.add",
			ObjectType: "supervise_bonus", ObjectID: b.ID, Summary: fmt.Sprintf("%s%s加 %s 分：%s", o.Name, period.Label(), pts, reason),
			After: map[string]any{"period": period.Code, "points": pts.String(), "reason": reason}})
		return err
	})
	return b, err
}

// DeleteBonus removes bonus points given by mistake.
func (s *Service) DeleteBonus(ctx context.Context, p *org.Principal, ip, id string) error {
	var orgID, period, reason string
	var pts int
	err := s.DB.R.QueryRowContext(ctx, "SELECT org_id, period, points, reason FROM supervise_bonuses WHERE id = $1", id).
		Scan(&orgID, &period, &pts, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("加分记录不存在")
	}
	if err != nil {
		return err
	}
	if err := s.must(ctx, p, org.PermSuperviseManage, orgID); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM supervise_bonuses WHERE id = $1", id); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(ip), OrgID: orgID, Action: "supervise.bonus.delete",
			ObjectType: "supervise_bonus", ObjectID: id, Summary: fmt.Sprintf("撤销加分（%s，%s 分）：%s", period, Points(pts), reason),
			Before: map[string]any{"period": period, "points": Points(pts).String(), "reason": reason}})
		return err
	})
}

func (s *Service) bonuses(ctx context.Context, q db.Querier, period string, orgIDs []string) (map[string][]BonusItem, error) {
	args := []any{period}
	rows, err := q.QueryContext(ctx, "SELECT id, org_id, points, reason, actor_name, created_at FROM supervise_bonuses WHERE period = $1"+
		inList("org_id", orgIDs, &args)+" ORDER BY created_at, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]BonusItem{}
	for rows.Next() {
		var b BonusItem
		var orgID, at string
		var pts int
		if err := rows.Scan(&b.ID, &orgID, &pts, &b.Reason, &b.By, &at); err != nil {
			return nil, err
		}
		b.Points, b.At = Points(pts), db.MustTime(at)
		out[orgID] = append(out[orgID], b)
	}
	return out, rows.Err()
}

// Bonuses lists a period's bonus points of orgIDs (nil = all).
func (s *Service) Bonuses(ctx context.Context, period string, orgIDs []string) (map[string][]BonusItem, error) {
	return s.bonuses(ctx, s.DB.R, period, orgIDs)
}
