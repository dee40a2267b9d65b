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
)

// A provincial platform pushes an application: it arrives unconfirmed with
// today's submission day, is idempotent on (client, ref), refuses a ref
// reused for other content, and is confirmed by staff like any online
// application. Its status is visible to the client for its org's cases and
// the ones it pushed, and to nobody else through this door.
func TestIntake(t *testing.T) {
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := apptest.Start(t, apptest.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	svc := env.App.Apply
	zfb, dh, jyj := orgID(t, env, "区政府办"), orgID(t, env, "东湖街道"), orgID(t, env, "区教育局")
	prov := apply.IntakeClient{ID: "client-1", Name: "省政府信息公开申请平台"}
	other := apply.IntakeClient{ID: "client-2", Name: "市民热线"}
	form := apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: "王五", IDDocType: "居民身份证",
		IDDocNo: "11010519491231002X", ContactPhone: "13900139000", Description: "示范区2025年老旧小区改造项目清单",
		Form: "电子", Delivery: "电子邮件",
		// What a client cannot set: the service decides channel and days.
		Channel: apply.ChannelInPerson, SubmittedOn: "2026-01-05", ConfirmedOn: "2026-01-06"}

	c, created, err := svc.Intake(ctx, prov, "10.1.1.1", zfb, "SQ-2026-000123", form)
	if err != nil || !created {
		t.Fatalf("intake: %v created=%v", err, created)
	}
	if c.Status != apply.StatusUnconfirmed || c.Channel != apply.ChannelOnline || c.SubmittedOn != "2026-03-20" ||
		c.ReceivedOn != "" || c.ConfirmedOn != "" || c.OrgID != zfb || len(c.Events) != 0 {
		t.Fatalf("intake case: %+v", c)
	}
	var actor, actorID, ip string
	env.App.DB.R.QueryRow("SELECT actor_name, actor_id, ip FROM audit_events WHERE action = 'apply.receive' AND object_id = $1", c.ID).
		Scan(&actor, &actorID, &ip)
	if actor != "接口：省政府信息公开申请平台" || actorID != "api:client-1" || ip != "10.1.1.1" {
		t.Errorf("audit actor %q %q %q", actor, actorID, ip)
	}

	// Replays, also with the whitespace validate trims, return the case.
	spaced := form
	spaced.ApplicantName, spaced.Description = " 王五 ", form.Description+"\n"
	for _, a := range []apply.Application{form, spaced} {
		again, created, err := svc.Intake(ctx, prov, "10.1.1.1", zfb, "SQ-2026-000123", a)
		if err != nil || created || again.ID != c.ID || again.TrackingNo != c.TrackingNo {
			t.Errorf("replay: %v created=%v %s", err, created, again.TrackingNo)
		}
	}
	now = now.Add(24 * time.Hour) // a retry the next day is still a retry
	if again, created, err := svc.Intake(ctx, prov, "10.1.1.1", zfb, "SQ-2026-000123", form); err != nil || created || again.ID != c.ID {
		t.Errorf("replay next day: %v created=%v", err, created)
	}
	changed := form
	changed.Description = "示范区2024年老旧小区改造项目清单"
	if _, _, err := svc.Intake(ctx, prov, "10.1.1.1", zfb, "SQ-2026-000123", changed); !apperr.Is(err, apperr.Conflict) ||
		!strings.Contains(err.Error(), c.TrackingNo) {
		t.Errorf("same ref, other content: %v", err)
	}
	// Another client's ref is its own namespace.
	c2, created, err := svc.Intake(ctx, other, "10.1.1.2", zfb, "SQ-2026-000123", changed)
	if err != nil || !created || c2.ID == c.ID || c2.SubmittedOn != "2026-03-21" {
		t.Fatalf("other client, same ref: %v created=%v %+v", err, created, c2)
	}

	for _, tc := range []struct {
		ref    string
		mutate func(*apply.Application)
		fields []string
	}{
		{"", nil, []string{"ref"}},
		{strings.Repeat("x", 65), nil, []string{"ref"}},
		{"SQ 1", nil, []string{"ref"}},
		{"申请1", nil, []string{"ref"}},
		{"ok-1", func(a *apply.Application) { a.ApplicantName, a.Description = "", "" }, []string{"applicant_name", "description"}},
		{"", func(a *apply.Application) { a.ApplicantType = "robot" }, []string{"ref", "applicant_type"}},
		{"ok-2", func(a *apply.Application) { a.ContactPhone, a.ContactEmail, a.ContactAddress = "", "bad-mail", "" }, []string{"contact_email"}},
	} {
		a := form
		if tc.mutate != nil {
			tc.mutate(&a)
		}
		_, _, err := svc.Intake(ctx, prov, "10.1.1.1", zfb, tc.ref, a)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid {
			t.Errorf("ref %q: %v", tc.ref, err)
			continue
		}
		var got []string
		for _, f := range e.Fields {
			got = append(got, f.Field)
		}
		for _, want := range tc.fields {
			if !strings.Contains(","+strings.Join(got, ",")+",", ","+want+",") {
				t.Errorf("ref %q: fields %v, want %s", tc.ref, got, want)
			}
		}
	}

	// Status: the org's cases, whoever pushed them; not another org's.
	if tr, err := svc.IntakeStatus(ctx, prov, zfb, strings.ToLower(c.TrackingNo)); err != nil || tr.Status != apply.StatusUnconfirmed {
		t.Errorf("status: %+v %v", tr, err)
	}
	if _, err := svc.IntakeStatus(ctx, prov, zfb, c2.TrackingNo); err != nil {
		t.Errorf("status of an org case pushed by another client: %v", err)
	}
	if _, err := svc.IntakeStatus(ctx, apply.IntakeClient{ID: "client-3", Name: "教育局对接"}, jyj, c.TrackingNo); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another org's client sees the case: %v", err)
	}
	if _, err := svc.IntakeStatus(ctx, prov, zfb, "YSQ-2026-AAAAAA-AAAAAA"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown number: %v", err)
	}

	// Staff confirm it with the applicant; the clock starts then.
	handler := login(t, env, "handler")
	if c, err = svc.Confirm(ctx, handler, "127.0.0.1", c.ID, "2026-03-21"); err != nil || c.ReceivedOn != "2026-03-21" {
		t.Fatalf("confirm: %v %+v", err, c)
	}
	// Transferred (转办) to the org that should handle it: the client that
	// pushed it still follows it; another client of the first org does not.
	if _, err := svc.Transfer(ctx, handler, "127.0.0.1", c.ID, dh, "申请内容属东湖街道职责"); err != nil {
		t.Fatal(err)
	}
	if tr, err := svc.IntakeStatus(ctx, prov, zfb, c.TrackingNo); err != nil || tr.Status != apply.StatusHandling {
		t.Errorf("status after transfer: %+v %v", tr, err)
	}
	if _, err := svc.IntakeStatus(ctx, other, zfb, c.TrackingNo); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("other client sees a transferred case it did not push: %v", err)
	}
	if again, created, err := svc.Intake(ctx, prov, "10.1.1.1", zfb, "SQ-2026-000123", form); err != nil || created || again.ID != c.ID {
		t.Errorf("replay after transfer: %v created=%v", err, created)
	}
	if res, err := audit.Verify(ctx, env.App.DB.R); err != nil || !res.OK() {
		t.Fatalf("audit: %+v %v", res, err)
	}
}

// Concurrent pushes of one application make one case.
func TestIntakeRace(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	zfb := orgID(t, env, "区政府办")
	form := apply.Application{ApplicantType: apply.ApplicantBusiness, ApplicantName: "某某有限公司", ContactEmail: "a@example.com",
		Description: "2025年度政府采购意向公开目录"}
	type res struct {
		c       apply.Case
		created bool
		err     error
	}
	out := make(chan res, 8)
	for range 8 {
		go func() {
			c, created, err := env.App.Apply.Intake(ctx, apply.IntakeClient{ID: "c1", Name: "省平台"}, "", zfb, "R-1", form)
			out <- res{c, created, err}
		}()
	}
	ids, createdN := map[string]bool{}, 0
	for range 8 {
		r := <-out
		if r.err != nil {
			t.Fatalf("concurrent intake: %v", r.err)
		}
		ids[r.c.ID] = true
		if r.created {
			createdN++
		}
	}
	if len(ids) != 1 || createdN != 1 {
		t.Errorf("%d cases, %d created", len(ids), createdN)
	}
}
