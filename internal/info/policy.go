package info

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/workday"
)

// validatePolicy checks the policy-library fields that need no lookup: an
// interpretation names its form and who answers for it; fields that do not
// apply to the genre are cleared so stale values never show.
func (s *Service) validatePolicy(_ context.Context, f *Fields, fs *apperr.Fields) {
	if f.Genre == GenreInterpretation {
		if f.InterpretsID == "" {
			fs.Add("interprets_id", "请选择所解读的政策文件")
		}
		if !slices.Contains(InterpForms, f.InterpForm) {
			fs.Add("interp_form", "请选择解读形式")
		}
		if f.InterpOrg == "" {
			fs.Add("interp_org", "解读机关不能为空")
		}
		if f.InterpDept == "" {
			fs.Add("interp_dept", "解读科室不能为空")
		}
		if f.InterpContact == "" {
			fs.Add("interp_contact", "联系方式不能为空")
		}
	} else {
		f.InterpretsID, f.InterpForm, f.InterpOrg, f.InterpDept, f.InterpContact = "", "", "", "", ""
	}
	if !IsPolicy(f.Genre) {
		f.InterpPlan, f.NoInterpReason = "", ""
	}
}

// checkSimultaneous is the 三同步 gate at submission: a 行政规范性文件 goes
// to review with its interpretation plan, or with the reason there is none.
func checkSimultaneous(r Record) error {
	if r.Genre == GenreNormative && r.InterpPlan == "" && r.NoInterpReason == "" {
		return apperr.Field("interp_plan", "行政规范性文件提交审核时须同时提交解读方案，或写明不作解读的理由（三同步）")
	}
	return nil
}

// logChange appends r to the change log, with the records whose public
// pages show r: an interpretation's policy, a policy's interpretations.
func (s *Service) logChange(ctx context.Context, tx *sql.Tx, now time.Time, r Record) error {
	ids := []string{r.ID}
	if r.InterpretsID != "" {
		ids = append(ids, r.InterpretsID)
	}
	if IsPolicy(r.Genre) {
		more, err := db.QueryStrings(ctx, tx, "SELECT id FROM info_records WHERE interprets_id = $1 AND status = 'published'", r.ID)
		if err != nil {
			return err
		}
		ids = append(ids, more...)
	}
	for _, id := range ids {
		org := r.OrgID
		if id != r.ID {
			if err := tx.QueryRowContext(ctx, "SELECT org_id FROM info_records WHERE id = $1", id).Scan(&org); err != nil {
				return err
			}
		}
		if _, err := changes.Append(ctx, tx, now, changes.Info, id, org); err != nil {
			return err
		}
	}
	return nil
}

// Interpretations returns the published interpretations of a policy,
// oldest first.
func (s *Service) Interpretations(ctx context.Context, policyID string) ([]Record, error) {
	return s.query(ctx, "WHERE interprets_id = $1 AND status = 'published' ORDER BY published_at, id", policyID)
}

func (s *Service) query(ctx context.Context, where string, args ...any) ([]Record, error) {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+recordCols+" FROM info_records "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DefaultInterpGrace is the default grace for publishing an interpretation
// after its policy: 0 working days, i.e. 同步发布 (the national wording).
// Many localities allow 3 (e.g. 郑州); it is a site setting.
const DefaultInterpGrace = 0

// InterpFlag is a policy whose interpretation is late or missing.
type InterpFlag struct {
	Policy Record
	Interp *Record // the first published interpretation; nil when none
	Kind   string  // "late" (published after the due day) or "missing" (none, and the due day has passed)
	Due    string  // the policy's publication day plus the grace, in working days
	LateBy int     // working days after Due (-1 when the calendar lacks a year)
}

// InterpretationFlags checks 三同步 publication for the published policies
// of orgIDs (nil = every org): each must have an interpretation published
// no later than grace working days after the policy, unless the policy
// records why it has none. The supervision checks call this.
func (s *Service) InterpretationFlags(ctx context.Context, orgIDs []string, grace int) ([]InterpFlag, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	today := workday.DateOf(s.now())
	var out []InterpFlag
	offset := 0
	for {
		recs, _, err := s.List(ctx, Filter{OrgIDs: orgIDs, Statuses: []string{StatusPublished}, Genres: PolicyGenres,
			Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, p := range recs {
			if p.NoInterpReason != "" {
				continue
			}
			published, err := workday.ParseDate(p.PublishedOn)
			if err != nil {
				continue
			}
			due, err := cal.AddWorkdays(published, grace)
			lateBy := func(d workday.Date) int {
				if err != nil {
					return -1
				}
				n, err := cal.WorkdaysBetween(due, d)
				if err != nil {
					return -1
				}
				return n
			}
			interps, qerr := s.Interpretations(ctx, p.ID)
			if qerr != nil {
				return nil, qerr
			}
			f := InterpFlag{Policy: p}
			if err == nil {
				f.Due = due.String()
			}
			switch {
			case len(interps) == 0:
				if err == nil && today.After(due) {
					f.Kind, f.LateBy = "missing", lateBy(today)
					out = append(out, f)
				}
			default:
				first := interps[0]
				d, perr := workday.ParseDate(first.PublishedOn)
				if perr == nil && err == nil && d.After(due) {
					f.Kind, f.Interp, f.LateBy = "late", &first, lateBy(d)
					out = append(out, f)
				}
			}
		}
		if len(recs) < 200 {
			return out, nil
		}
		offset += 200
	}
}
