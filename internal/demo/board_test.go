package demo_test

import (
	"context"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/org"
)

// assertDemoBoard: the demo has messages in every state across several
// orgs, a transferred one, overdue, escalated and three-month-unanswered
// ones, published replies (masked) with all three ratings, monthly
// statistics, and a Q&A base of about ten published entries linked to
// the demo policies that the message form's suggestions find.
func assertDemoBoard(t *testing.T, ctx context.Context, orgs *org.Service, bd *board.Service) {
	t.Helper()
	_, gkb, err := orgs.Login(ctx, "gkb", demo.Password, "127.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	status, byOrg := map[string]int{}, map[string]bool{}
	transferred := false
	for _, tab := range []string{board.TabOpen, board.TabDone} {
		rows, _, err := bd.List(ctx, gkb, board.Filter{Tab: tab, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			status[r.Status]++
			byOrg[r.OrgID] = true
			if r.ClockErr != "" {
				t.Errorf("%s: %s", r.TrackingNo, r.ClockErr)
			}
			transferred = transferred || r.FirstOrgID != r.OrgID
		}
	}
	for _, st := range []string{board.StatusHeld, board.StatusReceived, board.StatusAccepted, board.StatusReplied,
		board.StatusRedirected, board.StatusInvalid} {
		if status[st] == 0 {
			t.Errorf("no demo message %s: %v", st, status)
		}
	}
	if len(byOrg) < 4 || !transferred {
		t.Errorf("messages in %d orgs, transferred %v", len(byOrg), transferred)
	}
	over, err := bd.Overdue(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	levels := map[int]int{}
	for _, r := range over {
		levels[r.Level()]++
	}
	if levels[1] == 0 || levels[2] < 2 {
		t.Errorf("overdue levels %v", levels)
	}
	un, err := bd.Unanswered(ctx, nil, bd.Today())
	if err != nil || len(un) != 1 || un[0].RespondedOn != "" || !strings.Contains(un[0].Evidence, "超过 3 个月") {
		t.Errorf("unanswered for three months: %+v %v", un, err)
	}

	pub, total, err := bd.PublicList(ctx, board.PublicFilter{Limit: 50})
	if err != nil || total < 4 {
		t.Fatalf("published: %d %v", total, err)
	}
	ratings := map[string]bool{}
	for _, p := range pub {
		ratings[p.Rating] = true
		if p.AcceptedOn == "" || p.RepliedOn == "" || p.Reply == "" || p.OrgID == "" {
			t.Errorf("published message lacks a required fact: %+v", p)
		}
		if strings.Contains(p.Body, "13912345678") {
			t.Errorf("public text shows a phone number: %s", p.Body)
		}
		if strings.Contains(p.Title, "湖滨社区新增停车位") && !strings.Contains(p.Body, "139****5678") {
			t.Errorf("phone not masked: %s", p.Body)
		}
	}
	for _, r := range board.RatingOrder {
		if !ratings[r] {
			t.Errorf("no published reply rated %s", r)
		}
	}
	months, err := bd.Stats(ctx, bd.Today().Year)
	if err != nil || len(months) == 0 || months[0].Total.Received == 0 {
		t.Fatalf("statistics: %+v %v", months, err)
	}

	qas, n, err := bd.PublicQAs(ctx, "", 100, 0)
	if err != nil || n < 10 {
		t.Fatalf("Q&A: %d %v", n, err)
	}
	linked := 0
	for _, q := range qas {
		if _, ok := bd.Policy(ctx, q.PolicyID); ok {
			linked++
		}
	}
	if linked < 8 {
		t.Errorf("%d Q&A entries linked to a public policy", linked)
	}
	sg, err := bd.Suggest(ctx, "我想给家里老人申请低保，需要准备什么材料")
	if err != nil || len(sg) == 0 || !strings.Contains(sg[0].Question, "低保") || sg[0].PolicyURL == "" {
		t.Errorf("suggestions for a 低保 question: %+v %v", sg, err)
	}
}
