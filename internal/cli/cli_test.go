package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/org"
)

type result struct {
	code           int
	stdout, stderr string
}

// run executes the CLI in-process against the test's database.
func run(t *testing.T, dbArgs []string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{}, args...)
	full = append(full, dbArgs...)
	code := Main(full, &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb})
	return result{code, out.String(), errb.String()}
}

func dbFlags(t *testing.T) []string {
	u, dir := dbtest.URL(t)
	if u != "" {
		// The data dir still holds files (search index, uploads) on PostgreSQL.
		return []string{"--db", u, "--data", dir}
	}
	return []string{"--data", dir}
}

func TestHelpAndUsageErrors(t *testing.T) {
	r := run(t, nil, "", "help")
	if r.code != 0 || !strings.Contains(r.stdout, "audit") || !strings.Contains(r.stdout, "--data DIR") {
		t.Fatalf("help: %+v", r)
	}
	if r := run(t, nil, "", "help", "serve"); r.code != 0 || !strings.Contains(r.stdout, "--demo") {
		t.Fatalf("help serve: %+v", r)
	}
	if r := run(t, nil, "", "serve", "-h"); r.code != 0 || !strings.Contains(r.stdout, "用法") {
		t.Fatalf("serve -h: %+v", r)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"launch"}, "未知命令 \"launch\""},
		{[]string{"migrate", "--bogus"}, "未知参数 -bogus"},
		{[]string{"serve", "--addr"}, "参数 -addr 需要一个值"},
		{[]string{"serve", "--demo=maybe"}, "参数值无效"},
		{[]string{"migrate", "extra"}, "多余的参数"},
		{[]string{"user"}, "缺少子命令"},
		{[]string{"user", "fly"}, "未知子命令"},
		{[]string{"audit", "check"}, "verify"},
		{[]string{"user", "passwd", "x"}, "--password-stdin"},
	}
	for _, c := range cases {
		r := run(t, nil, "", c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "goroutine") {
			t.Errorf("%v: code %d stderr %q, want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

func TestBadDatabaseTargets(t *testing.T) {
	r := run(t, nil, "", "migrate", "--db", "postgres://app:pw@127.0.0.1:1/x?sslmode=disable&connect_timeout=3")
	if r.code != 1 || !strings.Contains(r.stderr, "无法连接数据库 postgres://127.0.0.1:1/x") || strings.Contains(r.stderr, "pw@") {
		t.Fatalf("unreachable: %+v", r)
	}
	r = run(t, nil, "", "migrate", "--data", "/proc/gongkai-cannot-exist")
	if r.code != 1 || !strings.Contains(r.stderr, "数据目录") {
		t.Fatalf("unwritable data dir: %+v", r)
	}
}

func TestOperatorCommands(t *testing.T) {
	flags := dbFlags(t)
	r := run(t, flags, "", "migrate", "--status")
	if r.code != 0 || !strings.Contains(r.stdout, "0001_foundation") || !regexp.MustCompile(`数据库结构版本：[1-9]\d*（`).MatchString(r.stdout) || !strings.Contains(r.stdout, "0002_catalog") {
		t.Fatalf("migrate: %+v", r)
	}
	// A bad check character is refused and nothing is written.
	r = run(t, flags, "", "org", "add", "--kind", "district", "--name", "某区人民政府", "--code", "000014348")
	if r.code != 1 || !strings.Contains(r.stderr, "--code") || !strings.Contains(r.stderr, "第 9 位应为 9") {
		t.Fatalf("bad code: %+v", r)
	}
	if r := run(t, flags, "", "org", "list"); strings.Contains(r.stdout, "某区") {
		t.Fatal("rejected org was written")
	}
	root := org.MakeUSCC("11999901000014349")
	if r := run(t, flags, "", "org", "add", "--kind", "district", "--name", "某区人民政府", "--code", root); r.code != 0 {
		t.Fatalf("add root: %+v", r)
	}
	street := org.MakeOrgCode("77777777")
	if r := run(t, flags, "", "org", "add", "--parent", root, "--kind", "street", "--name", "某街道", "--code", street); r.code != 0 {
		t.Fatalf("add street: %+v", r)
	}
	if r := run(t, flags, "", "org", "add", "--parent", "nope", "--kind", "street", "--name", "x", "--code", street); r.code != 2 || !strings.Contains(r.stderr, "--parent") {
		t.Fatalf("unknown parent: %+v", r)
	}
	r = run(t, flags, "", "org", "list")
	if !regexp.MustCompile(`(?m)^` + street + `\s+街道\s+  某街道$`).MatchString(r.stdout) {
		t.Fatalf("org list:\n%s", r.stdout)
	}

	if r := run(t, flags, "", "user", "add", "--username", "ops", "--name", "运维", "--org", root, "--roles", "admin"); r.code != 2 {
		t.Fatalf("password on the command line accepted: %+v", r)
	}
	r = run(t, flags, "Ops@2026\n", "user", "add", "--username", "ops", "--name", "运维", "--org", root,
		"--roles", "admin,editor@"+street, "--password-stdin")
	if r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	r = run(t, flags, "Ops@2026\n", "user", "add", "--username", "ops", "--name", "运维", "--org", root, "--password-stdin")
	if r.code != 1 || !strings.Contains(r.stderr, "用户名已被使用") {
		t.Fatalf("duplicate user: %+v", r)
	}
	r = run(t, flags, "Ops@2026\n", "user", "add", "--username", "x2", "--name", "x", "--org", root, "--roles", "king", "--password-stdin")
	if r.code != 2 || !strings.Contains(r.stderr, "king") {
		t.Fatalf("unknown role: %+v", r)
	}
	if r := run(t, flags, "weak\n", "user", "passwd", "ops", "--password-stdin"); r.code != 1 || !strings.Contains(r.stderr, "密码") {
		t.Fatalf("weak password: %+v", r)
	}
	if r := run(t, flags, "New@2026x\n", "user", "passwd", "ops", "--password-stdin"); r.code != 0 {
		t.Fatalf("passwd: %+v", r)
	}
	if r := run(t, flags, "", "user", "disable", "ghost"); r.code != 1 || !strings.Contains(r.stderr, "不存在") {
		t.Fatalf("disable unknown: %+v", r)
	}
	if r := run(t, flags, "", "user", "disable", "ops"); r.code != 0 {
		t.Fatalf("disable: %+v", r)
	}
	r = run(t, flags, "", "user", "list")
	if !strings.Contains(r.stdout, "ops") || !strings.Contains(r.stdout, "已停用") || !strings.Contains(r.stdout, "信息发布员@某街道") {
		t.Fatalf("user list:\n%s", r.stdout)
	}
	// demo refuses a database that has data.
	if r := run(t, flags, "", "demo"); r.code != 1 || !strings.Contains(r.stderr, "空数据库") {
		t.Fatalf("demo on used db: %+v", r)
	}
	r = run(t, flags, "", "audit", "verify")
	if r.code != 0 || !strings.Contains(r.stdout, "证据链完整") {
		t.Fatalf("verify: %+v", r)
	}
}

func TestAuditVerifyNamesTampering(t *testing.T) {
	flags := dbFlags(t)
	if r := run(t, flags, "", "demo"); r.code != 0 || !strings.Contains(r.stdout, "admin") {
		t.Fatalf("demo: %+v", r)
	}
	if r := run(t, flags, "", "audit", "verify"); r.code != 0 {
		t.Fatalf("verify clean: %+v", r)
	}
	d, err := db.Open(context.Background(), db.Config{URL: valueOf(flags, "--db"), DataDir: valueOf(flags, "--data")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.Exec("UPDATE audit_events SET summary = '新建机构 伪造' WHERE seq = 7"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	r := run(t, flags, "", "audit", "verify")
	if r.code != 1 || !strings.Contains(r.stderr, "第 7 号事件的内容与其哈希不符") {
		t.Fatalf("tampered: %+v", r)
	}
}

func valueOf(args []string, flag string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag {
			return args[i+1]
		}
	}
	return ""
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServeDemoPrintsAddressAndAccounts(t *testing.T) {
	flags := dbFlags(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- Main(append([]string{"serve", "--demo", "--addr", "127.0.0.1:0"}, flags...),
			&Env{Stdout: &out, Stderr: &errb, Ctx: ctx})
	}()
	re := regexp.MustCompile(`门户网站：(http://127\.0\.0\.1:\d+)/`)
	var base string
	for i := 0; i < 300 && base == ""; i++ {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	if base == "" {
		cancel()
		t.Fatalf("no address printed: %s %s", out.String(), errb.String())
	}
	for _, want := range []string{"admin", "gkb", "editor", "reviewer", "leader", "handler", "Demo@2026", "/admin/"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start-up output lacks %q:\n%s", want, out.String())
		}
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, errb.String())
	}
	// A second start on the same data finds the demo and serves it again.
	ctx2, cancel2 := context.WithCancel(context.Background())
	var out2 syncBuffer
	go func() {
		done <- Main(append([]string{"serve", "--demo", "--addr", "127.0.0.1:0"}, flags...), &Env{Stdout: &out2, Stderr: &errb, Ctx: ctx2})
	}()
	for i := 0; i < 300 && !re.MatchString(out2.String()); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out2.String(), "Demo@2026") {
		t.Errorf("second start does not list the demo accounts:\n%s", out2.String())
	}
	cancel2()
	if code := <-done; code != 0 {
		t.Fatalf("second serve exited %d: %s", code, errb.String())
	}
}

func TestCatalogCommands(t *testing.T) {
	flags := dbFlags(t)
	if r := run(t, flags, "", "demo"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	d, err := db.Open(context.Background(), db.Config{URL: valueOf(flags, "--db"), DataDir: valueOf(flags, "--data")})
	if err != nil {
		t.Fatal(err)
	}
	o := org.New(d)
	all, _ := o.ListOrgs(context.Background())
	d.Close()
	code := map[string]string{}
	for _, x := range all {
		code[x.ShortName] = x.Code
	}
	dir := t.TempDir()
	xlsx, js := dir+"/qs.xlsx", dir+"/qs.json"
	if r := run(t, flags, "", "catalog", "export", "--org", code["青石镇"], "--format", "xlsx", "-o", xlsx); r.code != 0 || !strings.Contains(r.stderr, "已导出") {
		t.Fatalf("export xlsx: %+v", r)
	}
	if r := run(t, flags, "", "catalog", "export", "--org", code["青石镇"], "--format", "json", "-o", js); r.code != 0 {
		t.Fatalf("export json: %+v", r)
	}
	if r := run(t, flags, "", "catalog", "export", "--org", code["东湖街道"], "--draft", "--format", "json", "-o", "-"); r.code != 0 || !strings.Contains(r.stdout, `"status": "draft"`) {
		t.Fatalf("export draft to stdout: %+v", r)
	}
	if r := run(t, flags, "", "catalog", "export", "--org", code["西城街道"], "-o", xlsx+"2"); r.code != 1 || !strings.Contains(r.stderr, "尚未发布标准目录") {
		t.Fatalf("export without catalog: %+v", r)
	}
	if r := run(t, flags, "", "catalog", "export", "--org", "nope", "-o", xlsx); r.code != 2 || !strings.Contains(r.stderr, "--org") {
		t.Fatalf("export unknown org: %+v", r)
	}
	r := run(t, flags, "", "catalog", "import", "--org", code["西城街道"], xlsx, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "检查通过") {
		t.Fatalf("import dry run: %+v", r)
	}
	junk := dir + "/junk.xlsx"
	os.WriteFile(junk, []byte("这不是 Excel 文件，只是改了扩展名的文本。"), 0o644)
	r = run(t, flags, "", "catalog", "import", "--org", code["西城街道"], junk)
	if r.code != 1 || !strings.Contains(r.stderr, "不是有效的 Excel") || !strings.Contains(r.stderr, "未导入任何内容") {
		t.Fatalf("import junk: %+v", r)
	}
	r = run(t, flags, "", "catalog", "import", "--org", code["西城街道"], xlsx, "--year", "2027")
	if r.code != 0 || !strings.Contains(r.stdout, "已导入") {
		t.Fatalf("import: %+v", r)
	}
	// Export the imported draft again: the same data as the source.
	if r := run(t, flags, "", "catalog", "export", "--org", code["西城街道"], "--draft", "--format", "json", "-o", dir+"/xc.json"); r.code != 0 {
		t.Fatalf("export imported: %+v", r)
	}
	a, _ := os.ReadFile(js)
	b, _ := os.ReadFile(dir + "/xc.json")
	if itemsOf(t, a) != itemsOf(t, b) {
		t.Fatalf("xlsx round trip through another org changed the items:\n%s\n---\n%s", itemsOf(t, a), itemsOf(t, b))
	}
	if r := run(t, flags, "", "catalog", "import", "--org", code["西城街道"]); r.code != 2 {
		t.Fatalf("import without file: %+v", r)
	}
}

// itemsOf is a version's items in JSON without keys, urls and seq (those
// differ between orgs); subject names the source org in both.
func itemsOf(t *testing.T, b []byte) string {
	var v struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	for _, it := range v.Items {
		delete(it, "key")
		delete(it, "url")
	}
	out, _ := json.Marshal(v.Items)
	return string(out)
}

func TestWorkdayAndCalendarCommands(t *testing.T) {
	flags := dbFlags(t)
	if r := run(t, flags, "", "workday", "add", "2026-09-18", "20"); r.code != 0 || r.stdout != "2026-10-22\n" {
		t.Fatalf("workday add: %+v", r)
	}
	if r := run(t, flags, "", "workday", "between", "2026-09-30", "2026-10-09"); r.code != 0 || r.stdout != "2\n" {
		t.Fatalf("workday between: %+v", r)
	}
	r := run(t, flags, "", "workday", "add", "2026-12-20", "20")
	if r.code != 1 || !strings.Contains(r.stderr, "没有 2027 年的节假日安排") {
		t.Fatalf("into 2027 without data: %+v", r)
	}
	for _, bad := range [][]string{{"workday", "add", "2026-02-30", "1"}, {"workday", "add", "2026-09-18", "-1"}, {"workday", "add"}} {
		if r := run(t, flags, "", bad...); r.code != 2 {
			t.Errorf("%v: %+v", bad, r)
		}
	}
	dir := t.TempDir()
	file := dir + "/2027.txt"
	os.WriteFile(file, []byte("# 2027 年安排（测试用）\nyear: 2027\nsource: 测试\nholiday: 2027-01-01\nholiday: 2027-02-08..2027-02-12\n"+
		"holiday: 2027-05-03..2027-05-05\nholiday: 2027-10-01..2027-10-07\nmakeup: 2027-02-06\n"), 0o644)
	if r := run(t, flags, "", "calendar", "import", file); r.code != 0 || !strings.Contains(r.stdout, "已录入 2027 年") {
		t.Fatalf("calendar import: %+v", r)
	}
	if r := run(t, flags, "", "workday", "add", "2026-12-20", "20"); r.code != 0 || !strings.HasPrefix(r.stdout, "2027-01-") {
		t.Fatalf("into 2027 with data: %+v", r)
	}
	if r := run(t, flags, "", "calendar", "list"); !strings.Contains(r.stdout, "2025") || !strings.Contains(r.stdout, "2027") {
		t.Fatalf("calendar list: %+v", r)
	}
	os.WriteFile(file, []byte("year: 2028\nholiday: 2028-13-01\n"), 0o644)
	if r := run(t, flags, "", "calendar", "import", file); r.code != 1 || !strings.Contains(r.stderr, "第 2 行") {
		t.Fatalf("bad calendar file: %+v", r)
	}
}

func TestPrivacyScanCommand(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/clean.txt", []byte("示政办〔2026〕12号 2026年10月22日 统一社会信用代码 11441700007280420Y"), 0o644)
	if r := run(t, nil, "", "privacy", "scan", dir+"/clean.txt"); r.code != 0 || r.stdout != "" {
		t.Fatalf("clean file: %+v", r)
	}
	os.WriteFile(dir+"/dirty.csv", []byte("姓名,身份证号,手机\n张某,11010519491231002X,13812345678\n"), 0o644)
	r := run(t, nil, "", "privacy", "scan", dir)
	if r.code != 1 {
		t.Fatalf("dirty dir: %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 findings, got:\n%s", r.stdout)
	}
	var f map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &f); err != nil || f["kind"] != "id_card" || f["masked"] != "110105********002X" ||
		!strings.HasSuffix(f["file"].(string), "dirty.csv") || f["offset"] == nil || f["length"] == nil {
		t.Fatalf("finding line: %v %s", err, lines[0])
	}
	if strings.Contains(r.stdout, "11010519491231002X") {
		t.Fatal("raw ID printed")
	}
	if r := run(t, nil, "", "privacy", "scan", dir+"/missing.txt"); r.code != 2 {
		t.Fatalf("missing file: %+v", r)
	}
}
