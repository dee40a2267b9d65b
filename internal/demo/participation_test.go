package demo_test

import (
	"context"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/participate"
)

// assertDemoParticipation: the demo shows an open major-decision
// solicitation with approved, pending (one held by a review word, one with a
// masked phone number) and rejected comments including identical and
// near-identical copies; a closed one with its adoption report published;
// a draft; and the 2026 catalog with a finished entry, an entry in
// progress linked to the open solicitation, and a removed one.
func assertDemoParticipation(t *testing.T, ctx context.Context, orgs *org.Service, part *participate.Service) {
	t.Helper()
	_, admin, err := orgs.Login(ctx, "admin", demo.Password, "127.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := part.List(ctx, admin, participate.Filter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	today := part.Today()
	stages := map[string]participate.Row{}
	for _, r := range rows {
		stages[r.Stage(today)] = r
	}
	open, ok := stages[participate.StageOpen]
	if !ok || !open.Major || open.DecisionID == "" || open.Days() < participate.MajorMinDays {
		t.Fatalf("no open major-decision solicitation: %+v", stages)
	}
	if open.Pending < 2 || open.Approved < 4 || open.Rejected < 1 {
		t.Errorf("open solicitation comments: pending %d approved %d rejected %d", open.Pending, open.Approved, open.Rejected)
	}
	cs, _, err := part.Comments(ctx, admin, participate.CommentFilter{SolicitationID: open.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, c := range cs {
		kinds[c.DupKind]++
		if c.Flags != "" {
			kinds["flagged"]++
		}
		if c.Status == participate.CommentPending && strings.Contains(c.Body, "13812345678") && !strings.Contains(c.PublicBody, "138****5678") {
			t.Errorf("phone not masked in the public text: %q", c.PublicBody)
		}
		if strings.Contains(c.PublicBody, "13812345678") {
			t.Errorf("public text shows a phone number: %q", c.PublicBody)
		}
	}
	if kinds["exact"] < 1 || kinds["near"] < 2 || kinds["flagged"] < 2 {
		t.Errorf("duplicates and review words in the open solicitation: %v", kinds)
	}
	ops, _, approved, err := part.Opinions(ctx, open.ID, 1, 50)
	if err != nil || approved != open.Approved || len(ops) >= approved {
		t.Errorf("portal opinions: %d shown for %d approved (%v)", len(ops), approved, err)
	}

	closed, ok := stages[participate.StageReported]
	if !ok {
		t.Fatalf("no solicitation with a published adoption report: %+v", stages)
	}
	rep, err := part.Report(ctx, closed.Solicitation)
	if err != nil || len(rep.Missing) > 0 || rep.Summary == "" || rep.RejectedTotal != 1 ||
		rep.ByDecision[participate.Adopted] == 0 || rep.ByDecision[participate.NotAdopted] == 0 {
		t.Errorf("adoption report: %+v %v", rep, err)
	}
	grouped := false
	for _, it := range rep.Items {
		grouped = grouped || it.GroupID != "" && len(it.Comments) >= 3
	}
	if !grouped {
		t.Errorf("adoption report has no group of the identical comments: %+v", rep.Items)
	}
	if _, ok := stages[participate.StageDraft]; !ok {
		t.Error("no draft solicitation")
	}

	ds, err := part.PublicDecisions(ctx, 2026)
	if err != nil || len(ds) < 4 {
		t.Fatalf("2026 catalog: %d entries, %v", len(ds), err)
	}
	var full, linked, removed bool
	for _, d := range ds {
		full = full || len(d.Stages) == len(participate.StageKinds) && d.Stages[participate.StageKindLegality].ReviewWorkdays >= 7
		linked = linked || d.Solicitation != nil && d.Solicitation.ID == open.ID
		removed = removed || d.Status == participate.DecisionRemoved && d.RemovedReason != ""
	}
	if !full || !linked || !removed {
		t.Errorf("catalog: every stage recorded %v, linked to the open solicitation %v, removed entry %v", full, linked, removed)
	}
}
