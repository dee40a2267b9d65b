package apply_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

func login(t *testing.T, env *apptest.Env, user string) *org.Principal {
	t.Helper()
	_, p, err := env.App.Orgs.Login(context.Background(), user, demo.Password, "127.0.0.1", "test")
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return p
}

func orgID(t *testing.T, env *apptest.Env, short string) string {
	t.Helper()
	orgs, err := env.App.Orgs.ListOrgs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.ShortName == short {
			return o.ID
		}
	}
	t.Fatalf("no org %s", short)
	return ""
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

func date(s string) workday.Date {
	d, err := workday.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// One application through intake, confirmation, consultation, extension
// and reply, with the access rules and refusals on the way, on the engine
// the test run selects.
func TestCaseLifecycle(t *testing.T) {
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := apptest.Start(t, apptest.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	svc := env.App.Apply
	zfb := orgID(t, env, "区政府办")
	handler, reviewer, editor := login(t, env, "handler"), login(t, env, "zfb.reviewer"), login(t, env, "editor")

	form := apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: "张三", IDDocType: "居民身份证",
		IDDocNo: "11010519491231002X", ContactPhone: "13800138000", Description: "示范区2025年城乡居民最低生活保障资金发放情况",
		Form: "电子", Delivery: "电子邮件"}
	c, err := svc.Submit(ctx, "10.0.0.9", zfb, "key-1", form)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != apply.StatusUnconfirmed || !strings.HasPrefix(c.TrackingNo, "YSQ-2026-") || len(c.TrackingNo) != 22 {
		t.Fatalf("submitted: %+v", c)
	}
	if again, err := svc.Submit(ctx, "10.0.0.9", zfb, "key-1", form); err != nil || again.ID != c.ID {
		t.Errorf("replayed form made another case: %v %s", err, again.ID)
	}
	tr, err := svc.Track(ctx, strings.ToLower(c.TrackingNo))
	if err != nil || tr.StatusLabel != "待确认" || tr.ReceivedOn != "" {
		t.Errorf("tracking before confirmation: %+v %v", tr, err)
	}
	for _, bad := range []string{"YSQ-2026-AAAAAA-AAAAAA", "", strings.Repeat("Y", 5000), "' OR 1=1 --"} {
		if _, err := svc.Track(ctx, bad); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Track(%.20q) = %v", bad, err)
		}
	}

	// Another org's staff do not see the case at all.
	if _, err := svc.Get(ctx, editor, c.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("other org's editor: %v", err)
	}
	if _, err := svc.Confirm(ctx, reviewer, "127.0.0.1", c.ID, "2026-03-02"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("reviewer confirming: %v", err)
	}
	if _, err := svc.Confirm(ctx, handler, "127.0.0.1", c.ID, "2026-03-21"); fieldOf(err) != "received_on" {
		t.Errorf("confirmation in the future: %v", err)
	}
	if c, err = svc.Confirm(ctx, handler, "127.0.0.1", c.ID, "2026-03-20"); err != nil {
		t.Fatal(err)
	}
	clock, err := svc.Clock(ctx, c)
	if err != nil || clock.Due != date("2026-04-20") { // 清明: 6 Apr off
		t.Fatalf("clock after confirmation: due %s %v", clock.Due, err)
	}
	if _, err := svc.Confirm(ctx, handler, "127.0.0.1", c.ID, "2026-03-20"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second confirmation: %v", err)
	}

	// Consultation: an answer must match a letter; the letter pauses the clock.
	if _, err := svc.Record(ctx, handler, "127.0.0.1", c.ID, apply.ClockEvent{Kind: apply.EvConsultAnswered, On: date("2026-03-20"), Ref: "X"}, ""); fieldOf(err) != "kind" {
		t.Errorf("answer without letter: %v", err)
	}
	if c, err = svc.Record(ctx, handler, "127.0.0.1", c.ID, apply.ClockEvent{Kind: apply.EvConsultSent, On: date("2026-03-20"),
		Party: apply.PartyThird, Ref: "A"}, "涉及第三方个人信息"); err != nil {
		t.Fatal(err)
	}
	if clock, _ = svc.Clock(ctx, c); clock.State != apply.ClockPaused {
		t.Errorf("state after letter: %s", clock.State)
	}
	if c, err = svc.Record(ctx, handler, "127.0.0.1", c.ID, apply.ClockEvent{Kind: apply.EvConsultAnswered, On: date("2026-03-20"), Ref: "A"}, "第三方同意公开"); err != nil {
		t.Fatal(err)
	}
	// An extension needs the disclosure office head, and a reason.
	ext := apply.ClockEvent{Kind: apply.EvExtension, On: date("2026-03-20"), Days: 10}
	if _, err := svc.Record(ctx, handler, "127.0.0.1", c.ID, ext, "材料较多"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("handler extending: %v", err)
	}
	if _, err := svc.Record(ctx, reviewer, "127.0.0.1", c.ID, ext, ""); fieldOf(err) != "note" {
		t.Errorf("extension without reason: %v", err)
	}
	if c, err = svc.Record(ctx, reviewer, "127.0.0.1", c.ID, ext, "涉及多年度资料，需调档核对"); err != nil {
		t.Fatal(err)
	}
	if clock, _ = svc.Clock(ctx, c); clock.Due != date("2026-05-07") || clock.Limit != 30 {
		// 20 Apr + 10 working days: 21, 22, 23, 24, 27, 28, 29, 30 Apr (1–5 May off), 6, 7 May.
		t.Errorf("due after extension %s (limit %d)", clock.Due, clock.Limit)
	}

	// Reply: the reasons are required for anything but disclosure.
	if _, err := svc.Reply(ctx, handler, "127.0.0.1", c.ID, apply.ReplyInput{Outcome: "withhold_third_party", On: "2026-03-20", Reason: ""}); fieldOf(err) != "reason" {
		t.Errorf("withholding without reason: %v", err)
	}
	if _, err := svc.Reply(ctx, handler, "127.0.0.1", c.ID, apply.ReplyInput{Outcome: "other_no_payment", On: "2026-03-20", Reason: "x"}); fieldOf(err) != "outcome" {
		t.Errorf("a lapse that has not happened: %v", err)
	}
	if c, err = svc.Reply(ctx, handler, "127.0.0.1", c.ID, apply.ReplyInput{Outcome: "partial", On: "2026-03-20", Reason: "涉及第三方个人信息的部分经区分处理后不予公开", Obtain: "电子邮件发送至申请人预留邮箱"}); err != nil {
		t.Fatal(err)
	}
	if c.Status != apply.StatusClosed || c.Outcome != "partial" {
		t.Errorf("after reply: %+v", c)
	}
	if _, err := svc.Record(ctx, handler, "127.0.0.1", c.ID, apply.ClockEvent{Kind: apply.EvFeeNotice, On: date("2026-03-20")}, ""); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("event after reply: %v", err)
	}
	tr, _ = svc.Track(ctx, c.TrackingNo)
	if tr.Outcome != "部分公开" || tr.Clock.State != apply.ClockReplied || tr.RepliedOn != "2026-03-20" {
		t.Errorf("tracking after reply: %+v", tr)
	}

	// The evidence chain has every step and none of the applicant's data.
	evs, err := audit.List(ctx, env.App.DB.R, audit.Filter{ObjectID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
		if strings.Contains(e.Summary, "张三") || strings.Contains(e.Summary, "13800138000") {
			t.Errorf("personal data in the evidence chain: %s", e.Summary)
		}
	}
	for _, want := range []string{"apply.receive", "apply.confirm", "apply.consult_sent", "apply.consult_answered", "apply.extension", "apply.reply"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("evidence chain lacks %s: %v", want, actions)
		}
	}
}

func TestIntakeValidation(t *testing.T) {
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := apptest.Start(t, apptest.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	svc := env.App.Apply
	zfb := orgID(t, env, "区政府办")
	handler := login(t, env, "handler")
	good := apply.Application{ApplicantType: apply.ApplicantBusiness, ApplicantName: "示范区某某科技有限公司",
		ContactEmail: "law@example.com", Description: "2025年度区级政府投资项目计划", Channel: apply.ChannelRegisteredMail,
		SubmittedOn: "2026-03-10", SignedOn: "2026-03-12"}
	c, err := svc.Register(ctx, handler, "127.0.0.1", zfb, good)
	if err != nil {
		t.Fatal(err)
	}
	if c.ReceivedOn != "2026-03-12" || c.Status != apply.StatusHandling {
		t.Errorf("registered mail: received %s status %s", c.ReceivedOn, c.Status)
	}
	for _, tc := range []struct {
		name  string
		edit  func(a *apply.Application)
		field string
	}{
		{"no applicant type", func(a *apply.Application) { a.ApplicantType = "" }, "applicant_type"},
		{"no name", func(a *apply.Application) { a.ApplicantName = " " }, "applicant_name"},
		{"no contact", func(a *apply.Application) { a.ContactEmail = "" }, "contact_phone"},
		{"bad e-mail", func(a *apply.Application) { a.ContactEmail = "a<script>@x" }, "contact_email"},
		{"100,000 characters", func(a *apply.Application) { a.Description = strings.Repeat("政", 100_000) }, "description"},
		{"mail without signing day", func(a *apply.Application) { a.SignedOn = "" }, "signed_on"},
		{"bad date", func(a *apply.Application) { a.SignedOn = "2026-02-30" }, "signed_on"},
		{"unknown channel", func(a *apply.Application) { a.Channel = "pigeon" }, "channel"},
		{"a year without calendar", func(a *apply.Application) { a.SignedOn = "2024-03-12" }, ""},
	} {
		a := good
		tc.edit(&a)
		_, err := svc.Register(ctx, handler, "127.0.0.1", zfb, a)
		if err == nil || fieldOf(err) != tc.field {
			t.Errorf("%s: %v (field %q)", tc.name, err, fieldOf(err))
		}
	}
	// A staff member of another org cannot register for this one.
	if _, err := svc.Register(ctx, login(t, env, "editor"), "127.0.0.1", zfb, good); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("editor of another org: %v", err)
	}
	// The public form stores control characters nowhere and fixes the channel.
	a := good
	a.Channel, a.ApplicantName = apply.ChannelInPerson, "李四\x00\x1b"
	c, err = svc.Submit(ctx, "10.0.0.1", zfb, "", a)
	if err != nil || c.Channel != apply.ChannelOnline || c.ApplicantName != "李四" || c.SignedOn != "" {
		t.Errorf("public submission: %+v %v", c, err)
	}
}

// Copies of one form submitted at the same moment make one case.
func TestConcurrentReplayMakesOneCase(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	zfb := orgID(t, env, "区政府办")
	form := apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: "王五", ContactPhone: "13900000000",
		Description: "示范区2026年财政预算公开情况"}
	ids := make(chan string, 4)
	for range 4 {
		go func() {
			c, err := env.App.Apply.Submit(ctx, "10.0.0.2", zfb, "same-key", form)
			if err != nil {
				t.Error(err)
			}
			ids <- c.ID
		}()
	}
	first := <-ids
	for range 3 {
		if id := <-ids; id != first {
			t.Errorf("replays made cases %s and %s", first, id)
		}
	}
}

// A correction that never came: the clock says 视为放弃, and only then can
// the case be closed that way (report row （六）1).
func TestCloseAfterCorrectionLapse(t *testing.T) {
	now := time.Date(2026, 4, 10, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := apptest.Start(t, apptest.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	svc := env.App.Apply
	handler := login(t, env, "handler")
	c, err := svc.Register(ctx, handler, "127.0.0.1", orgID(t, env, "区政府办"), apply.Application{ApplicantType: apply.ApplicantPerson,
		ApplicantName: "孙七", ContactPhone: "13600000000", Description: "那个文件", Channel: apply.ChannelInPerson, SubmittedOn: "2026-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = svc.Record(ctx, handler, "127.0.0.1", c.ID, apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: date("2026-03-04"),
		Until: date("2026-04-20")}, "请说明所需文件的名称或文号"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(ctx, handler, "127.0.0.1", c.ID, apply.ReplyInput{Outcome: "other_no_correction", On: "2026-04-10", Reason: "逾期未补正"}); fieldOf(err) != "outcome" {
		t.Errorf("closed before the deadline passed: %v", err)
	}
	now = time.Date(2026, 4, 21, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	if c, err = svc.Reply(ctx, handler, "127.0.0.1", c.ID, apply.ReplyInput{Outcome: "other_no_correction", On: "2026-04-21", Reason: "申请人逾期未补正"}); err != nil {
		t.Fatal(err)
	}
	if c.Status != apply.StatusClosed || c.Outcome != "other_no_correction" || c.Events[len(c.Events)-1].Kind == apply.EvReplied {
		t.Errorf("after lapse: %+v", c)
	}
}

// A case sent to the wrong org moves to the right one with its reason; the
// clock keeps the original receipt day; the sender no longer sees it.
func TestTransfer(t *testing.T) {
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := apptest.Start(t, apptest.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	svc := env.App.Apply
	handler, jyjReviewer := login(t, env, "handler"), login(t, env, "jyj.reviewer")
	c, err := svc.Register(ctx, handler, "127.0.0.1", orgID(t, env, "区政府办"), apply.Application{ApplicantType: apply.ApplicantPerson,
		ApplicantName: "钱八", ContactPhone: "13500000000", Description: "某小学2026年招生划片", Channel: apply.ChannelInPerson, SubmittedOn: "2026-03-16"})
	if err != nil {
		t.Fatal(err)
	}
	jyj := orgID(t, env, "区教育局")
	for _, tc := range []struct{ to, reason, field string }{
		{jyj, "", "reason"}, {"", "x", "to_org"}, {orgID(t, env, "区政府办"), "x", "to_org"}, {orgID(t, env, "湖滨社区"), "x", "to_org"},
	} {
		if _, err := svc.Transfer(ctx, handler, "127.0.0.1", c.ID, tc.to, tc.reason); fieldOf(err) != tc.field {
			t.Errorf("transfer to %q reason %q: %v", tc.to, tc.reason, err)
		}
	}
	if _, err := svc.Transfer(ctx, jyjReviewer, "127.0.0.1", c.ID, jyj, "x"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another org transferring: %v", err)
	}
	moved, err := svc.Transfer(ctx, handler, "127.0.0.1", c.ID, jyj, "招生划片由区教育局制作和保存")
	if err != nil {
		t.Fatal(err)
	}
	if moved.OrgID != jyj || moved.ReceivedOn != "2026-03-16" {
		t.Errorf("after transfer: org %s received %s", moved.OrgID, moved.ReceivedOn)
	}
	if _, err := svc.Get(ctx, handler, c.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("sender still sees the case: %v", err)
	}
	if got, err := svc.Get(ctx, jyjReviewer, c.ID); err != nil || got.ID != c.ID {
		t.Errorf("receiver: %v", err)
	}
}
