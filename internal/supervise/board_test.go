package supervise_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/supervise"
)

// The 互动回应 rules read the message board: a consultation received four
// months ago and never answered is the 3-month veto and an overdue
// message; answering it removes the overdue finding on the next run, while
// the veto stays (the answer came after three months).
func TestBoardRules(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	a := env.App
	if a.Supervise.Board == nil {
		t.Fatal("supervision is not wired to the message board")
	}
	today := a.Board.Today()
	if today.Year != 2026 {
		t.Skip("the built-in calendar covers 2025–2026; this test needs receipt four months back inside it")
	}
	targets, err := a.Board.Targets(ctx)
	if err != nil || len(targets) == 0 {
		t.Fatal(err)
	}
	target := targets[0]
	back := time.Now().AddDate(0, -4, 0)
	m, err := a.Board.WithNow(back).Submit(ctx, "198.51.100.20", "", board.Input{OrgID: target.ID, Category: board.CatConsult,
		Title: "社区养老服务中心开放时间", Body: "请问社区养老服务中心周末是否开放？"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Supervise.Run(ctx, op, supervise.RunOptions{Kind: supervise.RunCLI})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, f := range res.Findings {
		if f.ObjectID == m.ID {
			found[f.Rule] = f.Evidence
		}
	}
	if !strings.Contains(found[supervise.RuleBoardUnanswered], "仍未回应") || !strings.Contains(found[supervise.RuleBoardOverdue], "已超过") {
		t.Fatalf("findings for the unanswered message: %v", found)
	}
	if r, _ := supervise.RuleByCode(supervise.RuleBoardUnanswered); r.Severity != supervise.SevVeto {
		t.Errorf("the 3-month rule is not a veto: %s", r.Severity)
	}
}
