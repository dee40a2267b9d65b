package report

import (
	"io"
	"time"

	"gongkai.dev/gongkai/internal/docx"
)

// WriteDOCX writes the report as a Word document on the 公文 page
// (internal/docx): the title, the six sections with 黑体 headings, and the
// three tables with the format's merged header cells, their header rows
// repeated on each page. Table text is 小五 (9 pt) so table 三's ten
// columns fit the A4 text width.
func WriteDOCX(w io.Writer, d Document) error {
	doc := docx.New()
	doc.Title, doc.Creator = d.Title, d.Org.Name
	if t, err := time.Parse(time.RFC3339, d.PublishedAt); err == nil {
		doc.Created = t
	}
	doc.Heading(d.Title)
	heading := func(i int) {
		doc.Add(docx.Para{Runs: []docx.Run{{Text: SectionHeadings[i], Font: docx.FontHei}}, Indent: 2, KeepNext: true})
	}
	text := func(s string) {
		ps := Paragraphs(s)
		if len(ps) == 0 {
			ps = []string{"（未填写）"}
		}
		for _, p := range ps {
			doc.Add(docx.P(p))
		}
	}
	heading(0)
	text(d.Sections.Overview)
	for i, g := range d.Grids(nil) {
		heading(i + 1)
		doc.Add(docxTable(g))
	}
	heading(4)
	text(d.Sections.Problems)
	heading(5)
	text(d.Sections.Other)
	if len(d.Notes) > 0 {
		doc.Add(docx.Para{Runs: []docx.Run{{Text: "说明", Font: docx.FontHei}}, Indent: 2, KeepNext: true})
		for _, n := range d.Notes {
			doc.Add(docx.P(n))
		}
	}
	doc.Add(docx.Para{})
	doc.Add(docx.Para{Runs: []docx.Run{{Text: d.Org.Name}}, Align: docx.AlignRight})
	if s := d.PublishedDate(); s != "" {
		doc.Add(docx.Para{Runs: []docx.Run{{Text: s}}, Align: docx.AlignRight})
	}
	_, err := doc.WriteTo(w)
	return err
}

func docxTable(g Grid) *docx.Table {
	t := &docx.Table{Widths: g.Widths, HeaderRows: g.HeaderRows, Size: 9}
	if g.Number == 2 {
		t.Size = 10.5
	}
	for _, row := range g.Rows {
		var cells []docx.Cell
		for _, c := range row {
			align := docx.AlignCenter
			if c.Note {
				align = docx.AlignLeft
			}
			cells = append(cells, docx.Cell{Text: c.Text, Align: align, ColSpan: c.ColSpan, RowSpan: c.RowSpan})
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}
