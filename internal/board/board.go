// Package board owns 留言, the message board of 互动交流, and the policy
// Q&A knowledge base (政策问答) that answers common questions before they
// are asked.
//
// # Messages
//
// A citizen leaves a message without an account: a category (咨询, 建议,
// 投诉, 网站纠错), the org it is for (one that takes messages: the district
// government, its departments, streets and towns), a title and the text, an
// optional name and contact that are never shown publicly, and whether they
// agree to publication. The message is durable before the confirmation
// page shows its tracking number (LY-YYYY-XXXXXX-XXXXXX, ~59 bits, the
// writer's only credential); a replayed form returns the same message.
// Abuse resistance is package moderation's, shared with the comment form:
// size and link limits, the block list, the honeypot, per-address and
// per-contact rate limits; a message matching the review word list is held
// (待审核) until a 审核员 releases it into the inbox or rejects it as
// invalid with a stated reason.
//
// Staff of the org the message is routed to — and only they — accept it
// (受理), transfer it to the responsible org with a reason (the history
// keeps every hop; the receiving org accepts it again), reply, or refer it
// to the channel it belongs to (信访, 12345, 纪检监察 …) with a notice that
// says where to go. A 审核员 publishes a reply when the writer consented:
// title, text and reply are masked (privacy.Scan plus the writer's own name
// and contact) before anything is public, and stay editable only as masked
// text. After a reply the writer rates it once (满意 / 基本满意 / 不满意)
// on the tracking page.
//
// # Clock, overdue and escalation (clock.go)
//
// The response limit is in working days per category (settings, default 5
// for 咨询 — simple consultations, rules.md §4.4 — 15 for 建议 and 投诉, 3
// for 网站纠错, §4.5); the limit in force when the message arrived is kept
// with it. The due day is the limit's working day after the receipt day
// (the receipt day is not counted, as for applications); a transfer does
// not restart it. Derived, never stored: a newly entered holiday table
// recomputes every open message. See clock.go for overdue, escalation and
// the three-month veto (Unanswered).
//
// # Q&A (qa.go, match.go)
//
// Staff curate questions and answers, each optionally linked to a published
// policy (info.PolicyGenres). Editors draft; a 审核员 publishes. The message
// form suggests published answers matching what the citizen types (a small
// script calling a JSON endpoint, and a no-script "查找相关问答" button).
package board

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// Service is the message board capability.
type Service struct {
	DB       *db.DB
	Orgs     *org.Service
	Info     *info.Service // links Q&A entries to policies; nil: no links
	Calendar func(context.Context) (*workday.Calendar, error)
	// Guard holds the public forms' rate limiters, shared with the comment
	// form (scopes keep the counts apart); nil: a private one.
	Guard *moderation.Guard
	Now   func() time.Time

	qa qaCache
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Clock is the service's current time.
func (s *Service) Clock() time.Time { return s.now() }

// Today is the service's current day (China Standard Time).
func (s *Service) Today() workday.Date { return workday.DateOf(s.now()) }

func (s *Service) guard() *moderation.Guard {
	if s.Guard == nil {
		s.Guard = &moderation.Guard{}
	}
	return s.Guard
}

// RateScope is the message form's scope in the shared moderation.Guard.
const RateScope = "ly"

// Categories of messages.
const (
	CatConsult    = "consult"    // 咨询
	CatSuggest    = "suggest"    // 建议
	CatComplaint  = "complaint"  // 投诉
	CatCorrection = "correction" // 网站纠错 (我为政府网站找错)
)

// Category describes one.
type Category struct {
	Code, Label, Hint string
}

// Categories in form order.
var Categories = []Category{
	{CatConsult, "咨询", "政策规定、办事流程等方面的咨询"},
	{CatSuggest, "建议", "对本单位工作的意见和建议"},
	{CatComplaint, "投诉", "对工作作风、服务质量的投诉（信访事项、检举控告请通过下方列出的专门渠道反映）"},
	{CatCorrection, "网站纠错", "网站内容错误、链接失效、栏目不更新等问题"},
}

// CategoryLabel is the Chinese name of a category code.
func CategoryLabel(code string) string {
	for _, c := range Categories {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

func knownCategory(code string) bool {
	for _, c := range Categories {
		if c.Code == code {
			return true
		}
	}
	return false
}

// Message statuses. Overdue and escalation are the clock's, derived.
const (
	StatusHeld       = "held"       // matched the review word list; waits for a 审核员
	StatusReceived   = "received"   // in the routed org's inbox, not yet accepted
	StatusAccepted   = "accepted"   // 已受理, being handled
	StatusReplied    = "replied"    // 已答复
	StatusRedirected = "redirected" // referred to the channel it belongs to (已告知)
	StatusInvalid    = "invalid"    // 无效留言 (rejected by a 审核员 with a reason)
)

// StatusLabels name the statuses as writers and staff read them.
var StatusLabels = map[string]string{
	StatusHeld: "待审核", StatusReceived: "待受理", StatusAccepted: "办理中", StatusReplied: "已答复",
	StatusRedirected: "已告知其他渠道", StatusInvalid: "不予受理",
}

// Open reports whether a status still waits for a response.
func Open(status string) bool {
	return status == StatusHeld || status == StatusReceived || status == StatusAccepted
}

// Takes reports whether an org of this kind takes messages: administrative
// bodies do; community and village committees are self-governing bodies,
// whose questions the street or town answers.
func Takes(k org.Kind) bool {
	return k == org.KindDistrict || k == org.KindDepartment || k == org.KindStreet || k == org.KindTown
}

// Targets lists the orgs that take messages, in tree order.
func (s *Service) Targets(ctx context.Context) ([]org.Org, error) {
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	var out []org.Org
	for _, o := range all {
		if Takes(o.Kind) {
			out = append(out, o)
		}
	}
	return out, nil
}

// Limits on input.
const (
	MaxTitle   = 50
	MaxContact = 100
	MaxReply   = 5000
	MaxReason  = 500
	MaxRating  = 500
)

// clean trims a value and drops control characters other than newlines
// and tabs, so nothing invisible reaches a page, a reply or an export.
func clean(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\r' {
			return -1
		}
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, s))
}

func tooLong(fs *apperr.Fields, field, label, v string, max int) bool {
	if n := utf8.RuneCountInString(v); n > max {
		fs.Add(field, fmt.Sprintf("%s最多 %d 字（现为 %d 字）", label, max, n))
		return true
	}
	return false
}

// trackingAlphabet leaves out 0/O and 1/I/L, which are misread on paper
// (the alphabet of application tracking numbers and comment receipts).
const trackingAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newTrackingNo is LY-YYYY- plus 12 random characters (~59 bits): enough on
// its own to open the tracking page and rate the reply, and not guessable
// from another message's number.
func newTrackingNo(year int) string {
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = trackingAlphabet[int(b[i])%len(trackingAlphabet)]
	}
	return fmt.Sprintf("LY-%d-%s-%s", year, b[:6], b[6:])
}

func optDate(s string) workday.Date {
	d, _ := workday.ParseDate(s)
	return d
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func placeholders(args *[]any, vals []string) string {
	ph := make([]string, len(vals))
	for i, v := range vals {
		*args = append(*args, v)
		ph[i] = fmt.Sprintf("$%d", len(*args))
	}
	return strings.Join(ph, ", ")
}
