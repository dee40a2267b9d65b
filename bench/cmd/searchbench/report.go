package main

import (
	"fmt"
	"strings"

	"gongkai.dev/gongkai/bench/corpus"
)

func f2(x float64) string { return fmt.Sprintf("%.2f", x) }

func truncated(rep *queryReport) bool {
	for _, r := range rep.Rows {
		if r.N < r.Planned {
			return true
		}
	}
	return false
}

// engineTable renders one engine's results like reference/search-measurements.md, plus the
// number of queries whose total equals the exact count of the query set.
func engineTable(rep *queryReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s, %s documents\n", rep.Label, fmtInt(rep.N))
	withN := truncated(rep)
	if withN {
		b.WriteString("| class | filters | sort | n | p50 ms | p99 ms | mean total hits | exact totals |\n|---|---|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("| class | filters | sort | p50 ms | p99 ms | mean total hits | exact totals |\n|---|---|---|---|---|---|---|\n")
	}
	for _, r := range rep.Rows {
		n := ""
		if withN {
			n = fmt.Sprintf(" %d |", r.N)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |%s %s | %s | %.0f | %d/%d |\n",
			r.Class, r.Filters, r.Sort, n, f2(r.P50), f2(r.P99), r.MeanTotal, r.Exact, r.N)
	}
	return b.String()
}

// checks lists rows where an engine's answers disagree with the query set or with themselves.
func checks(rep *queryReport) []string {
	var out []string
	for _, r := range rep.Rows {
		var p []string
		if r.Errors > 0 {
			p = append(p, fmt.Sprintf("%d errors (first: %s)", r.Errors, r.FirstErr))
		}
		if r.Exact < r.N && !(unfoldedOK(rep) && r.ExactUnfolded == r.N) {
			p = append(p, fmt.Sprintf("total ≠ exact count in %d of %d queries (mean total %.1f, exact %.1f; "+
				"equal to the count on the text without traditional folding in %d of %d, mean %.1f)",
				r.N-r.Exact, r.N, r.MeanTotal, r.Expected, r.ExactUnfolded, r.N, r.ExpectedUnfolded))
		}
		if r.FacetsOK < r.N {
			p = append(p, fmt.Sprintf("issuer/genre facet counts do not sum to the total in %d queries", r.N-r.FacetsOK))
		}
		if r.OrderOK < r.N {
			p = append(p, fmt.Sprintf("date order wrong in %d queries", r.N-r.OrderOK))
		}
		if r.N < r.Planned {
			p = append(p, fmt.Sprintf("stopped after %d of %d queries (time cap)", r.N, r.Planned))
		}
		if len(p) > 0 {
			out = append(out, fmt.Sprintf("%s / %s / %s: %s", r.Class, r.Filters, r.Sort, strings.Join(p, "; ")))
		}
	}
	return out
}

func queryClassTable(qs *corpus.QuerySet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| class | definition (measured on this corpus) | distinct queries | mean docs | min–max docs | mean docs with filters |\n|---|---|---|---|---|---|\n")
	for _, c := range qs.Classes {
		var sf float64
		for _, q := range c.Queries {
			sf += float64(q.DFFiltered)
		}
		if len(c.Queries) > 0 {
			sf /= float64(len(c.Queries))
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %.1f | %d–%d | %.1f |\n", c.Name, c.Definition, c.Distinct, c.MeanDF, c.MinDF, c.MaxDF, sf)
	}
	return b.String()
}

// worst returns the row with the highest p99.
func worst(rep *queryReport) rowResult {
	var w rowResult
	for _, r := range rep.Rows {
		if r.P99 > w.P99 {
			w = r
		}
	}
	return w
}

func findRow(rep *queryReport, class, filters, sort string) (rowResult, bool) {
	for _, r := range rep.Rows {
		if r.Class == class && r.Filters == filters && r.Sort == sort {
			return r, true
		}
	}
	return rowResult{}, false
}

// unfoldedOK reports whether every total equals the exact count on the text without
// traditional folding (an engine that does not fold, answering exactly otherwise).
func unfoldedOK(rep *queryReport) bool {
	exact := true
	for _, r := range rep.Rows {
		if r.ExactUnfolded != r.N {
			return false
		}
		if r.Exact != r.N {
			exact = false
		}
	}
	return !exact
}

// foldingGap summarises the totals of an engine without traditional folding.
func foldingGap(rep *queryReport) string {
	var tot, exp float64
	rows := 0
	for _, r := range rep.Rows {
		if r.Filters == "none" {
			tot += r.MeanTotal
			exp += r.Expected
			rows++
		}
	}
	return fmt.Sprintf("every total equals the exact count on the text as written (no traditional→simplified folding); "+
		"without filters it finds %.1f%% fewer documents than the folded count", 100*(1-tot/exp))
}
