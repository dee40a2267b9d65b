package search

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// The suite runs on SQLite, and on PostgreSQL when GONGKAI_TEST_POSTGRES is
// set (CI runs both): the same records, the same queries, the same results.

var op = audit.System("test", "测试")

type fixture struct {
	t      *testing.T
	db     *db.DB
	orgs   *org.Service
	cat    *catalog.Service
	info   *info.Service
	s      *Service
	follow *changes.Follower
	unit   org.Org
	other  org.Org
	ps     map[string]*org.Principal
	// live switches the after-commit sync on and off, to simulate a
	// process that died between commit and index update.
	live bool
}

func newFixture(t *testing.T, dir string) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	orgs := org.New(d)
	orgs.Now = func() time.Time { return now }
	root, err := orgs.CreateOrg(ctx, op, org.OrgInput{Kind: org.KindDistrict, Name: "测试区", Code: org.MakeOrgCode("40000001")})
	if err != nil {
		t.Fatal(err)
	}
	unit, _ := orgs.CreateOrg(ctx, op, org.OrgInput{ParentID: root.ID, Kind: org.KindStreet, Name: "甲街道", Code: org.MakeOrgCode("40000002")})
	other, _ := orgs.CreateOrg(ctx, op, org.OrgInput{ParentID: root.ID, Kind: org.KindStreet, Name: "乙街道", Code: org.MakeOrgCode("40000003")})
	cat := &catalog.Service{DB: d, Orgs: orgs, Now: orgs.Now}
	cal := &workday.Store{DB: d, Now: orgs.Now}
	f := &fixture{t: t, db: d, orgs: orgs, cat: cat, unit: unit, other: other, ps: map[string]*org.Principal{}, live: true,
		info: &info.Service{DB: d, Orgs: orgs, Catalog: cat, Calendar: cal.Calendar, Now: orgs.Now}}
	for name, role := range map[string]org.Role{"editor": org.RoleEditor, "reviewer": org.RoleReviewer, "leader": org.RoleLeader} {
		var grants []org.Grant
		for _, o := range []org.Org{unit, other} {
			grants = append(grants, org.Grant{OrgID: o.ID, Role: role})
		}
		u, err := orgs.CreateUser(ctx, op, org.UserInput{Username: name, DisplayName: name, OrgID: unit.ID, Password: "Test@2026", Grants: grants})
		if err != nil {
			t.Fatal(err)
		}
		f.ps[name] = &org.Principal{User: u, Grants: grants}
	}
	f.open(dir)
	d.AfterCommit(func(ctx context.Context) {
		if f.live {
			if err := f.follow.Sync(ctx); err != nil {
				t.Errorf("sync: %v", err)
			}
		}
	})
	return f
}

func (f *fixture) open(dir string) {
	f.t.Helper()
	f.s = &Service{DB: f.db, Orgs: f.orgs, Info: f.info, Catalog: f.cat, Dir: dir}
	if err := f.s.Open(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	f.follow = &changes.Follower{DB: f.db, Views: []changes.View{f.s}}
	if err := f.follow.Sync(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { f.s.Close() })
}

func (f *fixture) publish(orgID string, fs info.Fields) info.Record {
	f.t.Helper()
	ctx := context.Background()
	if fs.Attribute == "" {
		fs.Attribute = info.Proactive
	}
	if fs.FormedOn == "" {
		fs.FormedOn = "2026-11-16"
	}
	if fs.Genre == "" {
		fs.Genre = "通知公告"
	}
	if fs.Genre == info.GenreNormative && fs.InterpPlan == "" {
		fs.InterpPlan = "文字解读"
	}
	r, err := f.info.Create(ctx, f.ps["editor"], "", orgID, fs)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.info.Submit(ctx, f.ps["editor"], "", r.ID, ""); err != nil {
		f.t.Fatal(err)
	}
	ok := info.Decision{SecrecyConfirmed: true}
	if _, err := f.info.Approve(ctx, f.ps["reviewer"], "", r.ID, ok); err != nil {
		f.t.Fatal(err)
	}
	r, err = f.info.Approve(ctx, f.ps["leader"], "", r.ID, ok)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) search(r Request) Result {
	f.t.Helper()
	res, err := f.s.Search(context.Background(), r)
	if err != nil {
		f.t.Fatalf("search %+v: %v", r, err)
	}
	return res
}

func titles(res Result) []string {
	var out []string
	for _, h := range res.Hits {
		var b strings.Builder
		for _, sp := range h.Title {
			b.WriteString(sp.Text)
		}
		out = append(out, b.String())
	}
	return out
}

func TestSearchFollowsPublication(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	budget := f.publish(f.unit.ID, info.Fields{Title: "甲街道2026年部门预算公开", Genre: "财政预决算", Topic: "财政、金融、审计",
		Body: "<p>根据预算法，公开部门收支预算总表和三公经费预算。</p>", WrittenOn: "2026-11-10"})
	notice := f.publish(f.other.ID, info.Fields{Title: "乙街道关于开展临时救助宣传月的通知", DocNo: "乙街〔2026〕18号",
		Body: "<p>各社区：现将临时救助政策宣传有关事项通知如下。</p>"})
	// Visible before the publishing call returned: the after-commit sync.
	if res := f.search(Request{Q: "预算"}); res.Total != 1 || res.Hits[0].Record.ID != budget.ID {
		t.Fatalf("预算: %+v", res)
	}
	// Traditional ↔ simplified, full-width, 文号 bracket variants, 1 character.
	for _, q := range []string{"預算", "臨時救助", "乙街[2026]18号", "乙街（2026）18号", "文号:乙街〔2026〕18号", "ＰＲＥ", "救"} {
		res := f.search(Request{Q: q})
		want := 1
		if q == "ＰＲＥ" {
			want = 0
		}
		if res.Total != want {
			t.Errorf("%q: total %d, want %d", q, res.Total, want)
		}
	}
	// Snippets are cut from the original text with the match marked.
	res := f.search(Request{Q: "預算"})
	var marked []string
	for _, sp := range res.Hits[0].Snippet {
		if sp.Hit {
			marked = append(marked, sp.Text)
		}
	}
	if len(marked) == 0 || marked[0] != "预算" {
		t.Errorf("snippet marks %q", marked)
	}
	// Facets: exact counts; org facet by code with names.
	all := f.search(Request{})
	if all.Total != 2 || len(all.Facets["org"]) != 2 || all.Facets["kind"][0].Value != KindInfo || all.Facets["kind"][0].Count != 2 {
		t.Errorf("browse all: total %d facets %+v", all.Total, all.Facets)
	}
	if r := f.search(Request{Org: []string{f.other.Code}}); r.Total != 1 || r.Hits[0].Record.ID != notice.ID {
		t.Errorf("org filter: %+v", r)
	}
	if r := f.search(Request{Org: []string{"nosuchorg"}}); r.Total != 0 {
		t.Errorf("unknown org matched %d", r.Total)
	}
	if r := f.search(Request{Year: []string{"2026"}, Genre: []string{"财政预决算"}}); r.Total != 1 {
		t.Errorf("year+genre: %d", r.Total)
	}
	// Withdrawn: gone from search before Withdraw returns.
	if err := f.info.Withdraw(ctx, f.ps["editor"], "", budget.ID, "有误"); err != nil {
		t.Fatal(err)
	}
	if r := f.search(Request{Q: "预算"}); r.Total != 0 {
		t.Errorf("withdrawn record still found: %d", r.Total)
	}
	// Not public: on_request records are never indexed.
	f.publish(f.unit.ID, info.Fields{Title: "依申请公开的预算明细", Attribute: info.OnRequest})
	if r := f.search(Request{Q: "预算明细"}); r.Total != 0 {
		t.Errorf("依申请公开 record indexed")
	}
}

func TestPolicyLibraryRanksAndLinks(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	old := f.publish(f.unit.ID, info.Fields{Title: "甲街道养老服务补贴办法（2019年）", Genre: info.GenreNormative, WrittenOn: "2019-04-01",
		FormedOn: "2019-04-01", DocNo: "甲街〔2019〕3号", Body: "<p>养老服务补贴的对象和标准。</p>"})
	cur := f.publish(f.unit.ID, info.Fields{Title: "甲街道养老服务补贴办法", Genre: info.GenreNormative, WrittenOn: "2026-11-02",
		FormedOn: "2026-11-02", DocNo: "甲街〔2026〕9号", Body: "<p>养老服务补贴的对象、标准和发放程序。</p>"})
	if err := f.info.SetValidity(ctx, f.ps["editor"], "", old.ID, info.ValidAbolished, "2026-11-20", cur.ID); err != nil {
		t.Fatal(err)
	}
	it := f.publish(f.unit.ID, info.Fields{Title: "《甲街道养老服务补贴办法》政策解读", Genre: info.GenreInterpretation,
		InterpretsID: cur.ID, InterpForm: "问答", InterpOrg: "甲街道", InterpDept: "社会事务办", InterpContact: "0000-1",
		Body: "<p>问：谁可以申请养老服务补贴？</p>"})
	for _, sort := range []string{"relevance", "date"} {
		res := f.search(Request{Q: "养老服务补贴", Kind: []string{KindPolicy}, Sort: sort})
		if res.Total != 2 || res.Hits[0].Record.ID != cur.ID || res.Hits[1].Record.ID != old.ID {
			t.Errorf("%s: abolished not ranked last: %+v", sort, res.Hits)
		}
		if len(res.Hits[0].Interps) != 1 || !strings.Contains(res.Hits[0].Interps[0].URL, it.ID) || res.Hits[0].Interps[0].Form != "问答" {
			t.Errorf("policy hit lacks its interpretation: %+v", res.Hits[0].Interps)
		}
	}
	res := f.search(Request{Q: "谁可以申请", Kind: []string{KindInterp}})
	if res.Total != 1 || res.Hits[0].Policy == nil || !strings.Contains(res.Hits[0].Policy.URL, cur.ID) {
		t.Errorf("interpretation lacks its policy: %+v", res.Hits)
	}
	lib := f.search(Request{Kind: []string{KindPolicy}})
	byValue := map[string]int{}
	for _, x := range lib.Facets["validity"] {
		byValue[x.Value] = x.Count
	}
	if byValue[info.ValidCurrent] != 1 || byValue[info.ValidAbolished] != 1 {
		t.Errorf("validity facet: %+v", lib.Facets["validity"])
	}
	years := lib.Facets["year"]
	if len(years) != 2 || years[0].Value != "2026" || years[1].Value != "2019" {
		t.Errorf("year facet (newest first): %+v", years)
	}
}

func TestCatalogItemsIndexed(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	doms, err := f.cat.Domains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var dom string
	for _, d := range doms {
		if d.Name == "社会救助" {
			dom = d.ID
		}
	}
	v, err := f.cat.StartDraft(ctx, op, f.unit.ID, 2026, []string{dom})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cat.Publish(ctx, op, v.ID); err != nil {
		t.Fatal(err)
	}
	res := f.search(Request{Kind: []string{KindCatalog}})
	if res.Total != v.Items || res.Total == 0 {
		t.Fatalf("catalog items indexed: %d of %d", res.Total, v.Items)
	}
	if !strings.HasPrefix(res.Hits[0].URL, "/zfxxgk/"+f.unit.Code+"/bzml/sx/") {
		t.Errorf("item URL %s", res.Hits[0].URL)
	}
	// A new version replaces the items; removed ones leave the index.
	v2, err := f.cat.StartDraft(ctx, op, f.unit.ID, 2027, nil)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := f.cat.Items(ctx, v2.ID)
	if err := f.cat.DeleteItem(ctx, op, v2.ID, items[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := f.cat.Publish(ctx, op, v2.ID); err != nil {
		t.Fatal(err)
	}
	if r := f.search(Request{Kind: []string{KindCatalog}}); r.Total != v.Items-1 {
		t.Errorf("after a version without one item: %d, want %d", r.Total, v.Items-1)
	}
}

func TestBadInputIsHarmless(t *testing.T) {
	f := newFixture(t, "")
	f.publish(f.unit.ID, info.Fields{Title: "关于财政资金管理的通知", Body: "<p>财政资金</p>"})
	for _, q := range []string{strings.Repeat("财政", 1000), `"财政`, "，。！？", "\x00\x01财政\x7f", "' OR 1=1 --",
		"NEAR(财政 资金)", "title:*", "标题:", "-", "OR OR", "😀", `财政 "" -""`} {
		if _, err := f.s.Search(context.Background(), Request{Q: q}); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	res := f.search(Request{Q: strings.Repeat("财政", 1000)})
	if res.Notice == "" {
		t.Errorf("no notice for a 2,000-character query")
	}
	for _, bad := range []Request{{Sort: "random"}, {Year: []string{"20x6"}}, {Kind: []string{"blog"}}, {Page: -1},
		{Validity: []string{"valid"}}, {Size: 1000}} {
		if _, err := f.s.Search(context.Background(), bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

// The index on disk reopens without a rebuild, and what was committed after
// its last checkpoint — including changes applied in memory by a process
// that then died — is replayed from the change log.
func TestReopenAndCrashRecovery(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "search")
	f := newFixture(t, dir)
	a := f.publish(f.unit.ID, info.Fields{Title: "第一份关于河道治理的通知"})
	if err := f.s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	b := f.publish(f.unit.ID, info.Fields{Title: "第二份关于河道治理的通知"}) // applied, not checkpointed
	// Crash: the process dies; its lock goes with it, nothing is saved.
	f.live = false
	f.s.lock.Close()
	f.s.ix.Store(nil)
	c := f.publish(f.unit.ID, info.Fields{Title: "第三份关于河道治理的通知"}) // committed, never applied
	f.open(dir)
	f.live = true
	res := f.search(Request{Q: "河道治理", Sort: "date"})
	if res.Total != 3 {
		t.Fatalf("after crash: %d of 3 (%v)", res.Total, titles(res))
	}
	ids := []string{res.Hits[0].Record.ID, res.Hits[1].Record.ID, res.Hits[2].Record.ID}
	for _, id := range []string{a.ID, b.ID, c.ID} {
		if !slices.Contains(ids, id) {
			t.Errorf("missing %s after recovery", id)
		}
	}
	last, _ := changes.Last(context.Background(), f.db.R)
	if f.s.Seq() != last {
		t.Errorf("index at %d, log at %d", f.s.Seq(), last)
	}
	// Reindex from scratch gives the same answer.
	before := f.search(Request{Q: "河道治理"})
	if err := f.s.Reindex(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	after := f.search(Request{Q: "河道治理"})
	if after.Total != before.Total || len(after.Hits) != len(before.Hits) {
		t.Errorf("reindex changed results: %d → %d", before.Total, after.Total)
	}
}
