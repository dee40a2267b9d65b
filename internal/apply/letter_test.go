package apply_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/org"
)

func TestCheckTemplate(t *testing.T) {
	for _, k := range apply.LetterKinds {
		if err := apply.CheckTemplate(k.Title, k.Body); err != nil {
			t.Errorf("built-in %s: %v", k.Code, err)
		}
	}
	cases := []struct{ title, body, want string }{
		{"", "正文", "标题不能为空"},
		{"标题", "  ", "正文不能为空"},
		{"标题", "第一行\n{{申请人}}与{{无此项}}", "第 2 行：没有名为“无此项”的内容项"},
		{"标题", "{{申请人}\n", "第 1 行：“{{”和“}}”须成对出现"},
		{"标题", strings.Repeat("字", 10001), "正文最多 10000 字"},
	}
	for _, c := range cases {
		err := apply.CheckTemplate(c.title, c.body)
		e, ok := apperr.As(err)
		found := false
		for _, f := range e.Fields {
			found = found || strings.Contains(f.Message, c.want)
		}
		if !ok || !found {
			t.Errorf("%q: %v, want %q", c.body[:min(len(c.body), 30)], err, c.want)
		}
	}
}

// Each notice issues its letter with the event; letters are numbered, kept,
// hashed, and only those addressed to the applicant reach the tracking page.
func TestNoticeLetters(t *testing.T) {
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := apptest.Start(t, apptest.Options{})
	env.App.Apply.Now = func() time.Time { return now }
	ctx := context.Background()
	svc := env.App.Apply
	zfb := orgID(t, env, "区政府办")
	handler, reviewer := login(t, env, "handler"), login(t, env, "zfb.reviewer")
	reg := func(name string) apply.Case {
		now = now.Add(time.Minute) // registered one after another
		c, err := svc.Register(ctx, handler, "127.0.0.1", zfb, apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: name,
			ContactPhone: "13800138000", Description: "某项目环评批复", Channel: apply.ChannelInPerson, SubmittedOn: "2026-03-02"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	c := reg("孙八")
	if _, err := svc.Record(ctx, handler, "", c.ID, apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: date("2026-03-04"), Until: date("2026-03-18")}, ""); fieldOf(err) != "note" {
		t.Errorf("correction notice without the items: %v", err)
	}
	if _, err := svc.Record(ctx, handler, "", c.ID, apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: date("2026-03-04"), Until: date("2026-03-18")}, "请写明项目名称"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Record(ctx, handler, "", c.ID, apply.ClockEvent{Kind: apply.EvCorrectionReceived, On: date("2026-03-06")}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Record(ctx, handler, "", c.ID, apply.ClockEvent{Kind: apply.EvConsultSent, On: date("2026-03-09"), Party: apply.PartyThird}, "x"); fieldOf(err) != "ref" {
		t.Errorf("consultation without whom: %v", err)
	}
	if _, err := svc.Record(ctx, handler, "", c.ID, apply.ClockEvent{Kind: apply.EvConsultSent, On: date("2026-03-09"), Party: apply.PartyThird, Ref: "某建设单位"}, "环评批复中的企业信息"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Record(ctx, handler, "", c.ID, apply.ClockEvent{Kind: apply.EvConsultAnswered, On: date("2026-03-11"), Ref: "某建设单位"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Record(ctx, reviewer, "", c.ID, apply.ClockEvent{Kind: apply.EvExtension, On: date("2026-03-20"), Days: 10}, "需核对原件。"); err != nil {
		t.Fatal(err)
	}
	ls, err := svc.Letters(ctx, c.ID, false)
	if err != nil || len(ls) != 3 {
		t.Fatalf("letters: %d %v", len(ls), err)
	}
	want := []struct{ kind, text string }{
		{apply.LetterCorrection, "请您于2026年3月18日前就以下事项作出补正：请写明项目名称"},
		{apply.LetterConsultThird, "某建设单位："},
		// Received 3-02, correction 3-06 restarts 20 days; 2 days paused; +10: due 4-20 (清明 4-6 off... computed by the clock)
		{apply.LetterExtension, "答复期限延长10个工作日"},
	}
	for i, w := range want {
		if ls[i].Kind != w.kind || ls[i].No != i+1 || !strings.Contains(ls[i].Body, w.text) || len(ls[i].SHA256) != 64 {
			t.Errorf("letter %d: %s %q", i+1, ls[i].Kind, ls[i].Body)
		}
	}
	clock, _ := svc.Clock(ctx, mustGet(t, svc, handler, c.ID))
	if !strings.Contains(ls[2].Body, "本机关将于"+apply.ChineseDate(clock.Due.String())+"前作出答复") {
		t.Errorf("extension letter does not state the new due date %s: %q", clock.Due, ls[2].Body)
	}
	if strings.Contains(ls[2].Body, "。。") {
		t.Errorf("doubled full stop: %q", ls[2].Body)
	}
	mine, _ := svc.Letters(ctx, c.ID, true)
	if len(mine) != 2 {
		t.Errorf("letters to the applicant: %d, want 2 (the consultation letter goes to the third party)", len(mine))
	}
	if _, err := svc.TrackedLetter(ctx, c.TrackingNo, 2); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("third-party letter by tracking number: %v", err)
	}
	if l, err := svc.TrackedLetter(ctx, strings.ToLower(c.TrackingNo), 1); err != nil || l.Kind != apply.LetterCorrection {
		t.Errorf("applicant's letter: %v", err)
	}

	// Reissue: a new letter, the old one kept.
	nl, err := svc.ReissueLetter(ctx, handler, "", c.ID, 1, ls[0].Title, ls[0].Body+"\n补充：请一并提供联系地址。")
	if err != nil || nl.No != 4 || nl.SHA256 == ls[0].SHA256 {
		t.Fatalf("reissue: %+v %v", nl, err)
	}
	if _, err := svc.ReissueLetter(ctx, handler, "", c.ID, 1, "标题", "还有{{申请人}}"); fieldOf(err) != "body" {
		t.Errorf("reissue with a placeholder left: %v", err)
	}

	// Fees: one method, a zero fee is no notice, the letter states the amount.
	f := reg("某信息咨询公司")
	if _, err := svc.NoticeFee(ctx, handler, "", f.ID, apply.FeeInput{On: "2026-03-05", Method: apply.FeePerItem, Prior: 2, Units: 3}); fieldOf(err) != "units" {
		t.Errorf("fee of nothing: %v", err)
	}
	if _, err := svc.NoticeFee(ctx, handler, "", f.ID, apply.FeeInput{On: "2026-03-05", Method: "both", Units: 3}); fieldOf(err) != "fee_method" {
		t.Errorf("unknown method: %v", err)
	}
	if _, err := svc.Record(ctx, handler, "", f.ID, apply.ClockEvent{Kind: apply.EvFeeNotice, On: date("2026-03-05")}, ""); fieldOf(err) != "fee_method" {
		t.Errorf("fee notice without a fee: %v", err)
	}
	fc, err := svc.NoticeFee(ctx, handler, "", f.ID, apply.FeeInput{On: "2026-03-05", Method: apply.FeePerItem, Prior: 28, Units: 5})
	if err != nil {
		t.Fatal(err)
	}
	// Items 29–33 of the month: 2 × 100 + 3 × 200 = 800 元.
	if ev := fc.Events[len(fc.Events)-1]; ev.FeeAmount != 80000 || ev.FeeMethod != apply.FeePerItem || ev.FeeUnits != 5 {
		t.Errorf("fee event: %+v", ev)
	}
	fl, _ := svc.Letters(ctx, f.ID, true)
	if len(fl) != 1 || !strings.Contains(fl[0].Body, "应缴金额：800.00元") || !strings.Contains(fl[0].Body, "按件计收") {
		t.Errorf("fee letter: %+v", fl)
	}
	if n, err := svc.PriorInMonth(ctx, mustGet(t, svc, handler, f.ID)); err != nil || n != 0 {
		t.Errorf("prior in month: %d %v", n, err)
	}
	reg("某信息咨询公司")
	later := reg("某信息咨询公司")
	if n, _ := svc.PriorInMonth(ctx, later); n != 2 {
		t.Errorf("prior in month for the third application: %d", n)
	}

	// A template change applies to letters issued after it; a template that
	// needs a value the case lacks refuses the letter, naming it.
	admin := login(t, env, "admin")
	if err := svc.SaveTemplate(ctx, handler, "", apply.LetterCorrection, "补正", "{{申请人}}", false); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("handler edited a template: %v", err)
	}
	if err := svc.SaveTemplate(ctx, admin, "", apply.LetterCorrection, "补正通知", "<{{申请人}}：\n请补正：{{补正事项}}。地址：{{机关地址}}", false); err != nil {
		t.Fatal(err)
	}
	g := reg("李九")
	if _, err := env.App.DB.W.Exec("UPDATE orgs SET address = '' WHERE id = $1", zfb); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Record(ctx, handler, "", g.ID, apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: date("2026-03-04"), Until: date("2026-03-18")}, "写明项目")
	if e, ok := apperr.As(err); !ok || len(e.Fields) == 0 || !strings.Contains(e.Fields[0].Message, "机关地址") {
		t.Errorf("letter with a missing value: %v", err)
	}
	if len(mustGet(t, svc, handler, g.ID).Events) != 1 {
		t.Error("the event was stored though its letter was refused")
	}
	if _, err := env.App.DB.W.Exec("UPDATE orgs SET address = '示范路1号' WHERE id = $1", zfb); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Record(ctx, handler, "", g.ID, apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: date("2026-03-04"), Until: date("2026-03-18")}, "写明项目"); err != nil {
		t.Fatal(err)
	}
	gl, _ := svc.Letters(ctx, g.ID, false)
	if len(gl) != 1 || gl[0].Title != "补正通知" || !strings.Contains(gl[0].Body, "地址：示范路1号") {
		t.Errorf("edited template not used: %+v", gl)
	}
}

func mustGet(t *testing.T, svc *apply.Service, p *org.Principal, id string) apply.Case {
	t.Helper()
	c, err := svc.Get(context.Background(), p, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
