package textsearch

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

var fixture = []Doc{
	{Key: "d01", Title: "关于2024年财政预算的通知", Body: "各单位：现将财政预算安排通知如下。", DocNo: "闽政办〔2020〕26号", Date: 100, Facets: map[string][]string{"org": {"o1"}, "year": {"2020"}, "kind": {"通知"}}},
	{Key: "d02", Title: "財政工作要點", Body: "加強財政管理，做好預算編制。", DocNo: "閩政辦〔2021〕3號", Date: 200, Facets: map[string][]string{"org": {"o2"}, "year": {"2021"}, "kind": {"意见"}}},
	{Key: "d03", Title: "工作简报", Body: "本期财政。预算执行情况良好。", DocNo: "闽政办[2020]26号", Date: 300, Facets: map[string][]string{"org": {"o1"}, "year": {"2022"}, "kind": {"通知"}}},
	{Key: "d04", Title: "税收政策解读", Body: "（税）与税收优惠政策。ＡＢＣ１２３平台上线。", DocNo: "闽政办（2020）26号", Date: 400, Facets: map[string][]string{"org": {"o3"}, "year": {"2020"}, "kind": {"解读"}}},
	{Key: "d05", Title: "医疗保障通知", Body: "城乡居民医疗保险和大病保险。abc123 接口。预算财政。", DocNo: "闽政办【2020】26号", Date: 500, Facets: map[string][]string{"org": {"o2"}, "year": {"2023"}, "kind": {"通知"}}},
	{Key: "d06", Title: "已废止的财政预算办法", Body: "财政预算管理办法（已废止）。", DocNo: "闽政办(2020)26号", Date: 900, Tier: 1, Facets: map[string][]string{"org": {"o1"}, "year": {"2019"}, "kind": {"办法"}}},
	{Key: "d07", Title: "财政，预算", Body: "关于财政和预算的说明。第5条规定。", DocNo: "", Date: 500, Facets: map[string][]string{"org": {"o3"}, "year": {"2023"}, "kind": {"说明"}}},
}

type testIndex struct {
	*Index
	t *testing.T
}

func openFixture(t *testing.T, dir string, docs []Doc) testIndex {
	t.Helper()
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	ix.PutBatch(docs)
	return testIndex{ix, t}
}

func (ix testIndex) keys(req Request) []string {
	ix.t.Helper()
	res, err := ix.Search(req)
	if err != nil {
		ix.t.Fatalf("Search(%+v): %v", req, err)
	}
	var ks []string
	for _, h := range res.Hits {
		ks = append(ks, h.Key)
	}
	if res.Total < len(ks) {
		ix.t.Fatalf("Search(%+v): total %d < hits %d", req, res.Total, len(ks))
	}
	return ks
}

func (ix testIndex) set(q string) string {
	ks := ix.keys(Request{Query: q, Limit: 100})
	slices.Sort(ks)
	return strings.Join(ks, ",")
}

// fixtureModes runs f on the fixture in memory, in memory after flushing into several
// segments, and from a directory after a checkpoint and reopen.
func fixtureModes(t *testing.T, f func(t *testing.T, ix testIndex)) {
	t.Run("memory", func(t *testing.T) { f(t, openFixture(t, "", fixture)) })
	t.Run("segments", func(t *testing.T) {
		defer setFlushDocs(2)()
		ix := openFixture(t, "", nil)
		for _, d := range fixture {
			ix.Put(d)
		}
		if st := ix.Stats(); st.Segments != 3 || st.MemDocs != 1 {
			t.Fatalf("stats %+v", st)
		}
		f(t, ix)
	})
	t.Run("reopened", func(t *testing.T) {
		dir := t.TempDir()
		ix := openFixture(t, dir, fixture)
		if err := ix.Checkpoint(); err != nil {
			t.Fatal(err)
		}
		ix.Close()
		f(t, openFixture(t, dir, nil))
	})
}

func setFlushDocs(n int) func() {
	old := flushDocs
	flushDocs = n
	return func() { flushDocs = old }
}

func TestSearchSyntax(t *testing.T) {
	fixtureModes(t, func(t *testing.T, ix testIndex) {
		cases := []struct{ q, want string }{
			// traditional ↔ simplified, both directions
			{"财政", "d01,d02,d03,d05,d06,d07"},
			{"財政", "d01,d02,d03,d05,d06,d07"},
			{"預算編制", "d02"},
			{"预算编制", "d02"},
			// width and case
			{"ＡＢＣ１２３", "d04,d05"},
			{"abc123", "d04,d05"},
			{"ABC123", "d04,d05"},
			// 文号 variants
			{"闽政办〔2020〕26号", "d01,d03,d04,d05,d06"},
			{"闽政办[2020]26号", "d01,d03,d04,d05,d06"},
			{"闽政办（2020）26号", "d01,d03,d04,d05,d06"},
			{"闽政办(2020)26号", "d01,d03,d04,d05,d06"},
			{"闽政办【2020】26号", "d01,d03,d04,d05,d06"},
			{"閩政辦〔2021〕3號", "d02"},
			{"文号:闽政办〔2021〕3号", "d02"},
			// a CJK run of 3+ is a phrase; not across punctuation, not reordered
			{"财政预算", "d01,d06"},
			{"财政预算安排", "d01"},
			{"预算财政", "d05"},
			{`"财政预算"`, "d01,d06"},
			{`"财政 预算"`, "d03,d07"},
			{"财政 预算", "d01,d02,d03,d05,d06,d07"},
			// mixed runs
			{"2024年财政", "d01"},
			{"2024年", "d01"},
			{"第5条", "d07"},
			// 1- and 2-character queries
			{"税", "d04"},
			{"预", "d01,d02,d03,d05,d06,d07"},
			{"保险", "d05"},
			// fields
			{"标题:财政", "d01,d02,d06,d07"},
			{"title:财政", "d01,d02,d06,d07"},
			{"正文:财政", "d01,d02,d03,d05,d06,d07"},
			{"body:工作", ""},
			{"标题:工作", "d02,d03"},
			{"文号:2021", "d02"},
			{"2021", "d02"},
			{`标题:"财政 预算"`, "d07"},
			// exclusion and OR
			{"财政 -预算", ""},
			{"财政 -医疗", "d01,d02,d03,d06,d07"},
			{"财政 -标题:财政", "d03,d05"},
			{`财政 -"财政预算"`, "d02,d03,d05,d07"},
			{"税收 OR 医疗", "d04,d05"},
			{"税收 | 医疗 或 简报", "d03,d04,d05"},
			{"税收 OR 医疗 保险", "d05"},
			// nothing
			{"不存在的词", ""},
			{"zzz", ""},
		}
		for _, c := range cases {
			if got := ix.set(c.q); got != c.want {
				t.Errorf("%q: got %s, want %s", c.q, got, c.want)
			}
		}
	})
}

func TestSearchOrderAndPaging(t *testing.T) {
	fixtureModes(t, func(t *testing.T, ix testIndex) {
		// Tier 1 (d06) after tier 0 in both sorts, though it is the newest and matches best.
		got := ix.keys(Request{Query: "财政预算", Sort: ByRelevance})
		if !slices.Equal(got, []string{"d01", "d06"}) {
			t.Errorf("relevance with tiers: %v", got)
		}
		got = ix.keys(Request{Query: "财政预算", Sort: ByDate})
		if !slices.Equal(got, []string{"d01", "d06"}) {
			t.Errorf("date with tiers: %v", got)
		}
		// Date order: date desc, then key; d05 and d07 share a date.
		got = ix.keys(Request{Query: "", Sort: ByDate})
		if want := []string{"d05", "d07", "d04", "d03", "d02", "d01", "d06"}; !slices.Equal(got, want) {
			t.Errorf("browse by date: %v, want %v", got, want)
		}
		// Empty query by relevance: every score is 0, so the same order.
		got = ix.keys(Request{Query: "，，", Sort: ByRelevance})
		if want := []string{"d05", "d07", "d04", "d03", "d02", "d01", "d06"}; !slices.Equal(got, want) {
			t.Errorf("browse by relevance: %v, want %v", got, want)
		}
		// Title boost: d07's title has both words.
		res, _ := ix.Search(Request{Query: "财政 预算"})
		if res.Hits[0].Key != "d07" && res.Hits[0].Key != "d01" {
			t.Errorf("title boost: first hit %v", res.Hits)
		}
		for i := 1; i < len(res.Hits); i++ {
			a, b := res.Hits[i-1], res.Hits[i]
			if a.Tier > b.Tier || a.Tier == b.Tier && a.Score < b.Score {
				t.Errorf("hits out of order: %+v before %+v", a, b)
			}
		}
		// Paging.
		all := ix.keys(Request{Sort: ByDate})
		var paged []string
		for off := 0; off < 10; off += 3 {
			paged = append(paged, ix.keys(Request{Sort: ByDate, Offset: off, Limit: 3})...)
		}
		if !slices.Equal(all, paged) {
			t.Errorf("paging: %v vs %v", paged, all)
		}
		res, _ = ix.Search(Request{Offset: 100})
		if res.Total != 7 || len(res.Hits) != 0 {
			t.Errorf("offset past the end: %+v", res)
		}
		if _, err := ix.Search(Request{Offset: -1}); err == nil {
			t.Error("negative offset accepted")
		}
		if _, err := ix.Search(Request{Limit: -1}); err == nil {
			t.Error("negative limit accepted")
		}
		if _, err := ix.Search(Request{Sort: 7}); err == nil {
			t.Error("unknown sort accepted")
		}
	})
}

func TestSearchLimitDefaults(t *testing.T) {
	var docs []Doc
	for i := range 250 {
		docs = append(docs, Doc{Key: fmt.Sprintf("k%03d", i), Body: "财政", Date: int64(i)})
	}
	ix := openFixture(t, "", docs)
	res, _ := ix.Search(Request{Query: "财政"})
	if res.Total != 250 || len(res.Hits) != 20 {
		t.Errorf("default limit: total %d hits %d", res.Total, len(res.Hits))
	}
	res, _ = ix.Search(Request{Query: "财政", Limit: 1000})
	if len(res.Hits) != 100 {
		t.Errorf("limit cap: %d", len(res.Hits))
	}
	res, _ = ix.Search(Request{Query: "财政", Sort: ByDate, Offset: 240, Limit: 50})
	if len(res.Hits) != 10 || res.Hits[0].Key != "k009" || res.Hits[9].Key != "k000" {
		t.Errorf("last page: %+v", res.Hits)
	}
}

func TestSearchFiltersAndFacets(t *testing.T) {
	fixtureModes(t, func(t *testing.T, ix testIndex) {
		req := Request{Query: "财政", Filters: map[string][]string{"org": {"o1", "o2"}}, Facets: []string{"year", "kind", "org", "nope"}}
		res, err := ix.Search(req)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 5 {
			t.Errorf("total %d", res.Total)
		}
		want := map[string][]FacetCount{
			"year": {{"2020", 1}, {"2019", 1}, {"2021", 1}, {"2022", 1}, {"2023", 1}},
			"kind": {{"通知", 3}, {"办法", 1}, {"意见", 1}},
			"org":  {{"o1", 3}, {"o2", 2}},
			"nope": {},
		}
		want["year"] = []FacetCount{{"2019", 1}, {"2020", 1}, {"2021", 1}, {"2022", 1}, {"2023", 1}}
		for name, w := range want {
			if got := res.Facets[name]; !slices.Equal(got, w) {
				t.Errorf("facet %s = %v, want %v", name, got, w)
			}
		}
		// AND across facets, OR within, unknown values match nothing.
		for _, c := range []struct {
			f    map[string][]string
			want string
		}{
			{map[string][]string{"org": {"o1"}, "year": {"2020", "2022"}}, "d01,d03"},
			{map[string][]string{"org": {"o1"}, "kind": {"意见"}}, ""},
			{map[string][]string{"org": {"nobody"}}, ""},
			{map[string][]string{"org": {"nobody", "o3"}}, "d04,d07"},
			{map[string][]string{"org": {}}, "d01,d02,d03,d04,d05,d06,d07"},
		} {
			ks := ix.keys(Request{Filters: c.f, Limit: 100})
			slices.Sort(ks)
			if got := strings.Join(ks, ","); got != c.want {
				t.Errorf("filters %v: %s, want %s", c.f, got, c.want)
			}
		}
	})
}

func TestUpsertDelete(t *testing.T) {
	for _, dir := range []string{"", t.TempDir()} {
		ix := openFixture(t, dir, fixture)
		if ix.Len() != 7 || !ix.Has("d04") || ix.Has("nope") {
			t.Fatalf("len %d", ix.Len())
		}
		ix.Put(Doc{Key: "d04", Title: "改写后的标题", Body: "全新内容", Date: 1})
		if ix.Len() != 7 {
			t.Errorf("upsert changed Len to %d", ix.Len())
		}
		if got := ix.set("税收"); got != "" {
			t.Errorf("old version still found: %s", got)
		}
		if got := ix.set("全新内容"); got != "d04" {
			t.Errorf("new version not found: %s", got)
		}
		if err := ix.Checkpoint(); err != nil {
			t.Fatal(err)
		}
		ix.Put(Doc{Key: "d04", Body: "第三版"})
		ix.PutBatch([]Doc{{Key: "x", Body: "一"}, {Key: "x", Body: "二"}, {Key: ""}})
		ix.Delete("d01")
		ix.Delete("nope")
		if ix.Has("d01") || !ix.Has("x") || ix.Len() != 7 {
			t.Errorf("after delete: has d01 %v, len %d", ix.Has("d01"), ix.Len())
		}
		if got := ix.set("一 OR 二 OR 全新 OR 第三版"); got != "d04,x" {
			t.Errorf("batch duplicates: %s", got)
		}
		if got := ix.set("二"); got != "x" {
			t.Errorf("last version wins: %s", got)
		}
		if got := ix.set("财政预算"); got != "d06" {
			t.Errorf("deleted doc found: %s", got)
		}
		res, _ := ix.Search(Request{Facets: []string{"org"}})
		if res.Total != 7 {
			t.Errorf("total %d", res.Total)
		}
		if st := ix.Stats(); st.Docs != 7 || st.Deleted < 2 {
			t.Errorf("stats %+v", st)
		}
	}
}

func TestSearchBadInput(t *testing.T) {
	ix := openFixture(t, "", fixture)
	for _, q := range []string{
		strings.Repeat("财政预算改革", 400), `"财政`, `财政"`, "，。、", "\x00\x07财政\x1b", "' OR 1=1 --",
		"NEAR(财政 预算)", "title:*", "😀财政😀", "财政 AND 预算", "-", "OR", "*", "\"\"", "标题:\"", strings.Repeat("a ", 2000),
	} {
		res, err := ix.Search(Request{Query: q, Facets: []string{"org"}})
		if err != nil {
			t.Errorf("%.20q: %v", q, err)
		}
		if res.Query == nil {
			t.Errorf("%.20q: no parsed query", q)
		}
	}
	res, _ := ix.Search(Request{Query: strings.Repeat("财政预算改革", 400)})
	if res.Notice == "" {
		t.Error("no notice for a long query")
	}
	res, _ = ix.Search(Request{Query: "，。"})
	if !res.Query.Empty() || res.Total != 7 {
		t.Errorf("punctuation only: empty %v total %d", res.Query.Empty(), res.Total)
	}
	if got := ix.set("😀财政😀"); got != "d01,d02,d03,d05,d06,d07" {
		t.Errorf("emoji around a word: %s", got)
	}
}
