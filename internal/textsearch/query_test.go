package textsearch

import (
	"strings"
	"testing"
	"time"
)

func TestParseString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"财政 预算", "财政 预算"},
		{"財政預算", "财政预算"},
		{"财政 OR 预算", "(财政 OR 预算)"},
		{"财政 | 预算 或 税收", "(财政 OR 预算 OR 税收)"},
		{"财政 -预算", "财政 -预算"},
		{`"财政 预算"`, `"财政 预算"`},
		{"“财政预算”", `"财政预算"`},
		{"「财政预算」", `"财政预算"`},
		{"标题:财政", "title:财政"},
		{"標題：财政", "title:财政"},
		{"title:财政", "title:财政"},
		{"正文:预算 body:税", "body:预算 body:税"},
		{"文号:闽政办〔2020〕26号", `docno:"闽政办 2020 26号"`},
		{`标题:"财政 预算"`, `title:"财政 预算"`},
		{`-"财政 预算"`, `-"财政 预算"`},
		{"2024年预算", "2024年预算"},
		{"财政，预算", "财政 预算"},
		{"ＡＢＣ", "abc"},
		{"财政 AND 预算", "财政 预算"},
		{"a OR", "a"},
		{"OR a", "a"},
		{"a OR -b", "a -b"},
	}
	for _, c := range cases {
		if got := Parse(c.in).String(); got != c.want {
			t.Errorf("Parse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseBadInput(t *testing.T) {
	long := strings.Repeat("财政预算改革", 400) // 2,400 characters
	cases := []struct {
		in     string
		empty  bool
		notice string
	}{
		{"", true, ""},
		{"   ", true, ""},
		{"，。！？…《》", true, ""},
		{"\x00\x01\x1f\u007f", true, ""},
		{"😀🎉", true, ""},
		{`"财政`, false, ""},
		{`财政"`, false, ""},
		{`"""`, true, ""},
		{"' OR 1=1 --", false, ""},
		{"NEAR(a b)", false, ""},
		{"title:*", true, ""},
		{"标题:", true, ""},
		{"-", true, ""},
		{"--", true, ""},
		{"OR OR |", true, ""},
		{long, false, "关键词过长，已按前 100 个字检索"},
		{strings.Repeat("税 ", 40), false, "检索词过多，已按前 16 个检索"},
		{"\xff\xfe财政", false, ""},
		{"*:*", true, ""},
		{"财政 AND", false, ""},
	}
	for _, c := range cases {
		start := time.Now()
		q := Parse(c.in)
		if d := time.Since(start); d > time.Second {
			t.Errorf("Parse(%.20q) took %v", c.in, d)
		}
		if q.Empty() != c.empty {
			t.Errorf("Parse(%.30q).Empty() = %v (%q)", c.in, q.Empty(), q.String())
		}
		if q.Notice() != c.notice {
			t.Errorf("Parse(%.30q) notice %q, want %q", c.in, q.Notice(), c.notice)
		}
	}
	q := Parse(long)
	n := 0
	for _, c := range q.clauses {
		for _, t := range c.alts {
			n += len(t.atoms)
		}
	}
	if n > maxQueryRunes {
		t.Errorf("long query kept %d atoms", n)
	}
}

func TestParseTermShapes(t *testing.T) {
	q := Parse("财")
	if tm := q.clauses[0].alts[0]; !tm.exact || len(tm.cover) != 1 || tm.cover[0] != "财" {
		t.Errorf("1-char term: %+v", tm)
	}
	q = Parse("财政")
	if tm := q.clauses[0].alts[0]; !tm.exact || len(tm.cover) != 1 || tm.cover[0] != "财政" {
		t.Errorf("2-char term: %+v", tm)
	}
	q = Parse("财政预算")
	if tm := q.clauses[0].alts[0]; tm.exact || strings.Join(tm.cover, ",") != "财政,政预,预算" {
		t.Errorf("4-char term: %+v", tm)
	}
	q = Parse("2024年预算")
	if tm := q.clauses[0].alts[0]; tm.exact || strings.Join(tm.cover, ",") != "2024,年预,预算" || len(tm.atoms) != 4 || len(tm.vunits) != 3 {
		t.Errorf("mixed term: %+v", tm)
	}
	q = Parse("第5条")
	if tm := q.clauses[0].alts[0]; tm.exact || strings.Join(tm.cover, ",") != "第,第5,5,条,5条" || len(tm.vunits) != 2 {
		t.Errorf("char-digit-char term: %+v", tm)
	}
	q = Parse("26号")
	if tm := q.clauses[0].alts[0]; !tm.exact || strings.Join(tm.cover, ",") != "26,号,26号" {
		t.Errorf("digit-char term: %+v", tm)
	}
	q = Parse(`"财 政预算"`)
	if tm := q.clauses[0].alts[0]; tm.exact || strings.Join(tm.cover, ",") != "财,政预,预算" || tm.vunits[0].off != 0 {
		t.Errorf("lone character in a phrase: %+v", tm)
	}
}
