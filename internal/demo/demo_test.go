package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/participate"
	"gongkai.dev/gongkai/internal/report"
	"gongkai.dev/gongkai/internal/site"
	"gongkai.dev/gongkai/internal/supervise"
	"gongkai.dev/gongkai/internal/workday"
)

func TestSeed(t *testing.T) {
	d := dbtest.Open(t)
	orgs := org.New(d)
	st := &site.Service{DB: d, Now: time.Now}
	cat := &catalog.Service{DB: d, Orgs: orgs, Now: time.Now}
	cal := &workday.Store{DB: d, Now: time.Now}
	inf := &info.Service{DB: d, Orgs: orgs, Catalog: cat, Calendar: cal.Calendar, Now: time.Now}
	// Applications are dated back from "today"; a fixed day inside the
	// built-in calendar years makes every state appear whenever this runs.
	applyDay := time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	ap := &apply.Service{DB: d, Orgs: orgs, Calendar: cal.Calendar, Now: func() time.Time { return applyDay }}
	rep := &report.Service{DB: d, Orgs: orgs, Apply: ap, Info: inf, Calendar: cal.Calendar, Now: func() time.Time { return applyDay }}
	part := &participate.Service{DB: d, Orgs: orgs, Calendar: cal.Calendar, Now: func() time.Time { return applyDay }}
	sup := &supervise.Service{DB: d, Orgs: orgs, Catalog: cat, Info: inf, Apply: ap, Calendar: cal.Calendar, Now: func() time.Time { return applyDay }}
	bd := &board.Service{DB: d, Orgs: orgs, Info: inf, Calendar: cal.Calendar, Now: func() time.Time { return applyDay }}
	ctx := context.Background()
	accounts, err := demo.Seed(ctx, demo.Services{Orgs: orgs, Site: st, Catalog: cat, Info: inf, Apply: ap, Report: rep, Participate: part,
		Supervise: sup, Board: bd})
	if err != nil {
		t.Fatal(err)
	}
	if seeded, err := demo.Seeded(ctx, d.R); err != nil || !seeded {
		t.Fatalf("Seeded = %v %v", seeded, err)
	}
	all, _ := orgs.ListOrgs(ctx)
	count := map[org.Kind]int{}
	for _, o := range all {
		count[o.Kind]++
		if _, err := org.ValidateCode(o.Code); err != nil {
			t.Errorf("%s has an invalid code %s", o.Name, o.Code)
		}
	}
	if count[org.KindDistrict] != 1 || count[org.KindStreet]+count[org.KindTown] < 3 ||
		count[org.KindCommunity]+count[org.KindVillage] < 6 || count[org.KindDepartment] < 8 {
		t.Fatalf("demo district too small: %v", count)
	}
	roles := map[org.Role]bool{}
	for _, a := range accounts {
		u, err := orgs.GetUserByName(ctx, a.Username)
		if err != nil || u.MustChangePassword {
			t.Fatalf("account %s: %+v %v", a.Username, u, err)
		}
		grants, _ := orgs.Grants(ctx, u.ID)
		for _, g := range grants {
			roles[g.Role] = true
		}
	}
	for _, ri := range org.Roles {
		if !roles[ri.Role] {
			t.Errorf("no demo account holds %s", ri.Label)
		}
	}
	if len(demo.Accounts()) != len(accounts) || demo.Accounts()[2] != accounts[2] {
		t.Errorf("Accounts() differs from what Seed created")
	}
	if _, _, err := orgs.Login(ctx, "admin", demo.Password, "127.0.0.1", ""); err != nil {
		t.Fatalf("demo login: %v", err)
	}
	if s, _ := st.Get(ctx); s.Name != "示范区人民政府" || s.GovSiteCode == "" {
		t.Errorf("site settings: %+v", s)
	}
	_, handler, err := orgs.Login(ctx, "handler", demo.Password, "127.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, open := range []bool{true, false} {
		rows, err := ap.List(ctx, handler, open, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			seen[r.Status]++
			if r.ClockErr != "" {
				t.Errorf("%s: %s", r.TrackingNo, r.ClockErr)
			}
			seen[r.Clock.State]++
			if r.Clock.Overdue && r.Status == apply.StatusHandling {
				seen["overdue"]++
			}
			if r.Outcome != "" {
				seen["outcome:"+r.Outcome]++
			}
		}
	}
	for _, want := range []string{apply.StatusUnconfirmed, apply.StatusHandling, apply.StatusClosed, apply.ClockRunning, apply.ClockPaused,
		apply.ClockAwaitingCorrection, apply.ClockCorrectionLapsed, apply.ClockReplied, "overdue", "outcome:partial", "outcome:withhold_process"} {
		if seen[want] == 0 {
			t.Errorf("demo has no application in state %s: %v", want, seen)
		}
	}
	assertDemoReports(t, ctx, orgs, rep)
	assertDemoParticipation(t, ctx, orgs, part)
	assertDemoSupervision(t, ctx, orgs, sup)
	assertDemoBoard(t, ctx, orgs, bd)
	if _, err := demo.Seed(ctx, demo.Services{Orgs: orgs, Site: st, Catalog: cat, Info: inf, Apply: ap, Report: rep, Participate: part}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("second seed: %v", err)
	}
	res, err := audit.Verify(ctx, d.R)
	if err != nil || !res.OK() || res.Events < int64(len(all)+len(accounts)) {
		t.Fatalf("demo evidence chain: %+v %v", res, err)
	}
}

// assertDemoReports: 区政府办's 2025 report is published with a year of
// applications in it and passes every 勾稽 rule; 区教育局's 2026 report is a
// draft in progress.
func assertDemoReports(t *testing.T, ctx context.Context, orgs *org.Service, rep *report.Service) {
	t.Helper()
	ids := map[string]string{}
	all, _ := orgs.ListOrgs(ctx)
	for _, o := range all {
		ids[o.ShortName] = o.ID
	}
	doc, err := rep.Published(ctx, ids["区政府办"], 2025)
	if err != nil {
		t.Fatalf("demo 2025 report of 区政府办: %v", err)
	}
	if ps := report.Validate(doc.Tables()); len(ps) > 0 || doc.Table3[report.RowNew][report.ColTotal] < 10 ||
		doc.Table3[report.RowCarried][report.ColTotal] == 0 || doc.Table3[report.RowForward][report.ColTotal] < 2 ||
		doc.Table4[0][4] == 0 || doc.Fees.Cases == 0 || doc.Table2.Normative.InForce == 0 {
		t.Errorf("demo 2025 report: %v new %v carried %v forward %v 表四 %v fees %+v 表二 %+v", ps, doc.Table3[report.RowNew],
			doc.Table3[report.RowCarried], doc.Table3[report.RowForward], doc.Table4, doc.Fees, doc.Table2)
	}
	if strings.Contains(doc.Sections.Overview+doc.Sections.Problems+doc.Sections.Other, report.Placeholder) ||
		!strings.Contains(doc.Sections.Other, "信息处理费") {
		t.Errorf("demo 2025 sections: %+v", doc.Sections)
	}
	u, _ := orgs.GetUserByName(ctx, "jyj.editor")
	g, _ := orgs.Grants(ctx, u.ID)
	v, err := rep.View(ctx, &org.Principal{User: u, Grants: g}, ids["区教育局"], 2026)
	if err != nil || v.Report.Status != report.StatusDraft || !v.Report.FiguresSaved || v.Report.Sections.Overview == "" {
		t.Errorf("demo 2026 draft of 区教育局: %+v %v", v.Report, err)
	}
	if _, err := rep.Published(ctx, ids["区教育局"], 2026); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("the 2026 draft is public: %v", err)
	}
}
