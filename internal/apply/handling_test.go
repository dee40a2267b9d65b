package apply_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/apptest"
)

// After the reply: assignment, files, delivery, archive, remedies and the
// 第四十四条 mark, each allowed only in the states where it makes sense.
func TestAfterReply(t *testing.T) {
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := apptest.Start(t, apptest.Options{})
	env.App.Apply.Now = func() time.Time { return now }
	ctx := context.Background()
	svc := env.App.Apply
	zfb := orgID(t, env, "区政府办")
	handler, editor, reviewer := login(t, env, "handler"), login(t, env, "editor"), login(t, env, "zfb.reviewer")
	c, err := svc.Register(ctx, handler, "", zfb, apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: "周九",
		ContactPhone: "13800138000", Description: "某路段改造工程的批复", Channel: apply.ChannelInPerson, SubmittedOn: "2026-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	if c.HandlerID != handler.User.ID || c.HandlerName == "" {
		t.Errorf("registering staff not the handler: %q %q", c.HandlerID, c.HandlerName)
	}

	// Assignment: only someone who may handle the case's org.
	if _, err := svc.Assign(ctx, handler, "", c.ID, editor.User.ID); fieldOf(err) != "handler" {
		t.Errorf("assigned to another org's editor: %v", err)
	}
	if _, err := svc.Assign(ctx, handler, "", c.ID, reviewer.User.ID); fieldOf(err) != "handler" {
		t.Errorf("assigned to a reviewer who does not handle: %v", err)
	}
	if _, err := svc.Assign(ctx, editor, "", c.ID, handler.User.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another org's staff assigned: %v", err)
	}

	// Files: content decides, not the name; size bounded.
	for _, u := range []apply.Upload{{Name: "a.pdf", Data: []byte("<html>")}, {Name: "a.png", Data: nil},
		{Name: "big.pdf", Data: append([]byte("%PDF-1.7\n"), make([]byte, apply.MaxFile)...)}} {
		if _, err := svc.AddFile(ctx, handler, "", c.ID, apply.FileIdentity, u); fieldOf(err) != "file" {
			t.Errorf("%s accepted: %v", u.Name, err)
		}
	}
	if _, err := svc.AddFile(ctx, handler, "", c.ID, apply.FileProof, apply.Upload{Name: "p.pdf", Data: []byte("%PDF-1.4\n%%EOF")}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("proof of delivery before the reply: %v", err)
	}
	f, err := svc.AddFile(ctx, handler, "", c.ID, apply.FileIdentity, apply.Upload{Name: `C:\scans\身份证.pdf`, Data: []byte("%PDF-1.4\n%%EOF")})
	if err != nil || f.Name != "身份证.pdf" || f.ContentType != "application/pdf" || len(f.SHA256) != 64 {
		t.Fatalf("identity file: %+v %v", f, err)
	}
	if _, _, err := svc.FileData(ctx, editor, c.ID, f.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another org's staff read the identity document: %v", err)
	}
	if _, _, err := svc.FileData(ctx, handler, c.ID, "nope"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("missing file: %v", err)
	}

	// Delivery and archive only after the reply.
	if _, err := svc.RecordDelivery(ctx, handler, "", c.ID, apply.DeliveryRecord{On: "2026-03-20", Method: apply.DeliveryMethods[0]}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("delivery before the reply: %v", err)
	}
	if _, err := svc.SaveRemedy(ctx, handler, "", c.ID, apply.Remedy{Kind: apply.RemedyReview, FiledOn: "2026-03-20", Result: apply.ResultPending}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("review of an unanswered case: %v", err)
	}
	if _, err := svc.Reply(ctx, handler, "", c.ID, apply.ReplyInput{Outcome: "other", On: "2026-03-16", Reason: "申请人撤回申请", Basis: "《中华人民共和国政府信息公开条例》第三十三条"}); err != nil {
		t.Fatalf("reply under 其他 with its basis: %v", err)
	}
	c2, _ := svc.Register(ctx, handler, "", zfb, apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: "周九",
		ContactPhone: "13800138000", Description: "另一份批复", Channel: apply.ChannelInPerson, SubmittedOn: "2026-03-02"})
	if _, err := svc.Reply(ctx, handler, "", c2.ID, apply.ReplyInput{Outcome: "other", On: "2026-03-16", Reason: "撤回", Basis: " "}); fieldOf(err) != "basis" {
		t.Errorf("其他 without a legal basis: %v", err)
	}
	if _, err := svc.Reply(ctx, handler, "", c2.ID, apply.ReplyInput{Outcome: "unable_other_agency", On: "2026-03-16", Reason: "不属于本机关"}); fieldOf(err) != "obtain" {
		t.Errorf("other agency not named: %v", err)
	}
	if _, err := svc.Archive(ctx, handler, "", c.ID, ""); fieldOf(err) != "archive_no" {
		t.Errorf("archived before delivery: %v", err)
	}
	if _, err := svc.RecordDelivery(ctx, handler, "", c.ID, apply.DeliveryRecord{On: "2026-03-17", Method: "飞鸽传书"}); fieldOf(err) != "delivery_method" {
		t.Errorf("unknown delivery method: %v", err)
	}
	if _, err := svc.RecordDelivery(ctx, handler, "", c.ID, apply.DeliveryRecord{On: "2026-03-17", Method: apply.DeliveryMethods[0], Note: "EMS 1234"}); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Archive(ctx, handler, "", c.ID, "2026-YSQ-9")
	if err != nil || a.Status != apply.StatusArchived || a.ArchivedOn != "2026-03-20" || a.ArchiveNo != "2026-YSQ-9" {
		t.Fatalf("archive: %+v %v", a, err)
	}
	if _, err := svc.Archive(ctx, handler, "", c.ID, ""); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("archived twice: %v", err)
	}

	// Remedies and table 四: counted in the year filed; undecided at year end = 尚未审结.
	if _, err := svc.SaveRemedy(ctx, handler, "", c.ID, apply.Remedy{Kind: apply.RemedySuitDirect, FiledOn: "2026-03-10", Result: apply.ResultPending}); fieldOf(err) != "filed_on" {
		t.Errorf("suit before the reply: %v", err)
	}
	base, err := svc.RemedyTable(ctx, []string{zfb}, 2026) // the demo's own
	if err != nil {
		t.Fatal(err)
	}
	plus := func(t apply.RemedyTable) apply.RemedyTable {
		for i := range t {
			for j := range t[i] {
				t[i][j] += base[i][j]
			}
		}
		return t
	}
	cc, err := svc.SaveRemedy(ctx, handler, "", c.ID, apply.Remedy{Kind: apply.RemedyReview, FiledOn: "2026-03-18", Result: apply.ResultPending})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveRemedy(ctx, handler, "", c.ID, apply.Remedy{Kind: apply.RemedySuitDirect, FiledOn: "2026-03-19", Result: apply.ResultCorrected, DecidedOn: "2026-03-20"}); err != nil {
		t.Fatal(err)
	}
	rs, _ := svc.Remedies(ctx, cc.ID)
	tab, err := svc.RemedyTable(ctx, []string{zfb}, 2026)
	if err != nil || len(rs) != 2 {
		t.Fatal(err, len(rs))
	}
	if tab != plus(apply.RemedyTable{{0, 0, 0, 1, 1}, {0, 1, 0, 0, 1}}) {
		t.Errorf("table 四: %v (demo's own: %v)", tab, base)
	}
	// Decided the next year: still 尚未审结 in the 2026 report.
	later := now.AddDate(1, 0, 0)
	svc.Now = func() time.Time { return later }
	if _, err := svc.SaveRemedy(ctx, handler, "", c.ID, apply.Remedy{ID: rs[0].ID, Kind: apply.RemedyReview, FiledOn: "2026-03-18", Result: apply.ResultMaintained, DecidedOn: "2027-01-15"}); err != nil {
		t.Fatal(err)
	}
	if tab, _ := svc.RemedyTable(ctx, []string{zfb}, 2026); tab != plus(apply.RemedyTable{{0, 0, 0, 1, 1}, {0, 1, 0, 0, 1}}) {
		t.Errorf("table 四 after a decision the next year: %v", tab)
	}
	if tab, _ := svc.RemedyTable(ctx, []string{zfb}, 2027); tab != (apply.RemedyTable{}) {
		t.Errorf("2027 counts a 2026 review: %v", tab)
	}
	if _, err := svc.SaveRemedy(ctx, handler, "", c.ID, apply.Remedy{ID: "nope", Kind: apply.RemedyReview, FiledOn: "2026-03-18", Result: apply.ResultPending}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("update of a missing remedy: %v", err)
	}
	svc.Now = func() time.Time { return now }

	// 第四十四条: only for disclosed information, once.
	if apply.CanProactive(a) {
		t.Error("a 其他处理 case offered for proactive disclosure")
	}
	d, err := svc.Register(ctx, handler, "", zfb, apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: "吴十",
		ContactPhone: "13800138000", Description: "停车收费标准", Channel: apply.ChannelInPerson, SubmittedOn: "2026-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	if d, err = svc.Reply(ctx, handler, "", d.ID, apply.ReplyInput{Outcome: "disclosed", On: "2026-03-16", Obtain: "邮寄纸质件"}); err != nil {
		t.Fatal(err)
	}
	if !apply.CanProactive(d) {
		t.Error("a disclosed case not offered for proactive disclosure")
	}
	if d, err = svc.MarkProactive(ctx, handler, "", d.ID, "info-1"); err != nil || d.ProactiveInfoID != "info-1" || apply.CanProactive(d) {
		t.Fatalf("mark: %v", err)
	}
	if _, err := svc.MarkProactive(ctx, handler, "", d.ID, "info-2"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("marked twice: %v", err)
	}
	ls, _ := svc.Letters(ctx, d.ID, true)
	if len(ls) != 1 || !strings.Contains(ls[0].Body, "邮寄纸质件") {
		t.Errorf("disclosure letter: %+v", ls)
	}
}
