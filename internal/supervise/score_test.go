package supervise_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/supervise"
)

// seedFinding stores a finding seen on the days from..to (one span), as
// check runs would have left it, so the expected scores can be worked out
// by hand.
func (f *fixture) seedFinding(orgID, rule, object, from, to string) string {
	f.t.Helper()
	ctx := context.Background()
	id := db.NewID()
	now := db.Time(f.now)
	if _, err := f.d.W.ExecContext(ctx, `INSERT INTO supervise_findings (id, fkey, rule, org_id, object_type, object_id, object_label,
		link, severity, evidence, status, first_seen, last_seen, updated_at) VALUES ($1, $2, $3, $4, 'column', $5, $5, '', 'medium',
		$6, 'open', $7, $7, $7)`, id, rule+"|column|"+orgID+object, rule, orgID, object, "证据："+object, now); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.d.W.ExecContext(ctx, "INSERT INTO supervise_finding_spans (finding_id, seq, from_on, to_on) VALUES ($1, 1, $2, $3)",
		id, from, to); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) seedRun(asOf string) {
	f.t.Helper()
	if _, err := f.d.W.ExecContext(context.Background(), `INSERT INTO supervise_runs (id, started_at, finished_at, as_of, run_kind,
		actor_name, open_count, new_count, resolved_count, closed_tickets, reopened_tickets, escalated_tickets, config)
		VALUES ($1, $2, $2, $3, 'cli', '测试', 0, 0, 0, 0, 0, 0, '{}')`, db.NewID(), db.Time(f.now), asOf); err != nil {
		f.t.Fatal(err)
	}
}

// A small table worked through by hand: empty columns 2 points each (cap
// 10), late records 5 each (cap 80), escalated tickets 2 each (cap 10), a
// silent home page is a veto.
func testTable() supervise.Table {
	t := supervise.DefaultTable()
	t.Indicators = []supervise.Indicator{
		{Code: "V", Name: "首页不更新", Kind: supervise.KindVeto, Rules: []string{supervise.RuleHomeStale}, Threshold: 1},
		{Code: "A", Name: "空白栏目", Kind: supervise.KindDeduct, Rules: []string{supervise.RuleEmptyColumn}, Per: 20, Weight: 100},
		{Code: "B", Name: "发布时效", Kind: supervise.KindDeduct, Rules: []string{supervise.RulePublishLate}, Per: 50, Weight: 800},
		{Code: "C", Name: "整改落实", Kind: supervise.KindDeduct, Rules: []string{supervise.CountTicketEscalated}, Per: 20, Weight: 100},
	}
	return t
}

func TestScores(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gkb := f.ps["gkb"]
	if err := f.sup.SaveTable(ctx, f.ps["ed"], "", testTable()); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a unit changed the table: %v", err)
	}
	if err := f.sup.SaveTable(ctx, gkb, "", testTable()); err != nil {
		t.Fatal(err)
	}
	q3, _ := supervise.ParsePeriod("2026-Q3")
	if _, err := f.sup.ComputeScores(ctx, nil, q3); fieldOf(err) != "period" || !strings.Contains(err.Error(), "没有检查记录") {
		t.Fatalf("a period without checks: %v", err)
	}
	f.seedRun("2026-08-01")
	s, o, c, d := f.street.ID, f.other.ID, f.community.ID, f.dept.ID
	// 甲街道: 3 empty columns and 1 late record in the quarter, one of them
	// only on its last day; one empty column before the quarter does not
	// count. 100 - 3×2 - 5 = 89; one escalated ticket -2 = 87.
	for _, x := range []string{"/a", "/b"} {
		f.seedFinding(s, supervise.RuleEmptyColumn, x, "2026-07-15", "2026-08-20")
	}
	f.seedFinding(s, supervise.RuleEmptyColumn, "/c", "2026-09-30", "2026-10-15")
	f.seedFinding(s, supervise.RuleEmptyColumn, "/old", "2026-03-01", "2026-06-30")
	f.seedFinding(s, supervise.RulePublishLate, "/r1", "2026-08-01", "2026-08-01")
	// 乙街道: 6 empty columns (12, capped at 10) and 2 late records (10): 80.
	for i := range 6 {
		f.seedFinding(o, supervise.RuleEmptyColumn, fmt.Sprintf("/%d", i), "2026-08-01", "2026-09-01")
	}
	f.seedFinding(o, supervise.RulePublishLate, "/r1", "2026-08-01", "2026-08-01")
	f.seedFinding(o, supervise.RulePublishLate, "/r2", "2026-08-01", "2026-08-01")
	// 丙局: a silent home page, nothing else: 100 points, and 不合格.
	f.seedFinding(d, supervise.RuleHomeStale, "", "2026-09-01", "2026-09-10")
	// 甲社区: nothing: 100.

	// The escalated ticket: a real one, escalated by a run in the quarter.
	fid := f.seedFinding(s, supervise.RuleEmptyColumn, "/t", "2026-10-01", "2026-10-01") // outside Q3, its own indicator counts it not
	f.at("2026-07-01")
	ts, _, err := f.sup.OpenTickets(ctx, gkb, "", supervise.OpenInput{FindingIDs: []string{fid}, Days: 5})
	if err != nil {
		t.Fatal(err)
	}
	f.at("2026-07-20")
	if _, err := f.d.W.ExecContext(ctx, `INSERT INTO supervise_ticket_events (ticket_id, seq, kind, on_date, at) VALUES ($1, 9, 'escalate', '2026-07-20', $2)`,
		ts[0].ID, db.Time(f.now)); err != nil {
		t.Fatal(err)
	}

	// Bonus points: 5 for 甲街道 (base 87 > 80: counted), 5 for 乙街道 (base
	// exactly 80: not counted), 5 for 丙局 (veto: not counted).
	f.at("2026-10-10")
	for _, id := range []string{s, o, d} {
		if _, err := f.sup.AddBonus(ctx, gkb, "", id, "2026-Q3", "5", "经验做法被市政务公开办推广"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.sup.AddBonus(ctx, gkb, "", s, "2026-Q3", "-1", ""); fieldOf(err) == "" {
		t.Errorf("negative bonus without a reason: %v", err)
	}
	if _, err := f.sup.AddBonus(ctx, f.ps["ed"], "", s, "2026-Q3", "5", "自评"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a unit gave itself points: %v", err)
	}

	res, err := f.sup.ComputeScores(ctx, nil, q3)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]supervise.OrgScore{}
	for _, r := range res.Rows {
		got[r.OrgID] = r
	}
	if _, ok := got[f.root.ID]; ok || len(res.Rows) != 4 {
		t.Errorf("scored units: %d (the district itself is not scored by default)", len(res.Rows))
	}
	want := []struct {
		id                 string
		base, bonus, final supervise.Points
		grade              string
		vetoed             bool
		rank               int
	}{
		{c, 1000, 0, 1000, "优秀", false, 1},
		{s, 870, 50, 920, "优秀", false, 2},
		{o, 800, 0, 800, "良好", false, 3},
		{d, 1000, 0, 1000, "不合格", true, 4},
	}
	for _, w := range want {
		r := got[w.id]
		if r.Base != w.base || r.Bonus != w.bonus || r.Final != w.final || r.Grade != w.grade || r.Vetoed != w.vetoed || r.Rank != w.rank {
			t.Errorf("%s: base %s bonus %s final %s %s vetoed %v rank %d; want %s %s %s %s %v %d", r.OrgName, r.Base, r.Bonus,
				r.Final, r.Grade, r.Vetoed, r.Rank, w.base, w.bonus, w.final, w.grade, w.vetoed, w.rank)
		}
	}
	line := func(r supervise.OrgScore, code string) supervise.Line {
		for _, l := range r.Lines {
			if l.Code == code {
				return l
			}
		}
		return supervise.Line{}
	}
	if l := line(got[s], "A"); l.Count != 3 || l.Points != 60 || l.Capped {
		t.Errorf("甲街道 empty columns: %+v", l)
	}
	if l := line(got[s], "C"); l.Count != 1 || l.Points != 20 || !strings.Contains(l.Items[0].Evidence, "督办") {
		t.Errorf("甲街道 escalation: %+v", l)
	}
	if l := line(got[o], "A"); l.Count != 6 || l.Points != 100 || !l.Capped {
		t.Errorf("乙街道 cap: %+v", l)
	}
	if got[o].Claimed != 50 || !strings.Contains(got[o].BonusNote, "未超过 80 分") {
		t.Errorf("乙街道 bonus note: %q", got[o].BonusNote)
	}
	if names := got[d].VetoNames(); len(names) != 1 || names[0] != "首页不更新" || !strings.Contains(got[d].BonusNote, "单项否决") {
		t.Errorf("丙局 veto: %v %q", names, got[d].BonusNote)
	}
	if p := got[s].Performance(4); p != 37 { // 92 × 4% = 3.68 → 3.7
		t.Errorf("performance points: %s", p)
	}

	// Saving keeps the table it was computed with: a later table changes
	// new computations, not the stored period.
	f.at("2026-10-12")
	saved, err := f.sup.SaveScores(ctx, gkb, "", "2026-Q3", "第三季度考核")
	if err != nil || saved.Saved == nil || saved.Saved.Version != 1 || saved.AsOf != "2026-09-30" {
		t.Fatalf("save: %+v %v", saved.Saved, err)
	}
	harsher := testTable()
	harsher.Indicators[1].Per = 50
	if err := f.sup.SaveTable(ctx, gkb, "", harsher); err != nil {
		t.Fatal(err)
	}
	snap, err := f.sup.Snapshot(ctx, f.root.ID, "2026-Q3", 0)
	if err != nil || snap == nil || snap.Rows[1].OrgID != s || snap.Rows[1].Final != 920 || snap.Table.Indicators[1].Per != 20 {
		t.Fatalf("snapshot after a table change: %+v %v", snap, err)
	}
	live, _ := f.sup.ComputeScores(ctx, nil, q3)
	for _, r := range live.Rows {
		if r.OrgID == s && r.Base != 830 { // the empty columns now cost 10 (capped), not 6
			t.Errorf("live computation with the new table: %s", r.Base)
		}
	}
	again, err := f.sup.SaveScores(ctx, gkb, "", "2026-Q3", "按新指标重算")
	if err != nil || again.Saved.Version != 2 {
		t.Fatalf("second save: %+v %v", again.Saved, err)
	}
	if v1, _ := f.sup.Snapshot(ctx, f.root.ID, "2026-Q3", 1); v1 == nil || v1.Rows[1].Final != 920 {
		t.Errorf("version 1 rewritten")
	}
	periods, rows, err := f.sup.ScoreTrend(ctx, f.root.ID, "quarter", nil, 8)
	if err != nil || len(periods) != 1 || len(rows) != 4 {
		t.Fatalf("trend: %v %v %v", periods, rows, err)
	}
	if _, err := f.sup.SaveScores(ctx, f.ps["ed"], "", "2026-Q3", ""); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a unit saved scores: %v", err)
	}
	q1, _ := supervise.ParsePeriod("2027-Q1")
	if _, err := f.sup.ComputeScores(ctx, nil, q1); fieldOf(err) != "period" {
		t.Errorf("a future period: %v", err)
	}

	// The export: a ranking sheet and an itemised one, title row merged,
	// header frozen.
	var buf bytes.Buffer
	if err := supervise.WriteXLSX(&buf, supervise.ScoreSheets(*snap)); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if sheets := x.GetSheetList(); len(sheets) != 2 || sheets[0] != "得分排名" {
		t.Fatalf("sheets: %v", sheets)
	}
	title, _ := x.GetCellValue("得分排名", "A1")
	head, _ := x.GetCellValue("得分排名", "B2")
	top, _ := x.GetCellValue("得分排名", "B3")
	merged, _ := x.GetMergeCells("得分排名")
	panes, _ := x.GetPanes("得分排名")
	if !strings.Contains(title, "2026年第三季度") || head != "单位" || top != "甲社区" || len(merged) != 1 || !panes.Freeze || panes.YSplit != 2 {
		t.Errorf("export: %q %q %q merged %v panes %+v", title, head, top, merged, panes)
	}
	rowsX, _ := x.GetRows("扣分明细")
	found := false
	for _, r := range rowsX {
		if len(r) > 8 && r[0] == "乙街道" && r[2] == "空白栏目" && r[7] == "10" {
			found = true
		}
	}
	if !found {
		t.Errorf("itemised sheet lacks 乙街道's capped deduction: %v", rowsX)
	}
}
