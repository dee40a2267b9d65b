package cli

import (
	"context"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apiclient"
	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
)

func TestAPIKeyCommands(t *testing.T) {
	flags := dbFlags(t)
	if r := run(t, flags, "", "demo"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	ctx := context.Background()
	open := func() *db.DB {
		d, err := db.Open(ctx, db.Config{URL: valueOf(flags, "--db"), DataDir: valueOf(flags, "--data")})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := open()
	all, _ := org.New(d).ListOrgs(ctx)
	d.Close()
	code := map[string]string{}
	for _, x := range all {
		code[x.ShortName] = x.Code
	}

	if r := run(t, flags, "", "apikey", "list"); r.code != 0 || !strings.Contains(r.stdout, "还没有接口密钥") {
		t.Fatalf("empty list: %+v", r)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"apikey"}, 2, "缺少子命令"},
		{[]string{"apikey", "rotate"}, 2, "未知子命令"},
		{[]string{"apikey", "create", "--name", "省平台"}, 2, "缺少 --org"},
		{[]string{"apikey", "create", "--org", code["区政府办"]}, 2, "缺少 --name"},
		{[]string{"apikey", "create", "--org", code["区政府办"], "--name", "  "}, 2, "缺少 --name"},
		{[]string{"apikey", "create", "--org", "nope", "--name", "省平台"}, 2, "--org：机构代码 \"nope\" 不存在"},
		{[]string{"apikey", "create", "--org", code["湖滨社区"], "--name", "省平台"}, 1, "（--org）：社区（村）不是行政机关"},
		{[]string{"apikey", "create", "--org", code["区政府办"], "--name", strings.Repeat("长", 65)}, 1, "（--name）：名称最多 64 个字"},
		{[]string{"apikey", "create", "--org", code["区政府办"], "--name", "省平台", "extra"}, 2, "多余的参数"},
		{[]string{"apikey", "revoke"}, 2, "需要一个密钥编号"},
		{[]string{"apikey", "revoke", "nope"}, 1, "接口客户端 nope 不存在"},
	} {
		if r := run(t, flags, "", tc.args...); r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: code %d, stderr %q; want %d, %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}

	r := run(t, flags, "", "apikey", "create", "--org", code["区政府办"], "--name", "省政府信息公开申请平台")
	if r.code != 0 || !strings.Contains(r.stdout, "只显示这一次") || !strings.Contains(r.stdout, "示范区人民政府办公室") {
		t.Fatalf("create: %+v", r)
	}
	var token string
	for _, w := range strings.Fields(r.stdout) {
		if strings.HasPrefix(w, apiclient.TokenPrefix) {
			token = w
		}
	}
	d = open()
	svc := &apiclient.Service{DB: d}
	c, err := svc.Authenticate(ctx, token)
	d.Close()
	if err != nil || c.Name != "省政府信息公开申请平台" || !strings.Contains(r.stdout, c.ID) {
		t.Fatalf("the printed token does not authenticate: %q %v", token, err)
	}

	r = run(t, flags, "", "apikey", "list")
	if r.code != 0 || !strings.Contains(r.stdout, c.ID) || !strings.Contains(r.stdout, "省政府信息公开申请平台") ||
		!strings.Contains(r.stdout, "有效") || strings.Contains(r.stdout, token) {
		t.Fatalf("list: %+v", r)
	}
	if r := run(t, flags, "", "apikey", "revoke", c.ID); r.code != 0 || !strings.Contains(r.stdout, "已吊销") {
		t.Fatalf("revoke: %+v", r)
	}
	if r := run(t, flags, "", "apikey", "revoke", c.ID); r.code != 1 || !strings.Contains(r.stderr, "已于") {
		t.Errorf("revoke twice: %+v", r)
	}
	if r := run(t, flags, "", "apikey", "list"); r.code != 0 || !strings.Contains(r.stdout, "已吊销（") {
		t.Errorf("list after revoke: %+v", r)
	}
	d = open()
	defer d.Close()
	if _, err := (&apiclient.Service{DB: d}).Authenticate(ctx, token); !apperr.Is(err, apperr.Unauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
	if r := run(t, flags, "", "audit", "verify"); r.code != 0 {
		t.Errorf("audit verify: %+v", r)
	}
}
