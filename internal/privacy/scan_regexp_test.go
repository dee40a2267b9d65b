package privacy

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// scanRegexp is the same rule set written as regular expressions over the
// normalised text. It exists to check Scan (every rule is stated twice, in
// two very different styles) and as the speed baseline Scan is measured
// against. Lead boundaries need look-behind, which RE2 lacks, so they are
// checked in Go on the rune before each match; trailing boundaries are in
// the expressions. Matches are enumerated at every start position (the next
// search begins one rune after the previous match's start, not at its end),
// and selection is the same leftmost-then-longest as Scan's.
func scanRegexp(text string) []Finding {
	return finish(text, scanRegexpSpans(text, todayYMD()))
}

const (
	reLevel = `(?:绝密|机密|秘密)`
	reStar  = `[★☆](?:[0-9]+(?:年|个月)|长期)?`
	reArea  = `0(?:10|2[0-9]|[3-9][0-9]{2})`
	reSub   = `[2-9][0-9]{6,7}(?:-[0-9]{1,6})?`
)

type refRule struct {
	kind  Kind
	re    *regexp.Regexp
	lead  func(prev rune) bool // nil: no condition on the rune before
	check func(m string, today int) bool
	// lineStart requires only spaces and tabs between the match and the
	// start of its line.
	lineStart bool
}

func notDigit(r rune) bool { return !isDigit(r) }
func notAlnum(r rune) bool { return !isAlnum(r) }

func digitsOf(m string) []byte {
	var d []byte
	for i := 0; i < len(m); i++ {
		if isDigit(rune(m[i])) {
			d = append(d, m[i])
		}
	}
	return d
}

var refRules = []refRule{
	{kind: KindIDCard, re: regexp.MustCompile(`([0-9]{17}[0-9Xx])(?:[^0-9]|$)`), lead: notDigit,
		check: func(m string, today int) bool { return validID18([]byte(m), today) }},
	{kind: KindIDCard, re: regexp.MustCompile(`([0-9]{15})(?:[^0-9]|$)`), lead: notDigit,
		check: func(m string, today int) bool { return validID15([]byte(m), today) }},
	{kind: KindBankCard, re: regexp.MustCompile(`([0-9]{16,19})(?:[^0-9A-Za-z]|$)`), lead: notAlnum,
		check: func(m string, today int) bool { return validBank([]byte(m), today) }},
	{kind: KindBankCard, re: regexp.MustCompile(`([0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{4}(?:[ -][0-9]{1,3})?)(?:[^0-9A-Za-z]|$)`), lead: notAlnum,
		check: func(m string, today int) bool { return validBank(digitsOf(m), today) }},
	{kind: KindMobile, re: regexp.MustCompile(`((?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4})(?:[^0-9]|$)`), lead: notDigit},
	{kind: KindLandline, re: regexp.MustCompile(`(` + reArea + `[ -]` + reSub + `)(?:[^0-9]|$)`), lead: notDigit},
	{kind: KindLandline, re: regexp.MustCompile(`(\(` + reArea + `\)[ -]?` + reSub + `)(?:[^0-9]|$)`)},
	{kind: KindEmail, re: regexp.MustCompile(`([A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24})(?:[^A-Za-z0-9-]|$)`)},
	{kind: KindSecretMarking, re: regexp.MustCompile(`(` + reLevel + reStar + `)`)},
	{kind: KindSecretMarking, re: regexp.MustCompile(`(【` + reLevel + `(?:` + reStar + `)?】|\[` + reLevel + `(?:` + reStar + `)?\])`), lineStart: true},
	{kind: KindSecretMarking, re: regexp.MustCompile(`(密级:[ \t]*` + reLevel + `(?:` + reStar + `)?)`)},
	{kind: KindSecretMarking, re: regexp.MustCompile(`(内部资料|内部文件|注意保密|不得外传)`)},
}

func scanRegexpSpans(text string, today int) []span {
	// Normalise rune for rune, remembering where each normalised byte came
	// from so matches can be mapped back to original runes and bytes.
	var b strings.Builder
	b.Grow(len(text))
	runeAt := make([]int, 0, len(text)+1) // normalised byte -> rune index
	origByte := make([]int, 0, len(text)+1)
	ri := 0
	for bi, r := range text {
		origByte = append(origByte, bi)
		before := b.Len()
		b.WriteRune(normRune(r))
		for k := before; k < b.Len(); k++ {
			runeAt = append(runeAt, ri)
		}
		ri++
	}
	origByte = append(origByte, len(text))
	runeAt = append(runeAt, ri)
	s := b.String()

	type refCand struct {
		kind   Kind
		rs, re int
	}
	var cands []refCand
	for _, rule := range refRules {
		for pos := 0; pos < len(s); {
			m := rule.re.FindStringSubmatchIndex(s[pos:])
			if m == nil {
				break
			}
			gs, ge := pos+m[2], pos+m[3]
			ok := true
			if rule.lead != nil {
				prev := rune(-1)
				if gs > 0 {
					prev, _ = utf8.DecodeLastRuneInString(s[:gs])
				}
				ok = rule.lead(prev)
			}
			if ok && rule.check != nil {
				ok = rule.check(s[gs:ge], today)
			}
			if ok && rule.lineStart {
				ok = refLineStart(s[:gs])
			}
			if ok {
				cands = append(cands, refCand{rule.kind, runeAt[gs], runeAt[ge]})
			}
			_, size := utf8.DecodeRuneInString(s[gs:])
			pos = gs + size
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.rs != b.rs {
			return a.rs < b.rs
		}
		if a.re != b.re {
			return a.re > b.re
		}
		return kindRank(a.kind) < kindRank(b.kind)
	})
	var out []span
	end := 0
	for _, c := range cands {
		if c.rs < end {
			continue
		}
		out = append(out, span{c.kind, origByte[c.rs], origByte[c.re], c.rs, c.re})
		end = c.re
	}
	return out
}

func refLineStart(before string) bool {
	i := strings.LastIndexByte(before, '\n')
	return strings.Trim(before[i+1:], " \t") == ""
}
