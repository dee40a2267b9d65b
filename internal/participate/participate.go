// Package participate owns 公众参与: solicitations of opinions on drafts
// (征求意见) with their comments, moderation and adoption report (采纳情况),
// and the annual catalog of major administrative decisions (重大行政决策
// 事项目录) that links each decision's stages (第713号令).
//
// A solicitation is a draft → published → reported record. While published
// its portal stage follows the calendar: 意见征集中 from the start day to the
// end day (inclusive), then 意见处理中 until the adoption report is
// published (采纳情况已公布). A major decision needs a period of at least 30
// calendar days (第十五条) unless a shortening reason is recorded, which the
// portal publishes with it.
//
// Citizens comment without an account. What they write is stored as
// submitted (for staff) and, separately, with personal information masked
// (privacy.Scan plus the name and contact they gave): only the masked text is
// ever shown. Comments are moderated before they appear unless the district
// chose post-moderation (package moderation), every rejection names a reason
// from the published list, and duplicates are counted and shown once.
package participate

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// Service is the participation capability.
type Service struct {
	DB   *db.DB
	Orgs *org.Service
	// Calendar is the working-day calendar in force; it reports the
	// legality review's working days (第二十六条). Nil: not reported.
	Calendar func(context.Context) (*workday.Calendar, error)
	// Guard holds the rate limiters of the comment form (nil: a private one).
	Guard *moderation.Guard
	Now   func() time.Time
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

// allowed answers NotFound when p may not use perm in orgID: unpublished
// things look absent to whoever may not see them.
func (s *Service) allowed(ctx context.Context, p *org.Principal, perm org.Permission, orgID, what string) error {
	ok, err := s.Orgs.Allowed(ctx, p, perm, orgID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFoundf("%s不存在或无权查看", what)
	}
	return nil
}

// can answers Forbidden: the object is visible (checked before), the action
// is not permitted.
func (s *Service) can(ctx context.Context, p *org.Principal, perm org.Permission, orgID, msg string) error {
	ok, err := s.Orgs.Allowed(ctx, p, perm, orgID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Forbidden, msg)
	}
	return nil
}

// clean trims a value and drops control characters other than newlines
// and tabs, so nothing invisible reaches a page or an export.
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

func tooLong(fs *apperr.Fields, field, label, v string, max int) {
	if n := utf8.RuneCountInString(v); n > max {
		fs.Add(field, fmt.Sprintf("%s最多 %d 字（现为 %d 字）", label, max, n))
	}
}

func parseDay(fs *apperr.Fields, field, label, v string, required bool) workday.Date {
	if v == "" {
		if required {
			fs.Add(field, label+"不能为空")
		}
		return workday.Date{}
	}
	d, err := workday.ParseDate(v)
	if err != nil {
		fs.Add(field, label+"应为 YYYY-MM-DD 格式的日期")
	}
	return d
}

func optDate(s string) workday.Date {
	d, _ := workday.ParseDate(s)
	return d
}

// daysBetween counts calendar days from a to b (b − a).
func daysBetween(a, b workday.Date) int {
	return int(b.Time().Sub(a.Time()).Hours()+12) / 24
}

// receiptAlphabet leaves out 0/O and 1/I/L, which are misread on paper.
const receiptAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newReceiptNo is YJ-YYYY- plus 12 random characters (~59 bits): the
// commenter's only key to the comment's status, not guessable from another.
func newReceiptNo(year int) string {
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = receiptAlphabet[int(b[i])%len(receiptAlphabet)]
	}
	return fmt.Sprintf("YJ-%d-%s-%s", year, b[:6], b[6:])
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// cst is China Standard Time, in which exports show times.
var cst = time.FixedZone("CST", 8*3600)
