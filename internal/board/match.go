package board

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode"

	"gongkai.dev/gongkai/internal/textsearch"
)

// Matching what a citizen types against the published Q&A entries.
//
// The portal's search index (internal/search) answers queries a person
// types into a search box: terms ANDed, cut to 16 terms and 100
// characters. A message is the opposite — a few hundred characters of
// free text in which only some words matter — so suggestions need
// best-match ranking: every entry sharing distinctive words with the text
// is a candidate, ranked by how rare those words are. The Q&A base is
// small (tens to a few thousand entries), so the entries are kept in
// memory as token sets and scored exhaustively, which is exact and takes
// microseconds.
//
// Text is folded as the search index folds it (textsearch.Fold: full-width
// to half-width, traditional to simplified, lower case) and cut the same
// way: CJK bigrams (Chinese words are mostly two characters; a lone
// character between punctuation is kept as itself) and Latin/digit words.
// A token's weight is its BM25 idf over the entries, times 3 when the
// entry's question or keywords contain it, 2 for the linked policy's
// title, 1 for the answer only. Function words of questions (请问, 怎么,
// 如何 …) are dropped: they match every entry and say nothing.
//
// The cache is the database's entries as of a version: the number of rows
// of board_qa and the sum of their revisions (every change adds one), which
// grows with every create, edit, publication and withdrawal however close
// together they come. Every request compares versions with one query, so
// an entry published on another replica is suggested at once.

type qaDoc struct {
	qa     QA
	tokens map[string]float64 // token → field weight (3, 2 or 1)
}

type qaIndex struct {
	version string
	docs    []qaDoc
	idf     map[string]float64
}

type qaCache struct {
	mu sync.Mutex
	ix *qaIndex
}

// stopTokens are question words that carry no topic; weakTokens are the
// procedural words of nearly every government question (申请, 材料, 手续
// …): they count a third, and never on their own — "需要准备什么材料"
// must not rank an admission guide above the 低保 answer asked about.
var stopTokens, weakTokens = map[string]bool{}, map[string]bool{}

func init() {
	for _, w := range strings.Fields(`请问 问一 一下 怎么 怎样 如何 什么 为什 为何 可以 是否 是不 不是 有没 没有 能否 能不 我们 你们
		他们 我想 想问 需要 哪些 哪里 这个 那个 已经 现在 目前 谢谢 您好 你好 关于 的话 应该 多少 一个 这样 情况 问题 咨询 办理 有关 相关 请求`) {
		stopTokens[w] = true
	}
	for _, w := range strings.Fields(`申请 材料 准备 手续 条件 流程 时间 地点 标准 提交 证明 要求 规定 政策 部门 单位 可否 怎么 费用`) {
		weakTokens[w] = true
	}
}

// tokens cuts folded text into bigrams, lone characters and words.
func tokens(text string) []string {
	var out []string
	var run []rune
	var word strings.Builder
	flushRun := func() {
		switch {
		case len(run) == 1:
			out = append(out, string(run))
		case len(run) > 1:
			// A bigram straddling a function word and its neighbour
			// (需要|准备 → 要准, 申请|低保 → 请低) is not a word: it is
			// dropped, the words on either side stay.
			bs := make([]string, len(run)-1)
			fn := make([]bool, len(bs))
			for i := range bs {
				bs[i] = string(run[i : i+2])
				fn[i] = stopTokens[bs[i]] || weakTokens[bs[i]]
			}
			for i, b := range bs {
				if !fn[i] && (i > 0 && fn[i-1] || i+1 < len(bs) && fn[i+1]) {
					continue
				}
				out = append(out, b)
			}
		}
		run = run[:0]
	}
	flushWord := func() {
		if w := word.String(); len(w) >= 2 {
			out = append(out, w)
		}
		word.Reset()
	}
	for _, r := range textsearch.Fold(text) {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			run = append(run, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushRun()
			word.WriteRune(r)
		default:
			flushRun()
			flushWord()
		}
	}
	flushRun()
	flushWord()
	kept := out[:0]
	for _, t := range out {
		if !stopTokens[t] {
			kept = append(kept, t)
		}
	}
	return kept
}

func (s *Service) qaVersion(ctx context.Context) (string, error) {
	var n, rev int64
	err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(rev), 0) FROM board_qa").Scan(&n, &rev)
	return fmt.Sprintf("%d/%d", n, rev), err
}

// index returns the current matching index, rebuilding it when the Q&A
// table changed.
func (s *Service) index(ctx context.Context) (*qaIndex, error) {
	v, err := s.qaVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.qa.mu.Lock()
	defer s.qa.mu.Unlock()
	if s.qa.ix != nil && s.qa.ix.version == v {
		return s.qa.ix, nil
	}
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+qaCols+" FROM board_qa WHERE status = 'published' ORDER BY id")
	if err != nil {
		return nil, err
	}
	var qs []QA
	for rows.Next() {
		q, err := scanQA(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		qs = append(qs, q)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	ix := &qaIndex{version: v, idf: map[string]float64{}}
	df := map[string]int{}
	for _, q := range qs {
		d := qaDoc{qa: q, tokens: map[string]float64{}}
		add := func(text string, w float64) {
			for _, t := range tokens(text) {
				if d.tokens[t] < w {
					d.tokens[t] = w
				}
			}
		}
		add(q.Answer, 1)
		if ref, ok := s.Policy(ctx, q.PolicyID); ok {
			add(ref.Title, 2)
		}
		add(q.Question, 3)
		add(q.Keywords, 3)
		for t := range d.tokens {
			df[t]++
		}
		ix.docs = append(ix.docs, d)
	}
	n := float64(len(ix.docs))
	for t, c := range df {
		ix.idf[t] = math.Log(1 + (n-float64(c)+0.5)/(float64(c)+0.5))
	}
	s.qa.ix = ix
	return ix, nil
}

// Match is a Q&A entry matching a text, with its score.
type Match struct {
	QA
	Score float64
}

type matchMode int

const (
	// matchSuggest: a message being typed. An entry must share at least
	// two distinct tokens with it, one of them a topic word (not a weak
	// one) in its question, keywords or policy title — one common word in
	// a long text is chance.
	matchSuggest matchMode = iota
	// matchBrowse: the Q&A page's search box; a single word is a query.
	matchBrowse
)

// maxMatchInput bounds the text scored: a message's first part says what
// it is about.
const maxMatchInput = 2000

func (s *Service) match(ctx context.Context, text string, mode matchMode, limit int) ([]Match, error) {
	if r := []rune(text); len(r) > maxMatchInput {
		text = string(r[:maxMatchInput])
	}
	q := map[string]bool{}
	for _, t := range tokens(text) {
		q[t] = true
	}
	if len(q) == 0 {
		return nil, nil
	}
	ix, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	var out []Match
	best := 0.0
	for _, d := range ix.docs {
		score, shared, strong := 0.0, 0, false
		for t := range q {
			w, ok := d.tokens[t]
			if !ok {
				continue
			}
			if weakTokens[t] {
				score += ix.idf[t] * w / 3
			} else {
				score += ix.idf[t] * w
				strong = strong || w >= 2
			}
			shared++
		}
		if shared == 0 || mode == matchSuggest && (shared < 2 || !strong) || mode == matchBrowse && score == 0 {
			continue
		}
		out = append(out, Match{QA: d.qa, Score: score})
		best = math.Max(best, score)
	}
	// Keep what scores at least a third of the best: below that an entry
	// shares words, not the subject.
	kept := out[:0]
	for _, m := range out {
		if m.Score >= best/3 {
			kept = append(kept, m)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		if kept[i].Score != kept[j].Score {
			return kept[i].Score > kept[j].Score
		}
		return kept[i].PublishedOn > kept[j].PublishedOn
	})
	if len(kept) > limit {
		kept = kept[:limit]
	}
	return kept, nil
}

// Suggestion is what the message form shows for a matching answer.
type Suggestion struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Excerpt  string `json:"excerpt"`
	URL      string `json:"url"`
	Policy   string `json:"policy,omitempty"`
	// PolicyURL links the policy the answer explains.
	PolicyURL string `json:"policy_url,omitempty"`
}

// MaxSuggestions is how many answers the form offers at once.
const MaxSuggestions = 5

// Suggest returns the published answers matching what a citizen is typing
// (title and text of a message), best first.
func (s *Service) Suggest(ctx context.Context, text string) ([]Suggestion, error) {
	ms, err := s.match(ctx, text, matchSuggest, MaxSuggestions)
	if err != nil {
		return nil, err
	}
	out := make([]Suggestion, 0, len(ms))
	for _, m := range ms {
		sg := Suggestion{ID: m.ID, Question: m.Question, Excerpt: truncate(strings.Join(strings.Fields(m.Answer), " "), 90),
			URL: "/hdjl/wd/" + m.ID}
		if ref, ok := s.Policy(ctx, m.PolicyID); ok {
			sg.Policy, sg.PolicyURL = ref.Title, ref.URL
		}
		out = append(out, sg)
	}
	return out, nil
}
