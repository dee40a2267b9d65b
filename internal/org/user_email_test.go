package org_test

import (
	"context"
	"testing"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/org"
)

// An account's optional e-mail (where reminders go) is a bare address,
// stored, changed and cleared with the account.
func TestUserEmail(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := org.UserInput{Username: "mailer", DisplayName: "邮件", OrgID: f.dept.ID, Password: "Test@2026"}
	for _, bad := range []string{"a@", "not an address", "张三 <a@example.gov.cn>", "a@example.gov.cn, b@example.gov.cn"} {
		in.Email = bad
		_, err := f.s.CreateUser(ctx, op, in)
		if e, ok := apperr.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "email" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	in.Email = " zhang@example.gov.cn "
	u, err := f.s.CreateUser(ctx, op, in)
	if err != nil || u.Email != "zhang@example.gov.cn" {
		t.Fatalf("create: %+v %v", u, err)
	}
	if got, _ := f.s.GetUser(ctx, u.ID); got.Email != "zhang@example.gov.cn" {
		t.Errorf("stored %q", got.Email)
	}
	in.Email = ""
	if _, err := f.s.UpdateUser(ctx, op, u.ID, in); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.s.GetUser(ctx, u.ID); got.Email != "" {
		t.Errorf("cleared e-mail still %q", got.Email)
	}
	users, _ := f.s.ListUsers(ctx, nil)
	if len(users) != 1 || users[0].Email != "" {
		t.Errorf("list: %+v", users)
	}
}
