package catalog

import (
	"reflect"
	"strings"
	"testing"
)

var (
	formedChanged = []string{EventFormed, EventChanged}
	formed        = []string{EventFormed}
	obtainedMade  = []string{EventObtained, EventMade}
)

func TestParseTimeLimit(t *testing.T) {
	wd := func(text string, events []string, other string, days int) TimeLimit {
		return TimeLimit{Text: text, Kind: Workdays, Events: events, OtherEvent: other, Days: days}
	}
	fd := func(text string, month, day int) TimeLimit {
		return TimeLimit{Text: text, Kind: FixedDate, Month: month, Day: day}
	}
	kind := func(text string, k TimeLimitKind) TimeLimit { return TimeLimit{Text: text, Kind: k} }
	bad := func(text string) TimeLimit { return TimeLimit{Text: text} }

	tests := []struct {
		name string
		want TimeLimit
	}{
		// rules.md §5.2, verbatim.
		{"§5.2 most common", wd("信息形成或者变更之日起20个工作日内", formedChanged, "", 20)},
		{"§5.2 with 自 and 予以公开", wd("自信息形成或者变更之日起20个工作日内予以公开", formedChanged, "", 20)},
		{"§5.2 bracketed 变更", wd("信息形成（变更）20个工作日内", formedChanged, "", 20)},
		{"§5.2 形成 only", wd("信息形成之日起20个工作日内", formed, "", 20)},
		{"§5.2 bare 工作日", wd("20工作日", nil, "", 20)},
		{"§5.2 制作或获取", wd("自制作或获取该信息之日起20个工作日内公开", obtainedMade, "", 20)},
		{"§5.2 实时公开", kind("实时公开", Realtime)},
		{"§5.2 及时公开", kind("及时公开", Promptly)},
		{"§5.2 同上", bad("同上")},
		{"§5.2 annual report", fd("每年1月31日前公开上一年度公开年度报告", 1, 31)},
		{"§5.2 3 days", wd("信息形成或变更之日起3个工作日内", formedChanged, "", 3)},
		{"§5.2 形成后", wd("信息形成后，7个工作日内公开", formed, "", 7)},

		// Base events.
		{"other event", wd("自作出行政处罚决定之日起7个工作日内", nil, "作出行政处罚决定", 7)},
		{"other event after lead-in", wd("公开时限为自作出行政处罚决定之日起7个工作日内", nil, "作出行政处罚决定", 7)},
		{"自然 is not 自", wd("自然资源部门批复之日起5个工作日内", nil, "自然资源部门批复", 5)},
		{"other event with 后", wd("收到申请后20个工作日内", nil, "收到申请", 20)},
		{"calendar days after approval (预算法)", TimeLimit{Text: "批复后20日内", Kind: CalendarDays, OtherEvent: "批复", Days: 20}},
		{"calendar days from formation", TimeLimit{Text: "信息形成之日起30日内", Kind: CalendarDays, Events: []string{EventFormed}, Days: 30}},
		{"calendar days in 天", TimeLimit{Text: "作出决定之日起七天内", Kind: CalendarDays, OtherEvent: "作出决定", Days: 7}},
		{"canonical order", wd("信息变更或形成之日起20个工作日内", formedChanged, "", 20)},
		{"duplicates collapse", wd("信息形成或形成之日起20个工作日内", formed, "", 20)},
		{"four events", wd("信息制作、获取、变更或形成之日起10个工作日内", []string{EventFormed, EventChanged, EventObtained, EventMade}, "", 10)},
		{"half-width brackets", wd("信息形成(变更)20个工作日内", formedChanged, "", 20)},
		{"comma after 之日起", wd("信息形成或者变更之日起，20个工作日内", formedChanged, "", 20)},
		{"最迟 between", wd("信息形成之日起最迟20个工作日内", formed, "", 20)},
		{"no event, 内公开", wd("20个工作日内公开", nil, "", 20)},
		{"earlier sentence ignored", wd("按规定公开。自信息形成之日起20个工作日内", formed, "", 20)},
		{"及时 plus days", wd("及时公开，最迟20个工作日内", nil, "", 20)},

		// Numbers and width.
		{"个 optional", wd("20工作日内", nil, "", 20)},
		{"Chinese 二十", wd("二十个工作日", nil, "", 20)},
		{"Chinese 十五", wd("信息形成之日起十五个工作日内", formed, "", 15)},
		{"Chinese 二十五", wd("二十五个工作日内", nil, "", 25)},
		{"Chinese 三", wd("三个工作日内", nil, "", 3)},
		{"Chinese 两", wd("两个工作日内", nil, "", 2)},
		{"Chinese 十", wd("十个工作日内", nil, "", 10)},
		{"Chinese 九十九", wd("九十九个工作日内", nil, "", 99)},
		{"full-width 3", wd("３个工作日", nil, "", 3)},
		{"full-width 20 and brackets", wd("信息形成（变更）２０个工作日内", formedChanged, "", 20)},
		{"spaces", wd(" 信息形成 或者变更之日起 20 个 工作日内 ", formedChanged, "", 20)},
		{"ideographic space", wd("信息形成　之日起　20　个工作日内", formed, "", 20)},
		{"365 is the top", wd("365个工作日", nil, "", 365)},
		{"1 is the bottom", wd("1个工作日", nil, "", 1)},

		// Realtime and promptly.
		{"实时", kind("实时", Realtime)},
		{"实时更新", kind("实时更新", Realtime)},
		{"及时", kind("及时", Promptly)},
		{"及时更新", kind("及时更新", Promptly)},
		{"及时公开 with full stop", kind("及时公开。", Promptly)},

		// Fixed dates.
		{"每年1月31日前", fd("每年1月31日前", 1, 31)},
		{"每年3月底前", fd("每年3月底前", 3, 31)},
		{"每年4月底前", fd("每年4月底前", 4, 30)},
		{"每年2月底前", fd("每年2月底前", 2, 28)},
		{"每年2月29日前", fd("每年2月29日前", 2, 29)},
		{"Chinese date", fd("每年一月三十一日前", 1, 31)},
		{"full-width date", fd("每年１月３１日前", 1, 31)},
		{"之前", fd("每年12月31日之前", 12, 31)},

		// Malformed or not modelled: kept as text for an editor.
		{"empty", bad("")},
		{"spaces only", bad("   ")},
		{"ideographic space only", bad("　")},
		{"长期", bad("长期")},
		{"zero days", bad("0个工作日")},
		{"400 days", bad("400个工作日")},
		{"overflowing digits", bad("99999999999999999999个工作日")},
		{"month 13", bad("每年13月1日前")},
		{"February 30", bad("每年2月30日前")},
		{"day 0", bad("每年1月0日前")},
		{"calendar days without event", TimeLimit{Text: "7日内", Kind: CalendarDays, Days: 7}},
		{"periodic calendar days", bad("每月结束后10日内")},
		{"calendar days out of range", bad("400日内")},
		{"quarterly", bad("每季度结束后15日内")},
		{"monthly", bad("每月10日前")},
		{"尽快", bad("尽快")},
		{"placeholder digits", bad("xx个工作日")},
		{"invalid Chinese numeral", bad("十十个工作日")},
		{"hundreds not supported", bad("一百个工作日")},
		{"decimal", bad("1.5个工作日")},
		{"range", bad("3-5个工作日")},
		{"及时 buried in a sentence", bad("不及时公开")},
		{"及时 with out-of-range days", bad("及时公开，最迟400个工作日内")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseTimeLimit(tt.want.Text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseTimeLimit(%q)\n got  %#v\n want %#v", tt.want.Text, got, tt.want)
			}
		})
	}
}

func TestTimeLimitDescribe(t *testing.T) {
	tests := []struct {
		in   TimeLimit
		want string
	}{
		{TimeLimit{Kind: Workdays, Events: formedChanged, Days: 20}, "信息形成或变更之日起 20 个工作日内"},
		{TimeLimit{Kind: Workdays, Events: []string{EventMade, EventObtained}, Days: 20}, "信息制作或获取之日起 20 个工作日内"},
		{TimeLimit{Kind: Workdays, OtherEvent: "作出行政处罚决定", Days: 7}, "作出行政处罚决定之日起 7 个工作日内"},
		{TimeLimit{Kind: Workdays, Days: 20}, "20 个工作日内"},
		{TimeLimit{Kind: Workdays, Events: formed, OtherEvent: "收到申请", Days: 5}, "信息形成或收到申请之日起 5 个工作日内"},
		{TimeLimit{Kind: FixedDate, Month: 1, Day: 31}, "每年 1 月 31 日前"},
		{TimeLimit{Kind: Realtime}, "实时"},
		{TimeLimit{Kind: Promptly}, "及时"},
		{TimeLimit{Text: "同上"}, "未能识别：同上"},
		{TimeLimit{Text: "7日内"}, "未能识别：7日内"},
		{TimeLimit{Kind: CalendarDays, OtherEvent: "批复", Days: 20}, "批复之日起 20 日内"},
		{TimeLimit{Kind: CalendarDays, Days: 7}, "7 日内"},
		{TimeLimit{}, "未填写"},
		{TimeLimit{Text: " \t　"}, "未填写"},
		// Parsed round trip: the §5.2 wordings collapse to one style.
		{ParseTimeLimit("自信息形成或者变更之日起20个工作日内予以公开"), "信息形成或变更之日起 20 个工作日内"},
		{ParseTimeLimit("信息形成（变更）20个工作日内"), "信息形成或变更之日起 20 个工作日内"},
		{ParseTimeLimit("自制作或获取该信息之日起20个工作日内公开"), "信息获取或制作之日起 20 个工作日内"},
		{ParseTimeLimit("每年1月31日前公开上一年度公开年度报告"), "每年 1 月 31 日前"},
	}
	for _, tt := range tests {
		if got := tt.in.Describe(); got != tt.want {
			t.Errorf("%#v.Describe() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseTimeLimit(f *testing.F) {
	for _, s := range []string{
		"信息形成或者变更之日起20个工作日内", "自信息形成或者变更之日起20个工作日内予以公开",
		"信息形成（变更）20个工作日内", "20工作日", "自制作或获取该信息之日起20个工作日内公开",
		"实时公开", "及时公开", "同上", "每年1月31日前公开上一年度公开年度报告",
		"信息形成后，7个工作日内公开", "自作出行政处罚决定之日起7个工作日内", "二十个工作日",
		"３个工作日", "每年3月底前", "每年一月三十一日前", "每年2月30日前", "", "　", "\xff工作日",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tl := ParseTimeLimit(s)
		if tl.Text != s {
			t.Fatalf("Text = %q, want the input %q", tl.Text, s)
		}
		if tl.Parsed() != (tl.Kind != Unparsed) {
			t.Fatalf("Parsed() = %v for kind %q", tl.Parsed(), tl.Kind)
		}
		switch tl.Kind {
		case Workdays, CalendarDays:
			if tl.Days < 1 || tl.Days > 365 {
				t.Fatalf("%q: Days = %d", s, tl.Days)
			}
			if len(tl.Events) > 0 && tl.OtherEvent != "" {
				t.Fatalf("%q: both Events %v and OtherEvent %q", s, tl.Events, tl.OtherEvent)
			}
			// Events must be a duplicate-free subsequence of the canonical order.
			i := 0
			for _, ev := range tl.Events {
				for i < len(canonicalEvents) && canonicalEvents[i] != ev {
					i++
				}
				if i == len(canonicalEvents) {
					t.Fatalf("%q: Events %v not in canonical order", s, tl.Events)
				}
				i++
			}
		case FixedDate:
			if tl.Month < 1 || tl.Month > 12 || tl.Day < 1 || tl.Day > daysInMonth[tl.Month] {
				t.Fatalf("%q: invalid date %d-%d", s, tl.Month, tl.Day)
			}
		case Realtime, Promptly, Unparsed:
		default:
			t.Fatalf("%q: unknown kind %q", s, tl.Kind)
		}
		if tl.Kind != Workdays && tl.Kind != CalendarDays && (tl.Days != 0 || tl.Events != nil || tl.OtherEvent != "") {
			t.Fatalf("%q: workday fields set on kind %q: %#v", s, tl.Kind, tl)
		}
		if tl.Kind != FixedDate && (tl.Month != 0 || tl.Day != 0) {
			t.Fatalf("%q: date fields set on kind %q: %#v", s, tl.Kind, tl)
		}
		if d := tl.Describe(); d == "" || (tl.Kind == Unparsed && strings.TrimSpace(s) != "" && !strings.HasSuffix(d, s)) {
			t.Fatalf("%q: Describe() = %q", s, d)
		}
	})
}
