package board

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/db"
)

// Public is a published message as the portal shows it: the masked texts
// and the facts the rules ask for (受理日期、答复日期、答复部门、答复内容).
// No name, contact, address or unmasked text can reach a page through it.
type Public struct {
	ID          string
	Category    string
	OrgID       string // 答复部门
	Title       string
	Body        string
	Reply       string
	ReceivedOn  string // 留言日期
	AcceptedOn  string // 受理日期
	RepliedOn   string // 答复日期
	Rating      string
	PublishedAt time.Time
}

// CategoryLabel is the category in Chinese.
func (p Public) CategoryLabel() string { return CategoryLabel(p.Category) }

// Excerpt is the reply's first n characters on one line, for lists.
func (p Public) Excerpt(n int) string { return truncate(strings.Join(strings.Fields(p.Reply), " "), n) }

// RatingLabel is the writer's rating in Chinese ("" when not rated).
func (p Public) RatingLabel() string { return RatingLabels[p.Rating] }

const publicCols = `id, category, COALESCE(reply_org_id, org_id), public_title, public_body, public_reply, received_on, accepted_on,
	responded_on, rating, published_at`

func scanPublic(row interface{ Scan(...any) error }) (Public, error) {
	var p Public
	var at string
	err := row.Scan(&p.ID, &p.Category, &p.OrgID, &p.Title, &p.Body, &p.Reply, &p.ReceivedOn, &p.AcceptedOn, &p.RepliedOn,
		&p.Rating, &at)
	if err == nil {
		p.PublishedAt = db.MustTime(at)
	}
	return p, err
}

// PublicFilter selects the public list.
type PublicFilter struct {
	OrgID    string
	Category string
	Limit    int
	Offset   int
}

// PublicList returns published messages, newest reply first, and the total.
func (s *Service) PublicList(ctx context.Context, f PublicFilter) ([]Public, int, error) {
	where := "published_at <> '' AND status = 'replied'"
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.OrgID != "" {
		where += " AND COALESCE(reply_org_id, org_id) = " + arg(f.OrgID)
	}
	if f.Category != "" {
		where += " AND category = " + arg(f.Category)
	}
	var total int
	if err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM board_messages WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+publicCols+" FROM board_messages WHERE "+where+
		" ORDER BY responded_on DESC, published_at DESC, id DESC LIMIT "+arg(f.Limit)+" OFFSET "+arg(f.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Public
	for rows.Next() {
		p, err := scanPublic(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// PublicMessage returns one published message; anything else is NotFound.
func (s *Service) PublicMessage(ctx context.Context, id string) (Public, error) {
	p, err := scanPublic(s.DB.R.QueryRowContext(ctx, "SELECT "+publicCols+
		" FROM board_messages WHERE id = $1 AND published_at <> '' AND status = 'replied'", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFoundf("留言不存在或未公开")
	}
	return p, err
}

// Stat is one org's (or the total's) figures for a month.
//
//   - Received: valid messages (not rejected as invalid) received in the
//     month, counted for the org holding them now (a transferred message
//     counts where it was answered, as in the annual report).
//   - Replied: messages responded to (reply or referral) in the month.
//   - OnTime: of those, responded on or before the due day.
//   - AvgDays: their mean working days from receipt to response (receipt
//     day not counted), in tenths, so sums stay exact; Timed is how many
//     went into it (a year without calendar data leaves a message out).
//   - Satisfied/Basic/Unsatisfied: the writers' ratings of the replies
//     given in the month. The satisfaction rate is (满意 + 基本满意) / rated.
type Stat struct {
	OrgID                         string
	Received, Replied, OnTime     int
	Timed, TotalDays              int
	Satisfied, Basic, Unsatisfied int
	Unanswered                    int // open messages received in the month, as of today
}

// Rated is how many replies of the month were rated.
func (s Stat) Rated() int { return s.Satisfied + s.Basic + s.Unsatisfied }

// AvgDays is the mean working days to respond, one decimal ("—" when none).
func (s Stat) AvgDays() string {
	if s.Timed == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(s.TotalDays)/float64(s.Timed), 'f', 1, 64)
}

// OnTimeRate is OnTime / Replied as a percentage ("—" when none).
func (s Stat) OnTimeRate() string { return percent(s.OnTime, s.Replied) }

// SatisfactionRate is (满意 + 基本满意) / rated as a percentage.
func (s Stat) SatisfactionRate() string { return percent(s.Satisfied+s.Basic, s.Rated()) }

func percent(n, d int) string {
	if d == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(n)*100/float64(d), 'f', 1, 64) + "%"
}

func (s *Stat) add(o Stat) {
	s.Received += o.Received
	s.Replied += o.Replied
	s.OnTime += o.OnTime
	s.Timed += o.Timed
	s.TotalDays += o.TotalDays
	s.Satisfied += o.Satisfied
	s.Basic += o.Basic
	s.Unsatisfied += o.Unsatisfied
	s.Unanswered += o.Unanswered
}

// MonthStats are the figures of a month per org (orgs with any activity,
// in tree order) and their total.
type MonthStats struct {
	Year  int
	Month time.Month
	Orgs  []Stat
	Total Stat
}

// Label is "2026年10月".
func (m MonthStats) Label() string { return fmt.Sprintf("%d年%d月", m.Year, int(m.Month)) }

// Stats computes the public statistics of every month of year up to
// today's month (nothing for a year not begun), newest month first.
func (s *Service) Stats(ctx context.Context, year int) ([]MonthStats, error) {
	today := s.Today()
	if year > today.Year || year < 2000 {
		return nil, nil
	}
	first, last := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+messageCols+` FROM board_messages WHERE status <> 'invalid'
		AND ((received_on >= $1 AND received_on <= $2) OR (responded_on >= $1 AND responded_on <= $2))`, first, last)
	if err != nil {
		return nil, err
	}
	var ms []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ms = append(ms, m)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	months := 12
	if year == today.Year {
		months = int(today.Month)
	}
	per := make([]map[string]*Stat, months+1)
	for i := range per {
		per[i] = map[string]*Stat{}
	}
	get := func(month int, orgID string) *Stat {
		st, ok := per[month][orgID]
		if !ok {
			st = &Stat{OrgID: orgID}
			per[month][orgID] = st
		}
		return st
	}
	for _, m := range ms {
		received := optDate(m.ReceivedOn)
		if received.Year == year && int(received.Month) <= months {
			st := get(int(received.Month), m.OrgID)
			st.Received++
			if Open(m.Status) {
				st.Unanswered++
			}
		}
		if m.RespondedOn == "" {
			continue
		}
		responded := optDate(m.RespondedOn)
		if responded.Year != year || int(responded.Month) > months {
			continue
		}
		org := m.ReplyOrgID
		if org == "" {
			org = m.OrgID
		}
		st := get(int(responded.Month), org)
		st.Replied++
		if c, err := Compute(cal, m, today, 0); err == nil {
			st.Timed++
			st.TotalDays += c.Taken
			if c.OnTime {
				st.OnTime++
			}
		}
		switch m.Rating {
		case RateSatisfied:
			st.Satisfied++
		case RateBasic:
			st.Basic++
		case RateUnsatisfied:
			st.Unsatisfied++
		}
	}
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	var out []MonthStats
	for month := months; month >= 1; month-- {
		ms := MonthStats{Year: year, Month: time.Month(month)}
		for _, o := range all {
			if st, ok := per[month][o.ID]; ok {
				ms.Orgs = append(ms.Orgs, *st)
				ms.Total.add(*st)
			}
		}
		out = append(out, ms)
	}
	return out, nil
}

// StatsYears lists the years with messages, newest first, for the
// statistics page's year links.
func (s *Service) StatsYears(ctx context.Context) ([]int, error) {
	firsts, err := db.QueryStrings(ctx, s.DB.R, "SELECT COALESCE(MIN(received_on), '') FROM board_messages")
	if err != nil {
		return nil, err
	}
	today := s.Today()
	start := today.Year
	if len(firsts) == 1 && len(firsts[0]) >= 4 {
		if y, err := strconv.Atoi(firsts[0][:4]); err == nil && y < start {
			start = y
		}
	}
	var out []int
	for y := today.Year; y >= start; y-- {
		out = append(out, y)
	}
	return out, nil
}
