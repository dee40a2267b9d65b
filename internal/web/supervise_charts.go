package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Charts for the supervision dashboard, drawn as inline SVG by the
// templates from geometry computed here: no script, no external library,
// nothing the CSP must allow (colours come from classes in site.css, not
// style attributes). Every chart is followed on the page by a table of
// the same numbers, its accessible alternative; the SVG itself carries a
// title and a one-sentence description, and each value is written as text
// beside its mark, so no reading depends on colour.

// barChart is a horizontal bar chart: one labelled row per item.
type barChart struct {
	ID, Title, Desc string
	Width, Height   int
	LabelW          int // space for the labels left of the bars
	LabelX          int // where the labels end
	Bars            []chartBar
	Ticks           []chartTick
	AxisY, TickY    int
}

type chartBar struct {
	Label, Value string
	Class        string
	Href         string
	Y, W         float64 // top and length of the bar
	TextY        float64
	ValueX       float64
}

type chartTick struct {
	X     float64
	Label string
}

const barRow, barH = 30, 18

// newBarChart lays out values (one per label) on a scale from 0 to the
// largest value rounded up to a tidy number.
func newBarChart(id, title, desc string, labels []string, values []int, classes, hrefs []string) barChart {
	c := barChart{ID: id, Title: title, Desc: desc, Width: 760, LabelW: 270}
	top := 8
	maxV := 0
	for _, v := range values {
		maxV = max(maxV, v)
	}
	scaleMax, step := niceScale(maxV)
	plot := float64(c.Width - c.LabelW - 60)
	for i, l := range labels {
		y := float64(top + i*barRow)
		b := chartBar{Label: l, Value: strconv.Itoa(values[i]), Y: y + (barRow-barH)/2, TextY: y + barRow/2 + 5,
			W: plot * float64(values[i]) / float64(scaleMax)}
		if values[i] > 0 && b.W < 2 {
			b.W = 2
		}
		b.ValueX = float64(c.LabelW) + b.W + 6
		if i < len(classes) {
			b.Class = classes[i]
		}
		if i < len(hrefs) {
			b.Href = hrefs[i]
		}
		c.Bars = append(c.Bars, b)
	}
	c.LabelX = c.LabelW - 8
	c.AxisY = top + len(labels)*barRow + 4
	c.TickY = c.AxisY + 16
	for v := 0; v <= scaleMax; v += step {
		c.Ticks = append(c.Ticks, chartTick{X: float64(c.LabelW) + plot*float64(v)/float64(scaleMax), Label: strconv.Itoa(v)})
	}
	c.Height = c.AxisY + 24
	return c
}

// niceScale rounds max up to 1, 2 or 5 × 10ⁿ steps, about 5 of them.
func niceScale(maxV int) (int, int) {
	if maxV <= 0 {
		return 1, 1
	}
	raw := float64(maxV) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	s := max(int(step), 1)
	top := ((maxV + s - 1) / s) * s
	return top, s
}

// lineChart draws series over the same x labels.
type lineChart struct {
	ID, Title, Desc  string
	Width, Height    int
	Left, Bottom     int
	YLabelX, XLabelY float64 // where the axis labels go
	LegendX          float64
	LegendTextX      float64
	Series           []chartSeries
	XLabels          []chartTick
	YTicks           []chartTick
	Plot             struct{ X0, X1, Y0, Y1 float64 }
}

type chartSeries struct {
	Name                 string
	Class                string // colour and dash pattern, from site.css
	Marker               string // circle, square, triangle, diamond: a shape per series
	Points               string // for <polyline>
	Dots                 []chartDot
	LegendY, LegendTextY float64
	LegendMarker         string // the marker drawn in the legend
	LegendLine           string // a short stroke of the series' line
}

type chartDot struct {
	X, Y   float64
	LabelY float64
	Value  string
	Path   string // marker shape at the point
}

// newLineChart lays out series of values (NaN = no value) over xs.
func newLineChart(id, title, desc string, xs []string, names []string, values [][]float64, unit string, fixedMax float64) lineChart {
	c := lineChart{ID: id, Title: title, Desc: desc, Width: 760, Height: 300, Left: 48, Bottom: 40}
	c.Plot.X0, c.Plot.X1 = float64(c.Left), float64(c.Width-150)
	c.Plot.Y0, c.Plot.Y1 = 16, float64(c.Height-c.Bottom)
	c.YLabelX, c.XLabelY, c.LegendX = c.Plot.X0-6, c.Plot.Y1+20, c.Plot.X1+24
	c.LegendTextX = c.LegendX + 18
	maxV := fixedMax
	if maxV == 0 {
		m := 0
		for _, vs := range values {
			for _, v := range vs {
				if !math.IsNaN(v) {
					m = max(m, int(math.Ceil(v)))
				}
			}
		}
		top, _ := niceScale(m)
		maxV = float64(top)
	}
	_, step := niceScale(int(maxV))
	if fixedMax > 0 {
		step = int(fixedMax / 5)
	}
	for v := 0; v <= int(maxV); v += step {
		c.YTicks = append(c.YTicks, chartTick{X: c.y(float64(v), maxV), Label: strconv.Itoa(v) + unit})
	}
	xAt := func(i int) float64 {
		if len(xs) == 1 {
			return (c.Plot.X0 + c.Plot.X1) / 2
		}
		return c.Plot.X0 + (c.Plot.X1-c.Plot.X0)*float64(i)/float64(len(xs)-1)
	}
	for i, x := range xs {
		c.XLabels = append(c.XLabels, chartTick{X: xAt(i), Label: x})
	}
	markers := []string{"circle", "square", "triangle", "diamond", "cross"}
	for si, name := range names {
		sr := chartSeries{Name: name, Class: fmt.Sprintf("series-%d", si%5), Marker: markers[si%len(markers)],
			LegendY: c.Plot.Y0 + 10 + float64(si)*22}
		sr.LegendTextY = sr.LegendY + 5
		sr.LegendMarker = markerPath(sr.Marker, c.LegendX, sr.LegendY)
		sr.LegendLine = fmt.Sprintf("M%.1f %.1fH%.1f", c.LegendX-12, sr.LegendY, c.LegendX+12)
		var pts []string
		for i, v := range values[si] {
			if math.IsNaN(v) {
				continue
			}
			x, y := xAt(i), c.y(v, maxV)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			sr.Dots = append(sr.Dots, chartDot{X: x, Y: y, LabelY: y - 9, Value: trimFloat(v), Path: markerPath(sr.Marker, x, y)})
		}
		sr.Points = strings.Join(pts, " ")
		c.Series = append(c.Series, sr)
	}
	return c
}

func (c lineChart) y(v, maxV float64) float64 {
	if maxV <= 0 {
		return c.Plot.Y1
	}
	return c.Plot.Y1 - (c.Plot.Y1-c.Plot.Y0)*v/maxV
}

func markerPath(kind string, x, y float64) string {
	const r = 4.5
	switch kind {
	case "square":
		return fmt.Sprintf("M%.1f %.1fh%.1fv%.1fh%.1fz", x-r, y-r, 2*r, 2*r, -2*r)
	case "triangle":
		return fmt.Sprintf("M%.1f %.1fL%.1f %.1fL%.1f %.1fz", x, y-r-1, x+r+1, y+r, x-r-1, y+r)
	case "diamond":
		return fmt.Sprintf("M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fz", x, y-r-1, x+r+1, y, x, y+r+1, x-r-1, y)
	case "cross":
		return fmt.Sprintf("M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f", x-r, y-r, x+r, y+r, x-r, y+r, x+r, y-r)
	}
	return fmt.Sprintf("M%.1f %.1fa%.1f %.1f 0 1 0 %.1f 0a%.1f %.1f 0 1 0 %.1f 0", x-r, y, r, r, 2*r, r, r, -2*r)
}

func trimFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}
