package textsearch

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// render shows spans with hits in [brackets].
func render(sp []Span) string {
	var b strings.Builder
	for _, s := range sp {
		if s.Hit {
			b.WriteString("[" + s.Text + "]")
		} else {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestHighlight(t *testing.T) {
	cases := []struct{ q, text, want string }{
		{"财政", "關於財政預算的通知", "關於[財政]預算的通知"},
		{"財政預算", "关于财政预算的通知", "关于[财政预算]的通知"},
		{"财政预算", "财政。预算", "财政。预算"},
		{"abc123", "平台ＡＢＣ１２３上线", "平台[ＡＢＣ１２３]上线"},
		{"闽政办[2020]26号", "依据闽政办〔2020〕26号文件", "依据[闽政办〔2020〕26号]文件"},
		{"税", "（税）与税收", "（[税]）与[税]收"},
		{"财政 OR 税收 -预算", "财政与税收", "[财政]与[税收]"},
		{"标题:财政", "财政", "[财政]"},
		{"2024年", "2024年度", "[2024年]度"},
		{"", "财政", "财政"},
		{"财政", "", ""},
		{"ａｂ", "AB ab Ab", "[AB] [ab] [Ab]"},
	}
	for _, c := range cases {
		if got := render(Parse(c.q).Highlight(c.text)); got != c.want {
			t.Errorf("Highlight(%q, %q) = %q, want %q", c.q, c.text, got, c.want)
		}
	}
	// The spans reproduce the original text exactly.
	text := "財政預算（第一次）ＡＢＣ abc 財政"
	var b strings.Builder
	for _, s := range Parse("财政 abc").Highlight(text) {
		b.WriteString(s.Text)
	}
	if b.String() != text {
		t.Errorf("spans do not reproduce the text: %q", b.String())
	}
}

func TestSnippet(t *testing.T) {
	body := strings.Repeat("这是一段无关的文字。", 20) + "今年財政預算安排如下。" + strings.Repeat("其他内容填充。", 20)
	got := render(Parse("财政预算").Snippet(body, 30))
	if !strings.Contains(got, "[財政預算]") || !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
		t.Errorf("snippet = %q", got)
	}
	if n := utf8.RuneCountInString(strings.ReplaceAll(strings.ReplaceAll(got, "[", ""), "]", "")); n > 30+2 {
		t.Errorf("snippet has %d runes", n)
	}
	// No match: the start of the text.
	got = render(Parse("医疗").Snippet(body, 10))
	if got != "这是一段无关的文字。…" {
		t.Errorf("no-match snippet = %q", got)
	}
	// Short text: everything, no ellipsis.
	if got := render(Parse("税").Snippet("减税降费", 50)); got != "减[税]降费" {
		t.Errorf("short snippet = %q", got)
	}
	// Two distant terms: two windows joined by an ellipsis.
	body2 := "开头提到教育经费。" + strings.Repeat("无关内容。", 60) + "结尾提到医疗保险。"
	got = render(Parse("教育 医疗").Snippet(body2, 40))
	if !strings.Contains(got, "[教育]") || !strings.Contains(got, "[医疗]") || !strings.Contains(got, "…") {
		t.Errorf("two-window snippet = %q", got)
	}
	// Whitespace is collapsed; newlines do not reach the snippet.
	got = render(Parse("预算").Snippet("第一行\n\n  预算\t第二行", 50))
	if got != "第一行 [预算] 第二行" {
		t.Errorf("whitespace snippet = %q", got)
	}
	// Full-width original.
	got = render(Parse("abc").Snippet("说明：ＡＢＣ系统", 20))
	if got != "说明：[ＡＢＣ]系统" {
		t.Errorf("full-width snippet = %q", got)
	}
	// Pathological: a one-character query matching everywhere in a long text stays bounded.
	long := strings.Repeat("的", 200000)
	if sp := Parse("的").Snippet(long, 100); len(sp) == 0 {
		t.Error("no snippet")
	}
}
