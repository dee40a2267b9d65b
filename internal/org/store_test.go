package org_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/org"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

var op = audit.System("test", "测试")

// fixture is a small district: root, one department, two streets, one
// community under street A.
type fixture struct {
	s                            *org.Service
	clk                          *clock
	root, dept, streetA, streetB org.Org
	community                    org.Org
}

func mustOrg(t *testing.T, s *org.Service, in org.OrgInput) org.Org {
	t.Helper()
	o, err := s.CreateOrg(context.Background(), op, in)
	if err != nil {
		t.Fatalf("CreateOrg %s: %v", in.Name, err)
	}
	return o
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	clk := &clock{time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)}
	s := org.New(d)
	s.Now = clk.Now
	f := &fixture{s: s, clk: clk}
	f.root = mustOrg(t, s, org.OrgInput{Kind: org.KindDistrict, Name: "测试区人民政府", Code: org.MakeOrgCode("10000001")})
	f.dept = mustOrg(t, s, org.OrgInput{ParentID: f.root.ID, Kind: org.KindDepartment, Name: "测试区教育局", Code: org.MakeOrgCode("10000002")})
	f.streetA = mustOrg(t, s, org.OrgInput{ParentID: f.root.ID, Kind: org.KindStreet, Name: "甲街道", Code: org.MakeOrgCode("10000003")})
	f.streetB = mustOrg(t, s, org.OrgInput{ParentID: f.root.ID, Kind: org.KindTown, Name: "乙镇", Code: org.MakeOrgCode("10000004")})
	f.community = mustOrg(t, s, org.OrgInput{ParentID: f.streetA.ID, Kind: org.KindCommunity, Name: "甲社区", Code: org.MakeUSCC("54999901100000051")})
	return f
}

func (f *fixture) mustUser(t *testing.T, username string, home org.Org, grants ...org.Grant) org.User {
	t.Helper()
	u, err := f.s.CreateUser(context.Background(), op, org.UserInput{Username: username, DisplayName: "测试" + username,
		OrgID: home.ID, Password: "Test@2026", Grants: grants})
	if err != nil {
		t.Fatalf("CreateUser %s: %v", username, err)
	}
	return u
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

func TestOrgTreeRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bad := []struct {
		name  string
		in    org.OrgInput
		field string
	}{
		{"second district", org.OrgInput{Kind: org.KindDistrict, Name: "另一个区", Code: org.MakeOrgCode("20000001")}, "kind"},
		{"community under district", org.OrgInput{ParentID: f.root.ID, Kind: org.KindCommunity, Name: "社区", Code: org.MakeOrgCode("20000002")}, "parent_id"},
		{"street without parent", org.OrgInput{Kind: org.KindStreet, Name: "街道", Code: org.MakeOrgCode("20000003")}, "parent_id"},
		{"village under department", org.OrgInput{ParentID: f.dept.ID, Kind: org.KindVillage, Name: "村", Code: org.MakeOrgCode("20000004")}, "parent_id"},
		{"unknown parent", org.OrgInput{ParentID: "nope", Kind: org.KindStreet, Name: "街道", Code: org.MakeOrgCode("20000005")}, "parent_id"},
		{"duplicate code", org.OrgInput{ParentID: f.root.ID, Kind: org.KindStreet, Name: "丙街道", Code: f.dept.Code}, "code"},
		{"duplicate name", org.OrgInput{ParentID: f.root.ID, Kind: org.KindStreet, Name: "甲街道", Code: org.MakeOrgCode("20000006")}, "name"},
		{"bad check char", org.OrgInput{ParentID: f.root.ID, Kind: org.KindStreet, Name: "丁街道", Code: "100000051"}, "code"},
		{"empty name", org.OrgInput{ParentID: f.root.ID, Kind: org.KindStreet, Code: org.MakeOrgCode("20000007")}, "name"},
		{"bad kind", org.OrgInput{ParentID: f.root.ID, Kind: "bureau", Name: "局", Code: org.MakeOrgCode("20000008")}, "kind"},
		{"bad email", org.OrgInput{ParentID: f.root.ID, Kind: org.KindStreet, Name: "戊街道", Code: org.MakeOrgCode("20000009"), Email: "a@"}, "email"},
		{"bad postcode", org.OrgInput{ParentID: f.root.ID, Kind: org.KindStreet, Name: "己街道", Code: org.MakeOrgCode("20000010"), Postcode: "12345"}, "postcode"},
	}
	for _, tt := range bad {
		_, err := f.s.CreateOrg(ctx, op, tt.in)
		if !apperr.Is(err, apperr.Invalid) || fieldOf(err) != tt.field {
			t.Errorf("%s: err = %v (field %q), want Invalid on %q", tt.name, err, fieldOf(err), tt.field)
		}
	}
	n, _ := f.s.CountOrgs(ctx)
	if n != 5 {
		t.Fatalf("rejected creates left rows: %d orgs", n)
	}
	// Moving street A under its own community would make a cycle; and a
	// street cannot become a community while it has children.
	in := org.OrgInput{ParentID: f.community.ID, Kind: org.KindStreet, Name: "甲街道", Code: f.streetA.Code}
	if _, err := f.s.UpdateOrg(ctx, op, f.streetA.ID, in); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("cycle accepted: %v", err)
	}
	in = org.OrgInput{ParentID: f.streetB.ID, Kind: org.KindCommunity, Name: "甲街道", Code: f.streetA.Code}
	if _, err := f.s.UpdateOrg(ctx, op, f.streetA.ID, in); fieldOf(err) != "kind" {
		t.Errorf("kind change with children: %v", err)
	}
	// A valid move: the community moves to town B.
	in = org.OrgInput{ParentID: f.streetB.ID, Kind: org.KindCommunity, Name: "甲社区", Code: f.community.Code, Phone: "0000-1"}
	moved, err := f.s.UpdateOrg(ctx, op, f.community.ID, in)
	if err != nil || moved.ParentID != f.streetB.ID || moved.Phone != "0000-1" {
		t.Fatalf("move: %+v %v", moved, err)
	}
	all, err := f.s.ListOrgs(ctx)
	if err != nil || len(all) != 5 || all[0].ID != f.root.ID {
		t.Fatalf("ListOrgs: %v %v", all, err)
	}
	depth := org.Depth(all)
	if depth[f.root.ID] != 0 || depth[f.community.ID] != 2 {
		t.Fatalf("depth %v", depth)
	}
	got, err := f.s.GetOrgByCode(ctx, " "+strings.ToLower(f.community.Code))
	if err != nil || got.ID != f.community.ID {
		t.Fatalf("GetOrgByCode: %v", err)
	}
	if _, err := f.s.GetOrg(ctx, "missing"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("GetOrg missing: %v", err)
	}
}

func TestAllowedAndScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := func(grants ...org.Grant) *org.Principal { return &org.Principal{Grants: grants} }
	districtAdmin := p(org.Grant{OrgID: f.root.ID, Role: org.RoleAdmin})
	streetAdmin := p(org.Grant{OrgID: f.streetA.ID, Role: org.RoleAdmin})
	supervisor := p(org.Grant{OrgID: f.root.ID, Role: org.RoleSupervisor})
	editorA := p(org.Grant{OrgID: f.streetA.ID, Role: org.RoleEditor})
	tests := []struct {
		name string
		p    *org.Principal
		perm org.Permission
		org  org.Org
		want bool
	}{
		{"district admin manages community", districtAdmin, org.PermOrgManage, f.community, true},
		{"district admin manages itself", districtAdmin, org.PermUserManage, f.root, true},
		{"street admin manages own community", streetAdmin, org.PermUserManage, f.community, true},
		{"street admin not other town", streetAdmin, org.PermOrgView, f.streetB, false},
		{"street admin not the district", streetAdmin, org.PermOrgView, f.root, false},
		{"supervisor views everywhere", supervisor, org.PermUserView, f.community, true},
		{"supervisor cannot manage", supervisor, org.PermOrgManage, f.dept, false},
		{"editor views own org", editorA, org.PermOrgView, f.streetA, true},
		{"editor not own community", editorA, org.PermOrgView, f.community, false},
		{"editor cannot view users", editorA, org.PermUserView, f.streetA, false},
		{"no grants", p(), org.PermOrgView, f.root, false},
		{"unknown role ignored", p(org.Grant{OrgID: f.root.ID, Role: "god"}), org.PermOrgView, f.root, false},
	}
	for _, tt := range tests {
		got, err := f.s.Allowed(ctx, tt.p, tt.perm, tt.org.ID)
		if err != nil || got != tt.want {
			t.Errorf("%s: Allowed = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	scope, err := f.s.Scope(ctx, streetAdmin, org.PermUserView)
	if err != nil || len(scope) != 2 {
		t.Fatalf("street admin scope %v %v", scope, err)
	}
	scope, _ = f.s.Scope(ctx, editorA, org.PermOrgView)
	if len(scope) != 1 || scope[0] != f.streetA.ID {
		t.Fatalf("editor scope %v", scope)
	}
	scope, _ = f.s.Scope(ctx, districtAdmin, org.PermAuditView)
	if len(scope) != 5 {
		t.Fatalf("district scope %v", scope)
	}
}

func TestUsersAndGrants(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.mustUser(t, "Zhang.San", f.streetA, org.Grant{Role: org.RoleEditor}, org.Grant{OrgID: f.community.ID, Role: org.RoleEditor})
	if u.Username != "zhang.san" {
		t.Fatalf("username not folded: %s", u.Username)
	}
	grants, err := f.s.Grants(ctx, u.ID)
	if err != nil || len(grants) != 2 {
		t.Fatalf("grants %v %v", grants, err)
	}
	bad := []struct {
		in    org.UserInput
		field string
	}{
		{org.UserInput{Username: "zhang.san", DisplayName: "重名", OrgID: f.root.ID, Password: "Test@2026"}, "username"},
		{org.UserInput{Username: "ab", DisplayName: "短", OrgID: f.root.ID, Password: "Test@2026"}, "username"},
		{org.UserInput{Username: "张三", DisplayName: "中文名", OrgID: f.root.ID, Password: "Test@2026"}, "username"},
		{org.UserInput{Username: "lisi", OrgID: f.root.ID, Password: "Test@2026"}, "display_name"},
		{org.UserInput{Username: "lisi", DisplayName: "李四", OrgID: f.root.ID, Password: "short"}, "password"},
		{org.UserInput{Username: "lisi", DisplayName: "李四", OrgID: "missing", Password: "Test@2026"}, "org_id"},
		{org.UserInput{Username: "lisi", DisplayName: "李四", OrgID: f.root.ID, Password: "Test@2026",
			Grants: []org.Grant{{Role: "superuser"}}}, "roles"},
	}
	for _, tt := range bad {
		if _, err := f.s.CreateUser(ctx, op, tt.in); !apperr.Is(err, apperr.Invalid) || fieldOf(err) != tt.field {
			t.Errorf("CreateUser(%+v) = %v (field %q); want Invalid on %q", tt.in, err, fieldOf(err), tt.field)
		}
	}
	n, _ := f.s.CountUsers(ctx)
	if n != 1 {
		t.Fatalf("rejected creates left rows: %d users", n)
	}
	// Update replaces grants and home org.
	updated, err := f.s.UpdateUser(ctx, op, u.ID, org.UserInput{DisplayName: "张三丰", OrgID: f.streetB.ID,
		Grants: []org.Grant{{Role: org.RoleReviewer}}})
	if err != nil || updated.DisplayName != "张三丰" || updated.OrgID != f.streetB.ID {
		t.Fatalf("update: %+v %v", updated, err)
	}
	grants, _ = f.s.Grants(ctx, u.ID)
	if len(grants) != 1 || grants[0] != (org.Grant{OrgID: f.streetB.ID, Role: org.RoleReviewer}) {
		t.Fatalf("grants after update: %v", grants)
	}
	list, _ := f.s.ListUsers(ctx, []string{f.streetA.ID})
	if len(list) != 0 {
		t.Fatalf("user still listed under old org: %v", list)
	}
	list, _ = f.s.ListUsers(ctx, []string{})
	if list != nil {
		t.Fatalf("empty scope listed users: %v", list)
	}
	recs, err := audit.List(ctx, f.s.DB.R, audit.Filter{ObjectType: "user", ObjectID: u.ID})
	if err != nil || len(recs) != 2 || recs[0].Action != "user.update" || !strings.Contains(recs[0].BeforeJSON, "zhang.san") {
		t.Fatalf("user events: %+v %v", recs, err)
	}
}

func TestLoginSessionsAndLockout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.mustUser(t, "wangwu", f.streetA, org.Grant{Role: org.RoleEditor})

	sess, p, err := f.s.Login(ctx, " WangWu ", "Test@2026", "192.0.2.1", "test")
	if err != nil || p.User.ID != u.ID || len(p.Grants) != 1 || sess.Token == "" {
		t.Fatalf("login: %v %+v", err, p)
	}
	if _, p2, err := f.s.Authenticate(ctx, sess.Token); err != nil || p2.User.ID != u.ID {
		t.Fatalf("authenticate: %v", err)
	}
	if _, _, err := f.s.Authenticate(ctx, sess.Token+"x"); !apperr.Is(err, apperr.Unauthenticated) {
		t.Fatalf("forged token: %v", err)
	}
	// Idle timeout: active use keeps it alive, two idle hours end it.
	f.clk.Advance(90 * time.Minute)
	if _, _, err := f.s.Authenticate(ctx, sess.Token); err != nil {
		t.Fatalf("after 90 min: %v", err)
	}
	f.clk.Advance(2 * time.Hour)
	if _, _, err := f.s.Authenticate(ctx, sess.Token); err != org.ErrSessionExpired {
		t.Fatalf("idle session: %v", err)
	}
	// Absolute limit: 12 hours even when active.
	sess, _, _ = f.s.Login(ctx, "wangwu", "Test@2026", "192.0.2.1", "test")
	for i := 0; i < 12; i++ {
		f.clk.Advance(time.Hour)
		_, _, err = f.s.Authenticate(ctx, sess.Token)
	}
	if err != org.ErrSessionExpired {
		t.Fatalf("12 h session still valid: %v", err)
	}

	// Lockout after five failures; the right password is refused while locked.
	for i := 1; i <= 5; i++ {
		_, _, err := f.s.Login(ctx, "wangwu", "wrong", "192.0.2.1", "test")
		want := apperr.Unauthenticated
		if i == 5 {
			want = apperr.TooMany
		}
		if !apperr.Is(err, want) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	if _, _, err := f.s.Login(ctx, "wangwu", "Test@2026", "192.0.2.1", "test"); !apperr.Is(err, apperr.TooMany) {
		t.Fatalf("locked account logged in: %v", err)
	}
	f.clk.Advance(16 * time.Minute)
	// The next failure after the lock doubles it.
	if _, _, err := f.s.Login(ctx, "wangwu", "wrong", "192.0.2.1", "test"); !apperr.Is(err, apperr.TooMany) {
		t.Fatalf("6th failure should lock again: %v", err)
	}
	f.clk.Advance(29 * time.Minute)
	if _, _, err := f.s.Login(ctx, "wangwu", "Test@2026", "192.0.2.1", "test"); !apperr.Is(err, apperr.TooMany) {
		t.Fatalf("doubled lock expired early: %v", err)
	}
	f.clk.Advance(2 * time.Minute)
	if _, _, err := f.s.Login(ctx, "wangwu", "Test@2026", "192.0.2.1", "test"); err != nil {
		t.Fatalf("after lock: %v", err)
	}
	// Unknown users answer like wrong passwords and are throttled too.
	for i := 0; i < 4; i++ {
		if _, _, err := f.s.Login(ctx, "nobody", "x", "192.0.2.9", ""); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("unknown user: %v", err)
		}
	}
	if _, _, err := f.s.Login(ctx, "nobody", "x", "192.0.2.9", ""); !apperr.Is(err, apperr.TooMany) {
		t.Fatalf("unknown user not throttled: %v", err)
	}
	// Empty fields are named.
	if _, _, err := f.s.Login(ctx, "", "", "192.0.2.1", ""); fieldOf(err) != "username" {
		t.Fatalf("empty login: %v", err)
	}

	// Disabling ends sessions and blocks login; password changes end other sessions.
	s1, _, _ := f.s.Login(ctx, "wangwu", "Test@2026", "192.0.2.1", "")
	s2, p, _ := f.s.Login(ctx, "wangwu", "Test@2026", "192.0.2.1", "")
	if err := f.s.ChangeOwnPassword(ctx, p, "192.0.2.1", "wrong", "New@2026x", s2.ID); fieldOf(err) != "current_password" {
		t.Fatalf("wrong current password: %v", err)
	}
	if err := f.s.ChangeOwnPassword(ctx, p, "192.0.2.1", "Test@2026", "weak", s2.ID); fieldOf(err) != "new_password" {
		t.Fatalf("weak new password: %v", err)
	}
	if err := f.s.ChangeOwnPassword(ctx, p, "192.0.2.1", "Test@2026", "New@2026x", s2.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.Authenticate(ctx, s1.Token); err == nil {
		t.Fatal("other session survived a password change")
	}
	if _, _, err := f.s.Authenticate(ctx, s2.Token); err != nil {
		t.Fatalf("current session ended by own password change: %v", err)
	}
	if err := f.s.SetDisabled(ctx, op, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.Authenticate(ctx, s2.Token); err == nil {
		t.Fatal("session survived disabling")
	}
	if _, _, err := f.s.Login(ctx, "wangwu", "New@2026x", "192.0.2.1", ""); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("disabled login: %v", err)
	}
	// Admin reset forces a change at next login.
	f.s.SetDisabled(ctx, op, u.ID, false)
	if err := f.s.SetPassword(ctx, op, u.ID, "Reset@2026", true, ""); err != nil {
		t.Fatal(err)
	}
	if _, p, err := f.s.Login(ctx, "wangwu", "Reset@2026", "192.0.2.1", ""); err != nil || !p.User.MustChangePassword {
		t.Fatalf("after reset: %v %+v", err, p)
	}
	res, err := audit.Verify(ctx, f.s.DB.R)
	if err != nil || !res.OK() {
		t.Fatalf("chain after all this: %+v %v", res, err)
	}
	recs, _ := audit.List(ctx, f.s.DB.R, audit.Filter{ObjectID: u.ID, Limit: 100})
	actions := map[string]int{}
	for _, r := range recs {
		actions[r.Action]++
	}
	for _, a := range []string{"auth.login", "auth.login_failed", "auth.locked", "user.disable", "user.enable", "user.password"} {
		if actions[a] == 0 {
			t.Errorf("no %s event in %v", a, actions)
		}
	}
}
