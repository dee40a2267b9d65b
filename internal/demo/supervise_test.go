package demo_test

import (
	"context"
	"testing"

	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/supervise"
)

// assertDemoSupervision: the replayed checks left findings across the
// district, tickets in every state of the loop, a trend of three check
// days and stored scores for last quarter and this one, with a veto and a
// counted bonus.
func assertDemoSupervision(t *testing.T, ctx context.Context, orgs *org.Service, sup *supervise.Service) {
	t.Helper()
	ids := map[string]string{}
	all, _ := orgs.ListOrgs(ctx)
	for _, o := range all {
		ids[o.ShortName] = o.ID
	}
	fs, _, err := sup.Findings(ctx, supervise.FindingFilter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	byOrg, byGroup := map[string]int{}, map[string]int{}
	for _, f := range fs {
		byOrg[f.OrgID]++
		byGroup[f.Group()]++
	}
	if len(byOrg) < 8 || len(byGroup) < 3 {
		t.Errorf("demo findings: %d orgs, groups %v", len(byOrg), byGroup)
	}
	ts, err := sup.Tickets(ctx, supervise.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]int{}
	for _, x := range ts {
		switch {
		case x.Escalated():
			state["escalated"]++
		case x.Status == supervise.TicketOpen && x.ReopenCount > 0:
			state["reopened"]++
		case x.Status == supervise.TicketClosed:
			state["closed:"+x.Resolution]++
		default:
			state[x.Status]++
		}
		full, err := sup.Ticket(ctx, nil, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range full.Events {
			state["event:"+e.Kind]++
		}
	}
	for _, want := range []string{"escalated", "reopened", supervise.TicketOpen, supervise.TicketReplied, "closed:fixed", "closed:accepted",
		"event:" + supervise.EvReturn} {
		if state[want] == 0 {
			t.Errorf("demo has no ticket in state %s: %v", want, state)
		}
	}
	trend, err := sup.Trend(ctx, nil, "", 12)
	if err != nil || len(trend) < 3 {
		t.Errorf("demo trend: %d points %v", len(trend), err)
	}
	root := ids["示范区"]
	cur := supervise.PeriodOf("quarter", sup.Today())
	for _, p := range []supervise.Period{cur.Prev(), cur} {
		sc, err := sup.Snapshot(ctx, root, p.Code, 0)
		if err != nil || sc == nil || len(sc.Rows) < 10 {
			t.Fatalf("demo scores for %s: %+v %v", p.Code, sc, err)
		}
		vetoed, passed := 0, 0
		for _, r := range sc.Rows {
			if r.Vetoed {
				vetoed++
			} else if r.Grade != "不合格" {
				passed++
			}
		}
		if vetoed == 0 || passed == 0 {
			t.Errorf("demo scores for %s: %d vetoed, %d passed", p.Code, vetoed, passed)
		}
		if p == cur.Prev() {
			for _, r := range sc.Rows {
				if r.OrgID == ids["湖滨社区"] && r.Bonus != 30 {
					t.Errorf("湖滨社区 bonus last quarter: %+v", r)
				}
			}
		}
	}
}
