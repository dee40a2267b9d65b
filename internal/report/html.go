package report

import (
	"bytes"
	"html/template"
	"io"
	"strconv"
)

// HTML output: the report body the portal page embeds, and a standalone
// printable page (gongkai report annual --format html). Both come from the
// same template so the command line prints what the portal shows.

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"paras": Paragraphs,
	"span": func(c GridCell) template.HTMLAttr {
		var b bytes.Buffer
		if c.ColSpan > 1 {
			b.WriteString(` colspan="` + strconv.Itoa(c.ColSpan) + `"`)
		}
		if c.RowSpan > 1 {
			b.WriteString(` rowspan="` + strconv.Itoa(c.RowSpan) + `"`)
		}
		return template.HTMLAttr(b.String())
	},
	"head":    func(g Grid) [][]GridCell { return g.Rows[:g.HeaderRows] },
	"body":    func(g Grid) [][]GridCell { return g.Rows[g.HeaderRows:] },
	"heading": func(i int) string { return SectionHeadings[i] },
}).Parse(`{{define "grid"}}<div class="table-wrap"><table class="annual-table annual-t{{.Number}}" id="t{{.Number}}">
<caption>{{.Caption}}</caption>
{{with head .}}<thead>{{range .}}<tr>{{range .}}{{template "cell" .}}{{end}}</tr>
{{end}}</thead>{{end}}
<tbody>{{range body .}}<tr>{{range .}}{{template "cell" .}}{{end}}</tr>
{{end}}</tbody></table></div>{{end}}
{{define "cell"}}{{if .Note}}<td class="corner"{{span .}}>{{.Text}}</td>{{else if .Header}}<th id="{{.ID}}"{{with .Scope}} scope="{{.}}"{{end}}{{span .}}>{{.Text}}</th>{{else}}<td id="{{.ID}}" headers="{{.Headers}}" class="num{{if .Fail}} fail{{end}}"{{span .}}>{{.Text}}{{if .Fail}} <strong class="fail-mark">（不符）</strong>{{end}}</td>{{end}}{{end}}
{{define "section"}}{{$ps := paras .}}{{if $ps}}{{range $ps}}<p>{{.}}</p>
{{end}}{{else}}<p class="empty">（未填写）</p>{{end}}{{end}}
{{define "body"}}{{$d := .Doc}}<article class="annual-report">
<h1 class="annual-title">{{$d.Title}}</h1>
<section aria-labelledby="s1"><h2 id="s1">{{heading 0}}</h2>
{{template "section" $d.Sections.Overview}}</section>
{{range $i, $g := .Grids}}<section aria-labelledby="s{{$g.Number}}"><h2 id="s{{$g.Number}}">{{heading (index $.Idx $i)}}</h2>
{{template "grid" $g}}</section>
{{end}}<section aria-labelledby="s5"><h2 id="s5">{{heading 4}}</h2>
{{template "section" $d.Sections.Problems}}</section>
<section aria-labelledby="s6"><h2 id="s6">{{heading 5}}</h2>
{{template "section" $d.Sections.Other}}</section>
{{with $d.Notes}}<section class="annual-notes" aria-labelledby="s-notes"><h2 id="s-notes">说明</h2><ul>{{range .}}<li>{{.}}</li>{{end}}</ul></section>{{end}}
<p class="annual-sign">{{$d.Org.Name}}{{with $d.PublishedDate}}<br>{{.}}{{else}}<br>（草稿，尚未发布）{{end}}</p>
</article>{{end}}
{{define "page"}}<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Doc.Title}}</title>
<style>
body { font-family: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", serif; font-size: 12pt; line-height: 1.8; color: #000;
  max-width: 190mm; margin: 1em auto; padding: 0 1em; }
h1 { font-family: "方正小标宋简体", "SimSun", "宋体", serif; font-size: 18pt; font-weight: normal; text-align: center; }
h2 { font-family: "黑体", "SimHei", sans-serif; font-size: 14pt; font-weight: normal; margin: 1.2em 0 .5em; }
p { text-indent: 2em; margin: .3em 0; }
.empty { color: #555; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; line-height: 1.4; }
caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
th, td { border: 1px solid #000; padding: .2em .3em; text-align: center; vertical-align: middle; font-weight: normal; }
td.corner { font-size: 8.5pt; text-align: left; }
td.fail { outline: 2px solid #000; font-weight: bold; }
.annual-notes li { margin: .2em 0; }
.annual-sign { text-align: right; text-indent: 0; margin-top: 2em; }
tr { break-inside: avoid; }
@page { size: A4; margin: 20mm 16mm; }
</style></head>
<body>{{template "body" .}}</body></html>{{end}}`))

type htmlData struct {
	Doc   Document
	Grids []Grid
	Idx   []int // section heading index per grid
}

func htmlDataOf(d Document, fails map[string]bool) htmlData {
	return htmlData{Doc: d, Grids: d.Grids(fails), Idx: []int{1, 2, 3}}
}

// BodyHTML renders the report's title, six sections, tables and notes for
// a page; fails marks cells a 勾稽 rule names (nil for published reports).
func BodyHTML(d Document, fails map[string]bool) (template.HTML, error) {
	var b bytes.Buffer
	if err := htmlTmpl.ExecuteTemplate(&b, "body", htmlDataOf(d, fails)); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// GridHTML renders one table.
func GridHTML(g Grid) (template.HTML, error) {
	var b bytes.Buffer
	if err := htmlTmpl.ExecuteTemplate(&b, "grid", g); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// WriteHTML writes the report as a standalone page with print styles.
func WriteHTML(w io.Writer, d Document) error {
	return htmlTmpl.ExecuteTemplate(w, "page", htmlDataOf(d, nil))
}
