package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseTimeLimit reads a 公开时限 as written in a catalog (rules.md §5.2).
// Text always keeps the input byte for byte, so an editor can see exactly
// what was imported; the structured fields are filled only when the wording
// is understood, otherwise Kind is Unparsed and the item is flagged.
func ParseTimeLimit(text string) TimeLimit {
	t := TimeLimit{Text: text}
	s := normalizeTimeLimit(text)
	if s == "" {
		return t
	}

	// A day count decides the reading even next to "及时": "及时公开，最迟20个
	// 工作日内" is a hard limit of 20 days, and 及时 is only the exhortation.
	if m := workdaysRe.FindStringSubmatchIndex(s); m != nil {
		if precededByRangeOrDecimal(s[:m[2]]) {
			return t
		}
		n, ok := parseNumber(s[m[2]:m[3]])
		// A wrong number is flagged rather than read around: guessing
		// another kind for "400个工作日" would hide the typo.
		if !ok || n < 1 || n > 365 {
			return t
		}
		t.Kind, t.Days = Workdays, n
		t.Events, t.OtherEvent = baseEvent(s[:m[0]])
		return t
	}

	// Calendar days, but not periodic wordings (每季度结束后15日内, 每月…):
	// those need a period the model does not have, so a person decides.
	if m := calendarDaysRe.FindStringSubmatchIndex(s); m != nil && !strings.HasPrefix(s, "每") {
		if precededByRangeOrDecimal(s[:m[2]]) {
			return t
		}
		n, ok := parseNumber(s[m[2]:m[3]])
		if !ok || n < 1 || n > 365 {
			return t
		}
		t.Kind, t.Days = CalendarDays, n
		t.Events, t.OtherEvent = baseEvent(s[:m[0]])
		return t
	}

	if m := fixedDateRe.FindStringSubmatch(s); m != nil {
		month, ok := parseNumber(m[1])
		if !ok || month < 1 || month > 12 {
			return t
		}
		day := daysInMonth[month]
		if m[2] != "" {
			if day, ok = parseNumber(m[2]); !ok || day < 1 || day > daysInMonth[month] {
				return t
			}
		} else if month == 2 {
			// "2月底" has to be a date that exists every year.
			day = 28
		}
		t.Kind, t.Month, t.Day = FixedDate, month, day
		return t
	}

	core := strings.TrimRight(s, "。.;,!")
	switch {
	case isAdverbPhrase(core, "实时"):
		t.Kind = Realtime
	case isAdverbPhrase(core, "及时"):
		t.Kind = Promptly
	}
	return t
}

// Describe renders the structured reading in one house style so that lists
// of items compare at a glance whatever wording each county used.
func (t TimeLimit) Describe() string {
	switch t.Kind {
	case Workdays, CalendarDays:
		unit := "个工作日"
		if t.Kind == CalendarDays {
			unit = "日"
		}
		var base []string
		if len(t.Events) > 0 {
			base = append(base, "信息"+strings.Join(t.Events, "或"))
		}
		if t.OtherEvent != "" {
			base = append(base, t.OtherEvent)
		}
		if len(base) == 0 {
			return fmt.Sprintf("%d %s内", t.Days, unit)
		}
		return fmt.Sprintf("%s之日起 %d %s内", strings.Join(base, "或"), t.Days, unit)
	case FixedDate:
		return fmt.Sprintf("每年 %d 月 %d 日前", t.Month, t.Day)
	case Realtime:
		return "实时"
	case Promptly:
		return "及时"
	}
	if strings.TrimSpace(t.Text) == "" {
		return "未填写"
	}
	return "未能识别：" + t.Text
}

const cnDigits = "零〇一二两三四五六七八九十"

var (
	workdaysRe     = regexp.MustCompile(`([0-9]+|[` + cnDigits + `]+)个?工作日`)
	calendarDaysRe = regexp.MustCompile(`([0-9]+|[` + cnDigits + `]+)(?:个自然日|个日历日|自然日|日|天)内`)
	fixedDateRe    = regexp.MustCompile(`每年([0-9]+|[` + cnDigits + `]+)月(?:([0-9]+|[` + cnDigits + `]+)[日号]|底|末)(?:之|以)?前`)
)

// daysInMonth allows 29 February because a limit is a rule for every year
// and a leap-year wording must not be rejected.
var daysInMonth = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// normalizeTimeLimit folds the variation that spreadsheets and IMEs
// introduce without changing meaning, so the patterns stay small: full-width
// ASCII (digits, letters, brackets, punctuation) becomes half-width, and all
// spaces go since Chinese wording never needs them.
func normalizeTimeLimit(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteRune(r - 0xFEE0)
		case unicode.IsSpace(r), r == '\u200B', r == '\uFEFF':
			// Zero-width characters and BOMs arrive with pasted Excel cells.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// precededByRangeOrDecimal rejects "1.5个工作日" and "3-5个工作日": the
// pattern would otherwise quietly read only the last number.
func precededByRangeOrDecimal(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	return strings.ContainsRune(".-~至到", r) || r == '—'
}

// parseNumber accepts Arabic digits or a Chinese numeral from 一 to 九十九,
// the range catalog wordings actually use.
func parseNumber(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if s[0] >= '0' && s[0] <= '9' {
		if len(s) > 4 { // also keeps Atoi away from overflow
			return 0, false
		}
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	if s == "两" {
		return 2, true
	}
	digit := func(r rune) int { return strings.IndexRune("零一二三四五六七八九", r) / len("零") }
	isDigit := func(r rune) bool { return strings.ContainsRune("一二三四五六七八九", r) }
	rs := []rune(s)
	switch {
	case len(rs) == 1 && isDigit(rs[0]):
		return digit(rs[0]), true
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 2 && rs[0] == '十' && isDigit(rs[1]):
		return 10 + digit(rs[1]), true
	case len(rs) == 2 && isDigit(rs[0]) && rs[1] == '十':
		return 10 * digit(rs[0]), true
	case len(rs) == 3 && isDigit(rs[0]) && rs[1] == '十' && isDigit(rs[2]):
		return 10*digit(rs[0]) + digit(rs[2]), true
	}
	return 0, false
}

// isAdverbPhrase matches 实时/及时 alone or with the verbs catalogs put
// after them; anything longer ("及时公开有关情况…") is left for a person,
// because a substring test would also accept "不及时".
func isAdverbPhrase(s, adverb string) bool {
	rest, ok := strings.CutPrefix(s, adverb)
	if !ok {
		return false
	}
	switch rest {
	case "", "公开", "更新", "发布", "公布", "予以公开", "更新公开", "公开更新":
		return true
	}
	return false
}

var canonicalEvents = []string{EventFormed, EventChanged, EventObtained, EventMade}

// Terminators of the base-event phrase, longest first so that "之日起" is
// not cut as "起". The first group says "from the day of", which is what
// makes an unknown phrase a base event; the second ("后") only does so when
// the phrase is made of the known events.
var (
	dayTerminators   = []string{"之日起", "之日后", "之日", "日起"}
	afterTerminators = []string{"以后", "之后", "后", "起"}
	trailingFillers  = []string{"最迟", "最长", "不超过", "应当在", "应在", "须在", "在", "的"}
)

// baseEvent reads the clause just before the day count. Only the last clause
// is considered, so "及时公开，最迟" does not become an event.
func baseEvent(prefix string) ([]string, string) {
	clause := strings.TrimRight(prefix, ",;:。")
	if i := strings.LastIndexAny(clause, ",;:。"); i >= 0 {
		_, w := utf8.DecodeRuneInString(clause[i:])
		clause = clause[i+w:]
	}
	clause = trimSuffixes(clause, trailingFillers)

	dayForm, afterForm := false, false
	for _, term := range dayTerminators {
		if c, ok := strings.CutSuffix(clause, term); ok {
			clause, dayForm = c, true
			break
		}
	}
	if !dayForm {
		for _, term := range afterTerminators {
			if c, ok := strings.CutSuffix(clause, term); ok {
				clause, afterForm = c, true
				break
			}
		}
	}
	clause = stripFrom(clause)
	if clause == "" {
		return nil, ""
	}
	if ev := knownEvents(clause); ev != nil {
		return ev, ""
	}
	// "收到申请后" or "批复后" name the base event as surely as "之日起".
	if dayForm || afterForm {
		return nil, clause
	}
	return nil, ""
}

func trimSuffixes(s string, suffixes []string) string {
	for changed := true; changed; {
		changed = false
		for _, suf := range suffixes {
			if c, ok := strings.CutSuffix(s, suf); ok {
				s, changed = c, true
			}
		}
	}
	return s
}

// stripFrom drops the "自/从" that opens the base event, and any lead-in
// before it ("公开时限为自…"). Words that merely start with 自 (自然资源,
// 自治区, 自主) are not that preposition.
func stripFrom(s string) string {
	for _, p := range []string{"应当自", "应自", "从"} {
		if c, ok := strings.CutPrefix(s, p); ok {
			return c
		}
	}
	for off := 0; off < len(s); {
		i := strings.Index(s[off:], "自")
		if i < 0 {
			break
		}
		i += off
		rest := s[i+len("自"):]
		if !strings.HasPrefix(rest, "然") && !strings.HasPrefix(rest, "治") && !strings.HasPrefix(rest, "主") {
			return rest
		}
		off = i + len("自")
	}
	return s
}

// eventTokens are what may surround the known events in a phrase such as
// "该信息制作或获取" or "信息形成（变更）"; anything else means the phrase
// names some other event.
var eventTokens = []string{
	"政府信息", "相关信息", "有关信息", "该信息", "信息", "该",
	"或者", "以及", "或", "和", "及", "与", "、", "/", "(", ")",
}

// knownEvents returns the events in canonical order when the phrase is made
// only of known events and connective tokens, nil otherwise.
func knownEvents(s string) []string {
	seen := map[string]bool{}
next:
	for s != "" {
		for _, ev := range canonicalEvents {
			if c, ok := strings.CutPrefix(s, ev); ok {
				seen[ev], s = true, c
				continue next
			}
		}
		for _, tok := range eventTokens {
			if c, ok := strings.CutPrefix(s, tok); ok {
				s = c
				continue next
			}
		}
		return nil
	}
	var out []string
	for _, ev := range canonicalEvents {
		if seen[ev] {
			out = append(out, ev)
		}
	}
	return out
}
