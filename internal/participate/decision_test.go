package participate_test

import (
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/participate"
)

// The 重大行政决策事项目录: entries by the deciding body, stages recorded by
// it or the 承办单位 with the hearing rules of 第十六条, the solicitation
// linked from its own record, drafts invisible, removals kept with reasons.
func TestDecisionCatalog(t *testing.T) {
	f := start(t, "2026-06-01")
	ctx, svc := f.ctx, f.svc
	admin, zfbEditor, zfbReviewer, other := f.login(t, "admin"), f.login(t, "zfb.editor"), f.login(t, "zfb.reviewer"), f.login(t, "editor")
	root, zfb := f.org(t, "示范区"), f.org(t, "区政府办")
	const ip = "10.0.0.1"
	before, err := svc.PublicDecisions(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := svc.CreateDecision(ctx, admin, ip, participate.DecisionInput{OrgID: root, Year: 2015, Title: ""}); err == nil {
		t.Fatal("empty entry accepted")
	} else if e, _ := apperr.As(err); len(e.Fields) < 3 {
		t.Errorf("empty entry: %v", err)
	}
	if _, err := svc.CreateDecision(ctx, zfbEditor, ip, participate.DecisionInput{OrgID: root, Year: 2026, Title: "x", UndertakerID: zfb}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a department's editor adding to the government's catalog: %v", err)
	}
	d, err := svc.CreateDecision(ctx, admin, ip, participate.DecisionInput{OrgID: root, Year: 2026, Title: "制定《示范区社区停车管理办法》",
		UndertakerID: zfb, Planned: "2026年第四季度"})
	if err != nil || d.Seq < 1 || d.Status != participate.DecisionDraft {
		t.Fatalf("create: %+v %v", d, err)
	}
	if _, err := svc.CreateDecision(ctx, admin, ip, participate.DecisionInput{OrgID: root, Year: 2026, Seq: d.Seq, Title: "重号", UndertakerID: zfb}); fieldOf(err) != "seq" {
		t.Errorf("duplicate number: %v", err)
	}
	if _, err := svc.PublicDecision(ctx, d.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("draft entry public: %v", err)
	}
	// The undertaker's staff see and record stages; another org's do not.
	if _, err := svc.GetDecision(ctx, zfbEditor, d.ID); err != nil {
		t.Errorf("undertaker's editor: %v", err)
	}
	if _, err := svc.GetDecision(ctx, other, d.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("other org's editor: %v", err)
	}
	if _, err := svc.SetStage(ctx, other, ip, d.ID, participate.Stage{Kind: participate.StageKindDraft, On: "2026-05-01"}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("other org recording a stage: %v", err)
	}
	if _, err := svc.SetStage(ctx, zfbReviewer, ip, d.ID, participate.Stage{Kind: participate.StageKindDraft, On: "2026-05-01"}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("undertaker's reviewer recording a stage: %v", err)
	}
	if d, err = svc.SetStage(ctx, zfbEditor, ip, d.ID, participate.Stage{Kind: participate.StageKindDraft, On: "2026-05-01", URL: "/zfxxgk/x"}); err != nil ||
		d.Stages[participate.StageKindDraft].On != "2026-05-01" {
		t.Fatalf("draft stage: %+v %v", d.Stages, err)
	}

	// Hearing (第十六条): the list published before, materials 7 days before.
	hearing := participate.Stage{Kind: participate.StageKindHearing, On: "2026-07-10", ListOn: "2026-07-10", MaterialsOn: "2026-07-04",
		Participants: "居民代表 3 人"}
	_, err = svc.SetStage(ctx, admin, ip, d.ID, hearing)
	e, _ := apperr.As(err)
	fields := map[string]string{}
	for _, fe := range e.Fields {
		fields[fe.Field] = fe.Message
	}
	if !strings.Contains(fields["list_on"], "之前") || !strings.Contains(fields["materials_on"], "2026-07-03") {
		t.Fatalf("hearing rules: %v", err)
	}
	hearing.Participants = ""
	hearing.ListOn, hearing.MaterialsOn = "2026-06-20", "2026-07-03"
	if _, err := svc.SetStage(ctx, admin, ip, d.ID, hearing); fieldOf(err) != "participants" {
		t.Errorf("hearing without participants: %v", err)
	}
	hearing.Participants = "居民代表 3 人\n专家 2 人"
	if _, err := svc.SetStage(ctx, admin, ip, d.ID, hearing); err != nil {
		t.Errorf("valid hearing: %v", err)
	}
	for name, st := range map[string]participate.Stage{
		"unknown kind": {Kind: "vote"},
		"script link":  {Kind: participate.StageKindDecision, URL: "javascript:alert(1)"},
		"bad date":     {Kind: participate.StageKindMeeting, On: "2026-13-01"},
		"review order": {Kind: participate.StageKindLegality, On: "2026-06-10", EndOn: "2026-06-01"},
	} {
		if _, err := svc.SetStage(ctx, admin, ip, d.ID, st); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The legality review's working days are computed (端午 2026-06-19 is off).
	if d, err = svc.SetStage(ctx, admin, ip, d.ID, participate.Stage{Kind: participate.StageKindLegality, On: "2026-06-15", EndOn: "2026-06-23"}); err != nil {
		t.Fatal(err)
	}
	if n := d.Stages[participate.StageKindLegality].ReviewWorkdays; n != 5 {
		t.Errorf("legality review: %d working days, want 5", n)
	}

	// Listing needs a reviewer; a solicitation naming the entry is linked.
	if err := svc.ListDecision(ctx, zfbEditor, ip, d.ID); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("undertaker's editor listing: %v", err)
	}
	if err := svc.ListDecision(ctx, admin, ip, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.ListDecision(ctx, admin, ip, d.ID); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("listed twice: %v", err)
	}
	in := input(zfb, "2026-06-01", "2026-06-20")
	in.DecisionID = d.ID
	if _, err := svc.Create(ctx, zfbEditor, ip, in); fieldOf(err) != "end_on" {
		t.Errorf("a catalog entry's solicitation is major (30 days): %v", err)
	}
	in.EndOn = "2026-06-30"
	sol, err := svc.Create(ctx, zfbEditor, ip, in)
	if err != nil || !sol.Major {
		t.Fatalf("solicitation for the entry: %+v %v", sol, err)
	}
	if _, err := svc.Publish(ctx, zfbReviewer, ip, sol.ID); err != nil {
		t.Fatal(err)
	}
	pub, err := svc.PublicDecision(ctx, d.ID)
	if err != nil || pub.Solicitation == nil || pub.Solicitation.ID != sol.ID || pub.ListedOn != "2026-06-01" {
		t.Fatalf("public entry: %+v %v", pub, err)
	}
	otherSol := input(f.org(t, "东湖街道"), "2026-06-01", "2026-06-30")
	otherSol.DecisionID = d.ID
	if _, err := svc.Create(ctx, other, ip, otherSol); fieldOf(err) != "decision_id" {
		t.Errorf("an unrelated org's solicitation for the entry: %v", err)
	}

	// Removal keeps the entry on the portal with its reason.
	if err := svc.RemoveDecision(ctx, admin, ip, d.ID, ""); fieldOf(err) != "removed_reason" {
		t.Errorf("removal without reason: %v", err)
	}
	if err := svc.RemoveDecision(ctx, admin, ip, d.ID, "并入另一事项"); err != nil {
		t.Fatal(err)
	}
	after, err := svc.PublicDecisions(ctx, 2026)
	if err != nil || len(after) != len(before)+1 {
		t.Fatalf("public catalog: %d entries, before %d (%v)", len(after), len(before), err)
	}
	found := false
	for _, x := range after {
		if x.ID == d.ID {
			found = x.Status == participate.DecisionRemoved && x.RemovedReason == "并入另一事项"
		}
	}
	if !found {
		t.Error("removed entry not shown with its reason")
	}
	if years, err := svc.CatalogYears(ctx); err != nil || len(years) == 0 || years[0] != 2026 {
		t.Errorf("years: %v %v", years, err)
	}
}
