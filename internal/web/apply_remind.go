package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// The 依申请公开 reminders in the back office: the dashboard panel and the
// list filters (?mine=1, ?due=overdue|near).

// remindPanelItems is how many reminders each dashboard group lists.
const remindPanelItems = 5

type remindCount struct {
	Label string
	N     int
	Href  string // the filtered list, when there is one for the kind
}

type remindGroup struct {
	ID, Title string
	Counts    []remindCount
	Items     []apply.Reminder
	More      int
	ListURL   string
}

type remindPanel struct {
	Groups []remindGroup
}

func newRemindGroup(id, title string, rs []apply.Reminder, mine bool) remindGroup {
	g := remindGroup{ID: id, Title: title, ListURL: applyListURL(false, mine, "")}
	n := map[string]int{}
	for _, r := range rs {
		n[r.Kind]++
	}
	for _, k := range apply.RemindKinds {
		if n[k.Code] == 0 {
			continue
		}
		c := remindCount{Label: k.Label, N: n[k.Code]}
		switch k.Code {
		case apply.RemindOverdue:
			c.Href = applyListURL(false, mine, "overdue")
		case apply.RemindNear:
			c.Href = applyListURL(false, mine, "near")
		case apply.RemindUnconfirmed:
			c.Href = applyListURL(false, false, "") // unconfirmed cases have no handler and come first
		}
		g.Counts = append(g.Counts, c)
	}
	g.Items = rs
	if len(rs) > remindPanelItems {
		g.Items, g.More = rs[:remindPanelItems], len(rs)-remindPanelItems
	}
	return g
}

// applyRemindPanel is the dashboard's 依申请公开提醒 panel, nil for users
// who may not view applications.
func (s *Server) applyRemindPanel(ctx context.Context, p *org.Principal) (*remindPanel, error) {
	if !p.CanAny(org.PermApplyView) {
		return nil, nil
	}
	all, err := s.Apply.DueFor(ctx, p, false)
	if err != nil {
		return nil, err
	}
	var mine []apply.Reminder
	for _, r := range all {
		if r.HandlerID == p.User.ID {
			mine = append(mine, r)
		}
	}
	panel := &remindPanel{}
	if p.CanAny(org.PermApplyHandle) || len(mine) > 0 {
		panel.Groups = append(panel.Groups, newRemindGroup("mine", "我承办的", mine, true))
	}
	panel.Groups = append(panel.Groups, newRemindGroup("org", "本机关", all, false))
	return panel, nil
}

// applyFilter is the list's ?mine=1 and ?due=overdue|near.
type applyFilter struct {
	Mine bool
	Due  string
}

func applyFilterFrom(r *http.Request) applyFilter {
	q := r.URL.Query()
	f := applyFilter{Mine: q.Get("mine") == "1"}
	if d := q.Get("due"); d == "overdue" || d == "near" {
		f.Due = d
	}
	return f
}

func applyListURL(closed, mine bool, due string) string {
	q := url.Values{}
	if closed {
		q.Set("tab", "closed")
	}
	if mine {
		q.Set("mine", "1")
	}
	if due != "" {
		q.Set("due", due)
	}
	if len(q) == 0 {
		return "/admin/apply"
	}
	return "/admin/apply?" + q.Encode()
}

// rowOverdue and rowNear are the list's and the counters' definitions:
// cases being handled past or within Near working days of their due date.
func rowOverdue(r apply.Row) bool { return r.Status == apply.StatusHandling && r.Clock.Overdue }

func rowNear(r apply.Row) bool {
	return r.Status == apply.StatusHandling && !r.Clock.Overdue && r.Clock.Due != (workday.Date{}) && r.Clock.Remaining <= apply.Near
}

// mine keeps the cases userID handles (all rows when the filter is off).
func (f applyFilter) mine(rows []apply.Row, userID string) []apply.Row {
	if !f.Mine {
		return rows
	}
	var out []apply.Row
	for _, r := range rows {
		if r.HandlerID == userID {
			out = append(out, r)
		}
	}
	return out
}

// due keeps the overdue or near-due rows (all rows when the filter is off).
func (f applyFilter) due(rows []apply.Row) []apply.Row {
	keep := map[string]func(apply.Row) bool{"overdue": rowOverdue, "near": rowNear}[f.Due]
	if keep == nil {
		return rows
	}
	var out []apply.Row
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

type filterLink struct {
	Label, Href string
	Current     bool
}

// links are the list's filter links, each keeping the other filters.
func (f applyFilter) links(closed bool) map[string][]filterLink {
	out := map[string][]filterLink{
		"Scope": {
			{"全部申请", applyListURL(closed, false, f.Due), !f.Mine},
			{"我承办的", applyListURL(closed, true, f.Due), f.Mine},
		},
	}
	if !closed {
		out["Due"] = []filterLink{
			{"不限", applyListURL(false, f.Mine, ""), f.Due == ""},
			{"已超期", applyListURL(false, f.Mine, "overdue"), f.Due == "overdue"},
			{"临近到期（" + strconv.Itoa(apply.Near) + " 个工作日内）", applyListURL(false, f.Mine, "near"), f.Due == "near"},
		}
	}
	out["Tabs"] = []filterLink{
		{"办理中", applyListURL(false, f.Mine, ""), !closed},
		{"已办结", applyListURL(true, f.Mine, ""), closed},
	}
	return out
}
