package info

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Record bodies are HTML written by staff (often pasted from Word). Only
// structure survives: an allowlist of tags, no attributes except a safe
// href on links and colspan/rowspan on cells; everything else (scripts,
// styles, event handlers, iframes) is dropped with its content where it is
// code, or unwrapped where it is only formatting.
var allowedTags = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Strong: true, atom.B: true, atom.Em: true, atom.I: true, atom.U: true,
	atom.H2: true, atom.H3: true, atom.H4: true, atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Blockquote: true,
	atom.Table: true, atom.Thead: true, atom.Tbody: true, atom.Tr: true, atom.Th: true, atom.Td: true, atom.A: true,
	atom.Sub: true, atom.Sup: true,
}

var droppedWithContent = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Noscript: true,
	atom.Template: true, atom.Svg: true, atom.Math: true, atom.Form: true, atom.Textarea: true, atom.Select: true,
	atom.Head: true, atom.Title: true,
}

// Sanitize returns body with only allowed markup. Plain text (no tags) is
// turned into paragraphs, one per line.
func Sanitize(body string) string {
	body = strings.TrimSpace(body)
	if body == "" {
		return ""
	}
	if !looksLikeHTML.MatchString(body) {
		return paragraphs(html.EscapeString(body))
	}
	out := sanitizeHTML(body)
	if !hasBlock.MatchString(out) {
		// Text with only inline markup (or with markup that was removed):
		// its line breaks are the paragraphs the editor meant.
		return paragraphs(out)
	}
	return out
}

var hasBlock = regexp.MustCompile(`<(p|h[234]|ul|ol|table|blockquote)[ >]`)

// paragraphs wraps each non-empty line of safe HTML in <p>.
func paragraphs(safe string) string {
	var b strings.Builder
	for _, line := range strings.Split(safe, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			b.WriteString("<p>" + line + "</p>\n")
		}
	}
	return strings.TrimSpace(b.String())
}

func sanitizeHTML(body string) string {
	z := html.NewTokenizer(strings.NewReader(body))
	var b strings.Builder
	skip := 0 // depth inside a dropped element
	var open []atom.Atom
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			for i := len(open) - 1; i >= 0; i-- {
				b.WriteString("</" + open[i].String() + ">")
			}
			return strings.TrimSpace(b.String())
		case html.TextToken:
			if skip == 0 {
				b.WriteString(html.EscapeString(string(z.Text())))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if droppedWithContent[a] {
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if skip > 0 || !allowedTags[a] {
				continue
			}
			b.WriteString("<" + a.String())
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key, val := string(k), strings.TrimSpace(string(v))
				switch {
				case a == atom.A && key == "href" && safeHref(val):
					b.WriteString(` href="` + html.EscapeString(val) + `" rel="noopener noreferrer"`)
				case (a == atom.Td || a == atom.Th) && (key == "colspan" || key == "rowspan") && isSmallInt(val):
					b.WriteString(" " + key + `="` + val + `"`)
				}
			}
			b.WriteString(">")
			if a != atom.Br && tt == html.StartTagToken {
				open = append(open, a)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if droppedWithContent[a] {
				if skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 || !allowedTags[a] || a == atom.Br {
				continue
			}
			// Close only what is open, so the output stays well formed.
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == a {
					for j := len(open) - 1; j >= i; j-- {
						b.WriteString("</" + open[j].String() + ">")
					}
					open = open[:i]
					break
				}
			}
		}
	}
}

// looksLikeHTML finds a tag; "a < b" in plain text is not one.
var looksLikeHTML = regexp.MustCompile(`<[a-zA-Z!/]`)

func safeHref(v string) bool {
	l := strings.ToLower(v)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") ||
		(strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//")) || strings.HasPrefix(v, "#")
}

func isSmallInt(v string) bool {
	if len(v) == 0 || len(v) > 2 {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// PlainText is the text of sanitized HTML (for screening and feeds).
func PlainText(body string) string {
	z := html.NewTokenizer(strings.NewReader(body))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.P, atom.Br, atom.Li, atom.Tr, atom.H2, atom.H3, atom.H4:
				b.WriteByte('\n')
			case atom.Td, atom.Th:
				b.WriteByte('\t')
			}
		}
	}
}
