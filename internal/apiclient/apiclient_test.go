package apiclient_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apiclient"
	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/org"
)

var op = audit.System("test", "测试")

type fixture struct {
	d                 *db.DB
	s                 *apiclient.Service
	now               time.Time
	dept, community   org.Org
	ctx               context.Context
	orgs              *org.Service
	root, otherStreet org.Org
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	f := &fixture{d: d, now: time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC), ctx: context.Background()}
	f.s = &apiclient.Service{DB: d, Now: func() time.Time { return f.now }}
	f.orgs = org.New(d)
	f.orgs.Now = func() time.Time { return f.now }
	mk := func(in org.OrgInput) org.Org {
		o, err := f.orgs.CreateOrg(f.ctx, op, in)
		if err != nil {
			t.Fatalf("CreateOrg %s: %v", in.Name, err)
		}
		return o
	}
	f.root = mk(org.OrgInput{Kind: org.KindDistrict, Name: "测试区人民政府", Code: org.MakeOrgCode("10000001")})
	f.dept = mk(org.OrgInput{ParentID: f.root.ID, Kind: org.KindDepartment, Name: "测试区教育局", Code: org.MakeOrgCode("10000002")})
	f.otherStreet = mk(org.OrgInput{ParentID: f.root.ID, Kind: org.KindStreet, Name: "甲街道", Code: org.MakeOrgCode("10000003")})
	f.community = mk(org.OrgInput{ParentID: f.otherStreet.ID, Kind: org.KindCommunity, Name: "甲社区", Code: org.MakeUSCC("54999901100000051")})
	return f
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

// Create → the token works, only its hash is stored; revoke → it stops
// working; both are in the evidence chain, which still verifies.
func TestCreateAuthenticateRevoke(t *testing.T) {
	f := newFixture(t)
	c, token, err := f.s.Create(f.ctx, op, "  省政府信息公开申请平台 ", f.dept.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "省政府信息公开申请平台" || c.OrgID != f.dept.ID || c.CreatedBy != "测试" || c.Revoked() {
		t.Fatalf("created %+v", c)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, apiclient.TokenPrefix))
	if !strings.HasPrefix(token, "gk_") || err != nil || len(raw) < 32 {
		t.Fatalf("token %q: %v, %d bytes", token, err, len(raw))
	}
	var stored string
	if err := f.d.R.QueryRow("SELECT token_hash FROM api_clients WHERE id = $1", c.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 64 || strings.Contains(stored, token) || strings.Contains(stored, strings.TrimPrefix(token, "gk_")) {
		t.Fatalf("stored %q: not a SHA-256 of the token", stored)
	}
	f.now = f.now.Add(time.Minute)                                    // created after the first: the list is in creation order
	_, token2, err := f.s.Create(f.ctx, op, "省政府信息公开申请平台", f.dept.ID) // a rotation overlaps the old key
	if err != nil || token2 == token {
		t.Fatalf("second client: %v (same token: %v)", err, token2 == token)
	}

	got, err := f.s.Authenticate(f.ctx, token)
	if err != nil || got.ID != c.ID || got.OrgID != f.dept.ID || got.LastUsedAt.IsZero() {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	for _, bad := range []string{"", "Bearer " + token, token + "x", strings.TrimPrefix(token, "gk_"), "gk_" + strings.Repeat("A", 200)} {
		if _, err := f.s.Authenticate(f.ctx, bad); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("authenticate %q: %v", bad, err)
		}
	}

	f.now = f.now.Add(time.Hour)
	rc, err := f.s.Revoke(f.ctx, op, c.ID)
	if err != nil || !rc.Revoked() {
		t.Fatalf("revoke: %+v %v", rc, err)
	}
	if _, err := f.s.Authenticate(f.ctx, token); !apperr.Is(err, apperr.Unauthenticated) {
		t.Errorf("revoked token still works: %v", err)
	}
	if _, err := f.s.Authenticate(f.ctx, token2); err != nil {
		t.Errorf("the other client's token stopped working: %v", err)
	}
	if _, err := f.s.Revoke(f.ctx, op, c.ID); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second revoke: %v", err)
	}
	if _, err := f.s.Revoke(f.ctx, op, "no-such-id"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("revoke unknown: %v", err)
	}

	list, err := f.s.List(f.ctx)
	if err != nil || len(list) != 2 || list[0].ID != c.ID || !list[0].Revoked() || list[1].Revoked() {
		t.Fatalf("list: %+v %v", list, err)
	}
	if !list[0].LastUsedAt.Equal(f.now.Add(-time.Hour)) {
		t.Errorf("last used %v, want %v", list[0].LastUsedAt, f.now.Add(-time.Hour))
	}

	var creates, revokes int
	f.d.R.QueryRow("SELECT COUNT(*) FROM audit_events WHERE action = 'apiclient.create'").Scan(&creates)
	f.d.R.QueryRow("SELECT COUNT(*) FROM audit_events WHERE action = 'apiclient.revoke' AND object_id = $1", c.ID).Scan(&revokes)
	if creates != 2 || revokes != 1 {
		t.Errorf("audit: %d creates, %d revokes", creates, revokes)
	}
	var leaked int
	f.d.R.QueryRow("SELECT COUNT(*) FROM audit_events WHERE summary LIKE $1 OR after_json LIKE $1 OR after_json LIKE $2",
		"%"+token[3:13]+"%", "%"+stored[:16]+"%").Scan(&leaked)
	if leaked != 0 {
		t.Error("the token or its hash reached the evidence chain")
	}
	if res, err := audit.Verify(f.ctx, f.d.R); err != nil || !res.OK() {
		t.Fatalf("verify: %+v %v", res, err)
	}
}

func TestCreateRefusals(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, orgID, field string
	}{
		{"", f.dept.ID, "name"},
		{"   ", f.dept.ID, "name"},
		{strings.Repeat("长", 65), f.dept.ID, "name"},
		{"平台\x00", f.dept.ID, "name"},
		{"省平台", "no-such-org", "org"},
		{"省平台", f.community.ID, "org"}, // 社区 does not take applications
	} {
		if _, _, err := f.s.Create(f.ctx, op, tc.name, tc.orgID); fieldOf(err) != tc.field {
			t.Errorf("Create(%q, %s): %v, want a %s error", tc.name, tc.orgID, err, tc.field)
		}
	}
	if list, err := f.s.List(f.ctx); err != nil || len(list) != 0 {
		t.Errorf("refused creates stored something: %v %v", list, err)
	}
}
