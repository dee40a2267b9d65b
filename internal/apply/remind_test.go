package apply_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

var cst = time.FixedZone("CST", 8*3600)

type sentMail struct{ to, subject, body string }

type fakeMailer struct {
	mu   sync.Mutex
	sent []sentMail
	fail map[string]bool // address → refuse
}

func (m *fakeMailer) Send(_ context.Context, to []string, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail[to[0]] {
		return errors.New("550 mailbox unavailable")
	}
	m.sent = append(m.sent, sentMail{to[0], subject, body})
	return nil
}

func recipients(ds []apply.Digest) map[string]bool {
	m := map[string]bool{}
	for _, d := range ds {
		m[d.Recipient] = true
	}
	return m
}

// Every kind of reminder on the 2026 calendar (春节 16–23 Feb off, 14 and
// 28 Feb worked), as of Friday 20 March 2026; who sees them in the back
// office; and the daily digests, sent once per recipient and day however
// often and from however many processes the job runs.
func TestReminders(t *testing.T) {
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, cst)
	env := apptest.Start(t, apptest.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	svc := env.App.Apply
	jyj := orgID(t, env, "区教育局")
	zfbHandler, editor := login(t, env, "handler"), login(t, env, "editor")

	u, err := env.App.Orgs.CreateUser(ctx, audit.System("test", "测试"), org.UserInput{Username: "jyj.handler", DisplayName: "何静",
		OrgID: jyj, Email: "hejing@example.gov.cn", Password: "Gongkai-2026", Grants: []org.Grant{{OrgID: jyj, Role: org.RoleHandler}}})
	if err != nil {
		t.Fatal(err)
	}
	h := &org.Principal{User: u, Grants: []org.Grant{{OrgID: jyj, Role: org.RoleHandler}}}
	const applicant, phone = "王小明", "13912345678"
	form := func(received string) apply.Application {
		return apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: applicant, ContactPhone: phone,
			Description: "2025年义务教育阶段学校招生计划", Channel: apply.ChannelInPerson, SubmittedOn: received}
	}
	register := func(p *org.Principal, orgID, received string) apply.Case {
		t.Helper()
		c, err := svc.Register(ctx, p, "127.0.0.1", orgID, form(received))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	record := func(c apply.Case, e apply.ClockEvent) {
		t.Helper()
		if _, err := svc.Record(ctx, h, "127.0.0.1", c.ID, e, "请写明所需信息的具体年度"); err != nil {
			t.Fatal(err)
		}
	}

	overdue := register(h, jyj, "2026-02-09") // due 13 Mar
	near := register(h, jyj, "2026-02-27")    // due 26 Mar: 4 left
	fresh := register(h, jyj, "2026-03-13")   // correction notice by 24 Mar: 2 working days left on the 20th
	register(h, jyj, "2026-03-19")            // notice due 30 Mar, 6 working days away: no reminder yet
	noCorrection := register(h, jyj, "2026-03-02")
	record(noCorrection, apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: date("2026-03-03"), Until: date("2026-03-10")})
	unpaid := register(h, jyj, "2026-02-04")
	if _, err := svc.NoticeFee(ctx, h, "127.0.0.1", unpaid.ID, apply.FeeInput{On: "2026-02-05", Method: apply.FeePerVolume, Units: 120}); err != nil {
		t.Fatal(err) // pay by 11 Mar
	}
	// A case transferred in from 区政府办 has no handler here.
	moved := register(zfbHandler, orgID(t, env, "区政府办"), "2026-02-09")
	if _, err := svc.Transfer(ctx, zfbHandler, "127.0.0.1", moved.ID, jyj, "属教育局职责"); err != nil {
		t.Fatal(err)
	}
	now = time.Date(2026, 3, 17, 9, 0, 0, 0, cst)
	waiting, err := svc.Submit(ctx, "10.0.0.1", jyj, "", form(""))
	if err != nil {
		t.Fatal(err)
	}
	now = time.Date(2026, 3, 19, 9, 0, 0, 0, cst)
	if _, err := svc.Submit(ctx, "10.0.0.1", jyj, "", form("")); err != nil { // yesterday's: not yet
		t.Fatal(err)
	}
	now = time.Date(2026, 12, 10, 9, 0, 0, 0, cst) // due in 2027, whose holidays are not known
	noCalendar := register(h, jyj, "2026-12-10")
	now = time.Date(2026, 3, 20, 10, 0, 0, 0, cst)

	all, err := svc.Due(ctx, date("2026-03-20"))
	if err != nil {
		t.Fatal(err)
	}
	var got []apply.Reminder
	for _, r := range all {
		if r.OrgID == jyj {
			got = append(got, r)
		}
	}
	want := []struct {
		c         apply.Case
		kind, due string
		remaining int
		handler   string
		msg       string
	}{
		{noCalendar, apply.RemindClockError, "", 0, u.ID, "没有 2027 年的节假日安排"},
		{overdue, apply.RemindOverdue, "2026-03-13", -5, u.ID, "已超期 5 个工作日"},
		{moved, apply.RemindOverdue, "2026-03-13", -5, "", "已超期 5 个工作日"},
		{noCorrection, apply.RemindLapsed, "2026-03-10", -8, u.ID, "逾期不补正"},
		{unpaid, apply.RemindLapsed, "2026-03-11", -7, u.ID, "逾期未缴费"},
		{waiting, apply.RemindUnconfirmed, "2026-03-18", -2, "", "已等待 3 个工作日"},
		{near, apply.RemindNear, "2026-03-26", 4, u.ID, "尚余 4 个工作日"},
		{fresh, apply.RemindCorrectionNotice, "2026-03-24", 2, u.ID, "2026年3月24日 前一次性告知"},
	}
	if len(got) != len(want) {
		for _, r := range got {
			t.Logf("%s %s %s %d %s", r.TrackingNo, r.Kind, r.Due, r.Remaining, r.Message)
		}
		t.Fatalf("%d reminders, want %d", len(got), len(want))
	}
	for i, w := range want {
		r := got[i]
		due := ""
		if r.Due != (workday.Date{}) {
			due = r.Due.String()
		}
		if r.CaseID != w.c.ID || r.TrackingNo != w.c.TrackingNo || r.Kind != w.kind || due != w.due || r.Remaining != w.remaining ||
			r.HandlerID != w.handler || !strings.Contains(r.Message, w.msg) {
			t.Errorf("reminder %d: %s %s due %s rem %d handler %q %q; want %s %s %d %q", i, r.TrackingNo, r.Kind, due, r.Remaining,
				r.HandlerID, r.Message, w.kind, w.due, w.remaining, w.msg)
		}
		if strings.Contains(r.Message, applicant) || strings.Contains(r.Message, phone) {
			t.Errorf("reminder shows applicant data: %q", r.Message)
		}
	}
	if got[1].HandlerName != "何静" || got[2].HandlerName != "" {
		t.Errorf("handler names %q %q", got[1].HandlerName, got[2].HandlerName)
	}
	// A notice sent ends the correction-notice reminder; the reply ends the rest.
	record(fresh, apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: date("2026-03-20"), Until: date("2026-04-03")})
	if _, err := svc.Reply(ctx, h, "127.0.0.1", near.ID, apply.ReplyInput{Outcome: "withhold_process", On: "2026-03-20", Reason: "属于过程性信息"}); err != nil {
		t.Fatal(err)
	}
	mine, err := svc.DueFor(ctx, h, true)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, r := range mine {
		if r.HandlerID != u.ID {
			t.Errorf("mine shows %s of handler %q", r.TrackingNo, r.HandlerID)
		}
		kinds[r.CaseID] += r.Kind
	}
	if len(mine) != 4 || kinds[fresh.ID] != "" || kinds[near.ID] != "" || kinds[overdue.ID] != apply.RemindOverdue {
		t.Errorf("mine after notice and reply: %v", kinds)
	}
	orgWide, err := svc.DueFor(ctx, h, false)
	if err != nil || len(orgWide) != 6 {
		t.Errorf("org-wide: %d %v", len(orgWide), err)
	}
	// 区政府办's handler sees the moved case no more; an editor sees none.
	other, err := svc.DueFor(ctx, zfbHandler, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range other {
		if r.OrgID != orgID(t, env, "区政府办") || r.CaseID == moved.ID {
			t.Errorf("区政府办 handler sees %s of org %s", r.TrackingNo, r.OrgID)
		}
	}
	if len(other) == 0 {
		t.Error("区政府办 handler sees no demo reminders")
	}
	if rs, err := svc.DueFor(ctx, editor, false); err != nil || len(rs) != 0 {
		t.Errorf("editor: %d %v", len(rs), err)
	}

	// Digests: the handler's cases; the org's cases without a handler or overdue.
	ds, err := svc.Digests(ctx, date("2026-03-20"), "https://gk.example.gov.cn/")
	if err != nil {
		t.Fatal(err)
	}
	var hd, od *apply.Digest
	for i := range ds {
		switch ds[i].Recipient {
		case "user:" + u.ID:
			hd = &ds[i]
		case "org:" + jyj:
			od = &ds[i]
		}
	}
	if hd == nil || od == nil {
		t.Fatalf("digests %v", recipients(ds))
	}
	if hd.To != "hejing@example.gov.cn" || len(hd.Reminders) != 4 || !strings.Contains(hd.Subject, "已超期 1 件") ||
		!strings.Contains(hd.Body, "https://gk.example.gov.cn/admin/apply/"+overdue.ID) || !strings.Contains(hd.Body, overdue.TrackingNo) {
		t.Errorf("handler digest to %q, %d reminders: %s\n%s", hd.To, len(hd.Reminders), hd.Subject, hd.Body)
	}
	o, _ := env.App.Orgs.GetOrg(ctx, jyj)
	orgCases := map[string]bool{}
	for _, r := range od.Reminders {
		orgCases[r.CaseID] = true
	}
	if od.To != o.Email || od.To == "" || len(orgCases) != 3 || !orgCases[moved.ID] || !orgCases[waiting.ID] || !orgCases[overdue.ID] ||
		!strings.Contains(od.Body, "承办人：未指定") {
		t.Errorf("org digest to %q: %v\n%s", od.To, orgCases, od.Body)
	}
	for _, d := range ds {
		if strings.Contains(d.Body, applicant) || strings.Contains(d.Body, phone) {
			t.Errorf("digest %s shows applicant data", d.Recipient)
		}
	}

	// Sending: a failure releases the claim and is retried; a digest sent
	// is not sent again, by this or another process.
	m := &fakeMailer{fail: map[string]bool{o.Email: true}}
	res, err := svc.SendDigests(ctx, date("2026-03-20"), "", m)
	if err != nil {
		t.Fatal(err)
	}
	if !recipients(res.Sent)["user:"+u.ID] || !recipients(res.Failed)["org:"+jyj] || len(res.Errors) != 1 || len(m.sent) != len(res.Sent) {
		t.Fatalf("first run: sent %v failed %v", recipients(res.Sent), recipients(res.Failed))
	}
	firstSent := len(res.Sent)
	m.fail = nil
	res, err = svc.SendDigests(ctx, date("2026-03-20"), "", m)
	if err != nil || len(res.Sent) != 1 || res.Sent[0].Recipient != "org:"+jyj || len(res.Skipped) != firstSent {
		t.Fatalf("retry: sent %v skipped %d %v", recipients(res.Sent), len(res.Skipped), err)
	}
	replica := &apply.Service{DB: env.App.DB, Orgs: env.App.Orgs, Calendar: env.App.Calendar.Calendar, Now: func() time.Time { return now }}
	res, err = replica.SendDigests(ctx, date("2026-03-20"), "", m)
	if err != nil || len(res.Sent) != 0 || len(m.sent) != firstSent+1 {
		t.Errorf("another process: sent %v (%d mails) %v", recipients(res.Sent), len(m.sent), err)
	}
	rows, err := env.App.DB.R.QueryContext(ctx, "SELECT summary FROM audit_events WHERE action = 'apply.remind'")
	if err != nil {
		t.Fatal(err)
	}
	var summaries []string
	for rows.Next() {
		var sum string
		rows.Scan(&sum)
		summaries = append(summaries, sum)
	}
	rows.Close()
	if len(summaries) != firstSent+1 {
		t.Errorf("%d audit events for %d mails", len(summaries), firstSent+1)
	}
	for _, sum := range summaries {
		if strings.Contains(sum, applicant) || !strings.Contains(sum, "2026-03-20") {
			t.Errorf("audit summary %q", sum)
		}
	}
	if res, err := audit.Verify(ctx, env.App.DB.R); err != nil || !res.OK() {
		t.Errorf("audit chain: %+v %v", res, err)
	}

	// The job: nothing before 08:30; once a working day; a restarted job
	// finds the day's claims and sends nothing twice.
	job := &apply.ReminderJob{Apply: svc, Mailer: m, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	now = time.Date(2026, 3, 23, 8, 0, 0, 0, cst)
	if day, err := job.Tick(ctx, workday.Date{}); err != nil || day != (workday.Date{}) || len(m.sent) != firstSent+1 {
		t.Errorf("before 08:30: %v %v, %d mails", day, err, len(m.sent))
	}
	now = time.Date(2026, 3, 23, 8, 30, 0, 0, cst)
	day, err := job.Tick(ctx, workday.Date{})
	if err != nil || day != date("2026-03-23") || len(m.sent) <= firstSent+1 {
		t.Fatalf("at 08:30: %v %v, %d mails", day, err, len(m.sent))
	}
	n := len(m.sent)
	if _, err := job.Tick(ctx, day); err != nil || len(m.sent) != n {
		t.Errorf("second tick: %v, %d mails", err, len(m.sent))
	}
	if _, err := job.Tick(ctx, workday.Date{}); err != nil || len(m.sent) != n {
		t.Errorf("restarted job: %v, %d mails", err, len(m.sent))
	}
}

func TestDigestTime(t *testing.T) {
	cal := workday.Builtin()
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 3, 20, 8, 29, 0, 0, cst), false},
		{time.Date(2026, 3, 20, 8, 30, 0, 0, cst), true},
		{time.Date(2026, 3, 20, 0, 30, 0, 0, time.UTC), true},  // 08:30 in China
		{time.Date(2026, 3, 19, 23, 0, 0, 0, time.UTC), false}, // Friday 07:00 in China
		{time.Date(2026, 3, 21, 9, 0, 0, 0, cst), false},       // Saturday
		{time.Date(2026, 2, 28, 9, 0, 0, 0, cst), true},        // Saturday worked for 春节
		{time.Date(2026, 4, 6, 9, 0, 0, 0, cst), false},        // 清明
	} {
		day, due, err := apply.DigestTime(cal, tc.at)
		if err != nil || due != tc.want {
			t.Errorf("%s (%s): %v %v", tc.at, day, due, err)
		}
	}
	if _, _, err := apply.DigestTime(cal, time.Date(2027, 1, 4, 9, 0, 0, 0, cst)); !errors.Is(err, workday.ErrNoCalendar) {
		t.Errorf("2027: %v", err)
	}
}
