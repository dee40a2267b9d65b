package info

import (
	"context"
	"database/sql"
	"fmt"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"

	"gongkai.dev/gongkai/internal/privacy"
	"gongkai.dev/gongkai/internal/workday"
)

// ScreenFinding is a privacy finding with where in the record it is.
type ScreenFinding struct {
	Where string // 标题, 文号, 内容概述, 正文, or 附件「name」
	privacy.Finding
}

// HighCount counts findings that block approval without a legal ground.
func HighCount(fs []ScreenFinding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == privacy.High {
			n++
		}
	}
	return n
}

// Screen looks for personal information and classification markings in a
// record's text and attachments. It runs at submission and at every
// review step (the content is re-read each time, never cached).
func (s *Service) Screen(ctx context.Context, r Record) ([]ScreenFinding, error) {
	var out []ScreenFinding
	add := func(where string, fs []privacy.Finding) {
		for _, f := range fs {
			out = append(out, ScreenFinding{Where: where, Finding: f})
		}
	}
	add("标题", privacy.Scan(r.Title))
	add("文号", privacy.Scan(r.DocNo))
	add("内容概述", privacy.Scan(r.Summary))
	add("正文", privacy.Scan(PlainText(r.Body)))
	atts, err := s.Attachments(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		_, data, err := s.AttachmentData(ctx, r.ID, a.Hash)
		if err != nil {
			return nil, err
		}
		fs, err := privacy.ScanFile(a.Name, data)
		if err != nil {
			continue // images and zips have no text to read; their names were checked on upload
		}
		add("附件「"+a.Name+"」", fs)
	}
	return out, nil
}

// SweepItem is a published record that needs attention.
type SweepItem struct {
	Record   Record
	Findings []ScreenFinding
	Expired  bool // past 有效期 yet still marked 现行有效
}

// Sweep checks everything published by the given orgs (nil = all): the
// 敏感信息专项整治 and 谁公开谁清理 work.
func (s *Service) Sweep(ctx context.Context, orgIDs []string) ([]SweepItem, error) {
	today := workday.DateOf(s.now()).String()
	var out []SweepItem
	for offset := 0; ; offset += 200 {
		recs, _, err := s.List(ctx, Filter{OrgIDs: orgIDs, Statuses: []string{StatusPublished}, Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			fs, err := s.Screen(ctx, r)
			if err != nil {
				return nil, err
			}
			expired := r.Validity == ValidCurrent && r.ValidUntil != "" && r.ValidUntil < today
			if len(fs) > 0 || expired {
				out = append(out, SweepItem{Record: r, Findings: fs, Expired: expired})
			}
		}
		if len(recs) < 200 {
			return out, nil
		}
	}
}

// MaskPersonalData replaces personal data found in a draft's title,
// summary and body with masked forms (110105********123X, 138****5678)
// and returns how many it masked. Classification markings are left: they
// mean the record must not be published, which masking cannot fix, and
// attachments must be replaced by a redacted file.
func (s *Service) MaskPersonalData(ctx context.Context, p *org.Principal, ip, id string) (int, error) {
	n := 0
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Status != StatusDraft {
			return apperr.New(apperr.Conflict, "只有草稿可以脱敏修改")
		}
		mask := func(text string) string {
			var fs []privacy.Finding
			for _, f := range privacy.Scan(text) {
				if f.Kind != privacy.KindSecretMarking {
					fs = append(fs, f)
				}
			}
			n += len(fs)
			return privacy.Mask(text, fs)
		}
		title, summary, body := mask(r.Title), mask(r.Summary), mask(r.Body)
		if n == 0 {
			return nil
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE info_records SET title = $1, summary = $2, body = $3, updated_at = $4 WHERE id = $5",
			title, summary, body, db.Time(now), id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: r.OrgID, Action: "info.mask",
			ObjectType: "info", ObjectID: id, Summary: fmt.Sprintf("《%s》一键脱敏 %d 处个人信息", title, n)})
		return err
	})
	return n, err
}
