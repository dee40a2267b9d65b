package participate

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Block is a top-level element of a draft (a paragraph, heading, list,
// table or quotation): the unit a comment can be anchored to. Drafts of
// rules are written one article per paragraph (第一条 …), so a block is
// usually an article.
type Block struct {
	N       int    // 1-based
	Tag     string // p, h2, h3, h4, ul, ol, table, blockquote
	Inner   string // the element's content as sanitized HTML
	Text    string // its text, whitespace collapsed (what a quote must come from)
	Heading bool
}

// Blocks splits a draft (HTML already sanitized by info.Sanitize, so
// well-formed and attribute-free) into its top-level blocks. Text outside
// any block becomes a paragraph of its own.
func Blocks(safe string) []Block {
	z := html.NewTokenizer(strings.NewReader(safe))
	var out []Block
	var cur *Block
	var inner, text strings.Builder
	depth := 0
	loose := false // cur is a paragraph made of top-level text and inline markup
	flush := func() {
		if cur == nil {
			return
		}
		cur.Inner = strings.TrimSpace(inner.String())
		cur.Text = strings.Join(strings.Fields(text.String()), " ")
		if cur.Text != "" || cur.Tag == "table" {
			cur.N = len(out) + 1
			out = append(out, *cur)
		}
		cur = nil
		inner.Reset()
		text.Reset()
	}
	for {
		tt := z.Next()
		raw := string(z.Raw())
		switch tt {
		case html.ErrorToken:
			flush()
			return out
		case html.TextToken:
			if cur == nil {
				if strings.TrimSpace(raw) == "" {
					continue
				}
				cur, loose = &Block{Tag: "p"}, true
			}
			inner.WriteString(raw)
			text.WriteString(html.UnescapeString(raw))
		case html.StartTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if depth == 0 {
				if blockTags[a] {
					flush()
					cur = &Block{Tag: a.String(), Heading: a == atom.H2 || a == atom.H3 || a == atom.H4}
					loose = false
					depth = 1
					continue
				}
				// Inline markup at the top level joins the loose paragraph.
				if cur == nil {
					cur, loose = &Block{Tag: "p"}, true
				}
			}
			if a != atom.Br {
				depth++
			}
			inner.WriteString(raw)
			if a == atom.Br || a == atom.Td || a == atom.Th || a == atom.Li {
				text.WriteByte(' ')
			}
		case html.SelfClosingTagToken:
			if cur != nil {
				inner.WriteString(raw)
				text.WriteByte(' ')
			}
		case html.EndTagToken:
			if depth == 0 {
				continue
			}
			depth--
			if depth == 0 && !loose {
				flush()
				continue
			}
			inner.WriteString(raw)
		}
	}
}

var blockTags = map[atom.Atom]bool{atom.P: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.Ul: true,
	atom.Ol: true, atom.Table: true, atom.Blockquote: true}

// blockText is the text of block n, or "" when there is none.
func blockText(safe string, n int) string {
	for _, b := range Blocks(safe) {
		if b.N == n {
			return b.Text
		}
	}
	return ""
}
