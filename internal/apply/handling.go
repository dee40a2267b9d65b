package apply

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// The steps after the reply (送达, 归档), the handler of a case, its files,
// and the review and litigation it led to. Each step is an evidence-chain
// event naming the case; file events carry the file's SHA-256.

// update runs fn in a transaction against a case loaded inside it, so the
// checks fn makes see the row it changes.
func (s *Service) update(ctx context.Context, p *org.Principal, id string, perm org.Permission,
	fn func(tx *sql.Tx, c Case, now time.Time) error) (Case, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return Case{}, err
	}
	if ok, err := s.Orgs.Allowed(ctx, p, perm, c.OrgID); err != nil {
		return Case{}, err
	} else if !ok {
		return Case{}, apperr.New(apperr.Forbidden, "没有办理该申请的权限")
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(tx, c, now)
	})
	if err != nil {
		return Case{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// Assign makes userID the case's handler (承办人), who gets its reminders.
// The new handler must be an active account that may handle applications
// in the case's org.
func (s *Service) Assign(ctx context.Context, p *org.Principal, ip, id, userID string) (Case, error) {
	return s.update(ctx, p, id, org.PermApplyHandle, func(tx *sql.Tx, c Case, now time.Time) error {
		if c.Status != StatusUnconfirmed && c.Status != StatusHandling {
			return apperr.New(apperr.Conflict, "申请"+StatusLabels[c.Status]+"，不能再指定承办人")
		}
		u, err := s.Orgs.GetUser(ctx, userID)
		if apperr.Is(err, apperr.NotFound) || userID == "" {
			return apperr.Field("handler", "请选择承办人")
		} else if err != nil {
			return err
		}
		grants, err := s.Orgs.Grants(ctx, u.ID)
		if err != nil {
			return err
		}
		ok, err := s.Orgs.Allowed(ctx, &org.Principal{User: u, Grants: grants}, org.PermApplyHandle, c.OrgID)
		if err != nil {
			return err
		}
		if u.Disabled || !ok {
			return apperr.Field("handler", u.DisplayName+"不能办理本机关的政府信息公开申请")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE apply_cases SET handler_id = $2, updated_at = $3 WHERE id = $1",
			c.ID, u.ID, db.Time(now)); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: "apply.assign",
			ObjectType: "apply", ObjectID: c.ID, Summary: "申请 " + c.TrackingNo + " 由" + u.DisplayName + "承办",
			Before: map[string]any{"handler_id": c.HandlerID}, After: map[string]any{"handler_id": u.ID}})
		return err
	})
}

// DeliveryMethods are the ways a reply reaches the applicant.
var DeliveryMethods = []string{"邮寄（挂号/EMS）", "电子邮件", "当面领取", "网上送达（查询页）", "传真", "留置送达"}

// RecordDelivery records how and when the reply was delivered (送达), the
// step a court asks about first. A proof (a postal receipt scan, the
// e-mail sent) may be attached with AddFile.
func (s *Service) RecordDelivery(ctx context.Context, p *org.Principal, ip, id string, d DeliveryRecord) (Case, error) {
	d.Method, d.Note, d.On = strings.TrimSpace(d.Method), strings.TrimSpace(d.Note), strings.TrimSpace(d.On)
	return s.update(ctx, p, id, org.PermApplyHandle, func(tx *sql.Tx, c Case, now time.Time) error {
		if c.Status != StatusClosed {
			return apperr.New(apperr.Conflict, "只有已答复、未归档的申请可以登记送达")
		}
		var fs apperr.Fields
		if !oneOf(d.Method, DeliveryMethods, func(x string) string { return x }) {
			fs.Add("delivery_method", "请选择送达方式")
		}
		if utf8.RuneCountInString(d.Note) > 500 {
			fs.Add("delivery_note", "送达说明最多 500 字")
		}
		on, err := workday.ParseDate(d.On)
		switch {
		case err != nil:
			fs.Add("delivered_on", "送达日期应为 YYYY-MM-DD 格式")
		case on.Before(optDate(c.RepliedOn)):
			fs.Add("delivered_on", "送达日期不能早于答复日期 "+c.RepliedOn)
		case on.After(workday.DateOf(now)):
			fs.Add("delivered_on", "送达日期不能晚于今天")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE apply_cases SET delivered_on = $2, delivery_method = $3, delivery_note = $4,
			updated_at = $5 WHERE id = $1`, c.ID, d.On, d.Method, d.Note, db.Time(now)); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: "apply.deliver",
			ObjectType: "apply", ObjectID: c.ID, Summary: "送达答复 " + c.TrackingNo + "（" + d.Method + "，" + d.On + "）",
			Before: map[string]any{"delivered_on": c.Delivered.On, "method": c.Delivered.Method},
			After:  map[string]any{"delivered_on": d.On, "method": d.Method, "note": d.Note}})
		return err
	})
}

// Archive closes the loop (第四十五条: 登记、审核、办理、答复、归档). A
// replied case needs its delivery recorded first; a case closed because the
// applicant let a deadline lapse has no reply to deliver.
func (s *Service) Archive(ctx context.Context, p *org.Principal, ip, id, archiveNo string) (Case, error) {
	archiveNo = strings.TrimSpace(archiveNo)
	return s.update(ctx, p, id, org.PermApplyHandle, func(tx *sql.Tx, c Case, now time.Time) error {
		if c.Status != StatusClosed {
			return apperr.New(apperr.Conflict, "只有已办结的申请可以归档")
		}
		lapsed := c.Outcome == "other_no_correction" || c.Outcome == "other_no_payment"
		if c.Delivered.On == "" && !lapsed {
			return apperr.Field("archive_no", "请先登记答复的送达情况，再归档")
		}
		if utf8.RuneCountInString(archiveNo) > 60 {
			return apperr.Field("archive_no", "档号最多 60 个字符")
		}
		today := workday.DateOf(now).String()
		if _, err := tx.ExecContext(ctx, `UPDATE apply_cases SET status = 'archived', archived_on = $2, archive_no = $3,
			updated_at = $4 WHERE id = $1 AND status = 'closed'`, c.ID, today, archiveNo, db.Time(now)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: "apply.archive",
			ObjectType: "apply", ObjectID: c.ID, Summary: "归档申请 " + c.TrackingNo + strings.TrimSuffix("（档号 "+archiveNo+"）", "（档号 ）")})
		return err
	})
}

// Files of a case.
const (
	FileIdentity = "identity" // 身份证明, sent with the application
	FileProof    = "proof"    // 送达凭证
)

// MaxFile bounds one file; MaxIdentityFiles the identity files of one case.
const (
	MaxFile          = 10 << 20
	MaxIdentityFiles = 3
)

// File is a stored file's metadata.
type File struct {
	ID, CaseID, Kind, Name, ContentType, SHA256, ActorName string
	Size                                                   int64
	At                                                     time.Time
}

// Upload is a file as received.
type Upload struct {
	Name string
	Data []byte
}

// fileType accepts images and PDF only, judged by content, not by name: an
// identity document or a postal receipt is a scan or a photo.
func fileType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	}
	return ""
}

// checkUpload validates one file; field names the form field for messages.
func checkUpload(u *Upload, field string) (string, error) {
	u.Name = strings.TrimSpace(path.Base(strings.ReplaceAll(u.Name, "\\", "/")))
	if u.Name == "" || u.Name == "." || u.Name == "/" {
		u.Name = "未命名文件"
	}
	if utf8.RuneCountInString(u.Name) > 120 {
		return "", apperr.Field(field, "文件名最多 120 个字")
	}
	if len(u.Data) == 0 {
		return "", apperr.Field(field, "文件“"+u.Name+"”是空的")
	}
	if len(u.Data) > MaxFile {
		return "", apperr.Field(field, fmt.Sprintf("文件“%s”超过 %d MB", u.Name, MaxFile>>20))
	}
	ct := fileType(u.Data)
	if ct == "" {
		return "", apperr.Field(field, "文件“"+u.Name+"”不是图片（JPG、PNG）或 PDF")
	}
	return ct, nil
}

func (s *Service) insertFile(ctx context.Context, tx db.Querier, caseID, kind, ct string, u Upload, actor string, now time.Time) (File, error) {
	sum := sha256.Sum256(u.Data)
	f := File{ID: db.NewID(), CaseID: caseID, Kind: kind, Name: u.Name, ContentType: ct, SHA256: hex.EncodeToString(sum[:]),
		Size: int64(len(u.Data)), ActorName: actor, At: now}
	_, err := tx.ExecContext(ctx, `INSERT INTO apply_files (id, case_id, kind, name, content_type, size, sha256, data, actor_name, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, f.ID, caseID, kind, f.Name, ct, f.Size, f.SHA256, u.Data, actor, db.Time(now))
	return f, err
}

// AddFile stores an identity document (brought to the counter, or sent
// later) or a proof of delivery for a case.
func (s *Service) AddFile(ctx context.Context, p *org.Principal, ip, id, kind string, u Upload) (File, error) {
	label := map[string]string{FileIdentity: "身份证明", FileProof: "送达凭证"}[kind]
	if label == "" {
		return File{}, apperr.Field("kind", "未知的文件类别")
	}
	ct, err := checkUpload(&u, "file")
	if err != nil {
		return File{}, err
	}
	var f File
	_, err = s.update(ctx, p, id, org.PermApplyHandle, func(tx *sql.Tx, c Case, now time.Time) error {
		if kind == FileProof && c.Status != StatusClosed && c.Status != StatusArchived {
			return apperr.New(apperr.Conflict, "答复之后才能上传送达凭证")
		}
		if c.Status == StatusArchived {
			return apperr.New(apperr.Conflict, "申请已归档，不能再添加文件")
		}
		actor := p.Actor(ip)
		if f, err = s.insertFile(ctx, tx, c.ID, kind, ct, u, actor.Name, now); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: c.OrgID, Action: "apply.file",
			ObjectType: "apply", ObjectID: c.ID, Summary: "申请 " + c.TrackingNo + " 添加" + label,
			After: map[string]any{"file_id": f.ID, "kind": kind, "sha256": f.SHA256, "size": f.Size}})
		return err
	})
	return f, err
}

// Files lists a case's files (metadata only) for its handling org's staff.
func (s *Service) Files(ctx context.Context, p *org.Principal, id string) ([]File, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, case_id, kind, name, content_type, size, sha256, actor_name, at
		FROM apply_files WHERE case_id = $1 ORDER BY at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		var f File
		var at string
		if err := rows.Scan(&f.ID, &f.CaseID, &f.Kind, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.ActorName, &at); err != nil {
			return nil, err
		}
		f.At = db.MustTime(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

// FileData returns one file of a case, for its handling org's staff only
// (Get checks); anyone else gets the same NotFound as a missing file.
func (s *Service) FileData(ctx context.Context, p *org.Principal, caseID, fileID string) (File, []byte, error) {
	if _, err := s.Get(ctx, p, caseID); err != nil {
		return File{}, nil, err
	}
	var f File
	var at string
	var data []byte
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, case_id, kind, name, content_type, size, sha256, actor_name, at, data
		FROM apply_files WHERE case_id = $1 AND id = $2`, caseID, fileID).Scan(&f.ID, &f.CaseID, &f.Kind, &f.Name,
		&f.ContentType, &f.Size, &f.SHA256, &f.ActorName, &at, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, nil, apperr.NotFoundf("文件不存在")
	}
	if err != nil {
		return File{}, nil, err
	}
	f.At = db.MustTime(at)
	return f, data, nil
}

// MarkProactive records that the information a case asked for is to be
// disclosed proactively (第四十四条: several applicants asked for the same
// information), naming the draft record made for it.
func (s *Service) MarkProactive(ctx context.Context, p *org.Principal, ip, id, infoID string) (Case, error) {
	return s.update(ctx, p, id, org.PermApplyHandle, func(tx *sql.Tx, c Case, now time.Time) error {
		if c.ProactiveInfoID != "" {
			return apperr.New(apperr.Conflict, "该申请所涉信息已纳入主动公开")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE apply_cases SET proactive_info_id = $2, updated_at = $3 WHERE id = $1",
			c.ID, infoID, db.Time(now)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: "apply.proactive",
			ObjectType: "apply", ObjectID: c.ID, Summary: "申请 " + c.TrackingNo + " 所涉信息纳入主动公开（第四十四条），已建草稿",
			After: map[string]any{"info_id": infoID}})
		return err
	})
}

// CanProactive reports whether a case's information may be brought into
// proactive disclosure: it was (partly) disclosed to the applicant.
func CanProactive(c Case) bool {
	o, ok := OutcomeByCode(c.Outcome)
	return ok && (o.Group == GroupDisclose || o.Group == GroupPartial) && c.ProactiveInfoID == ""
}

// FeeInput is a fee notice as staff fill it in: one method per application
// (国办函〔2020〕109号 第三条).
type FeeInput struct {
	On     string
	Method FeeMethod
	Prior  int // 按件: the applicant's items earlier in the same calendar month
	Units  int // 按件: items in this application; 按量: pages
}

// NoticeFee computes the fee with the configured schedule and records the
// fee notice (which pauses the clock while the applicant pays, see
// Rules.FeePausesClock) with its letter.
func (s *Service) NoticeFee(ctx context.Context, p *org.Principal, ip, id string, in FeeInput) (Case, error) {
	d, err := workday.ParseDate(strings.TrimSpace(in.On))
	if err != nil {
		return Case{}, apperr.Field("on", "收费通知日期应为 YYYY-MM-DD 格式")
	}
	sched := DefaultFeeSchedule()
	if s.Fees != nil {
		sched = *s.Fees
	}
	var fee Fee
	switch in.Method {
	case FeePerItem:
		fee, err = sched.PerItem(in.Prior, in.Units)
	case FeePerVolume:
		fee, err = sched.PerVolume(in.Units)
	default:
		return Case{}, apperr.Field("fee_method", "请选择按件计收或按量计收（每件申请只能选一种）")
	}
	if err != nil {
		return Case{}, err
	}
	if fee.Amount == 0 {
		return Case{}, apperr.Field("units", "按此数量不收费（"+fee.Explain()+"），无需发出收费通知")
	}
	return s.record(ctx, p, ip, id, ClockEvent{Kind: EvFeeNotice, On: d}, fee.Explain(), fee)
}

// PriorInMonth counts the applications the same applicant (same name and,
// when given, the same identity document number) made to the case's org
// earlier in the calendar month of its receipt: the 按件计收 starting point.
// Staff see it as a suggestion; an applicant may file under other names.
func (s *Service) PriorInMonth(ctx context.Context, c Case) (int, error) {
	day := c.ReceivedOn
	if day == "" {
		day = c.SubmittedOn
	}
	if len(day) < 8 {
		return 0, nil
	}
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM apply_cases WHERE org_id = $1 AND applicant_name = $2
		AND ($3 = '' OR id_doc_no = $3) AND id <> $4 AND received_on >= $5 AND received_on < $6
		AND (received_on < $7 OR (received_on = $7 AND (created_at < $8 OR (created_at = $8 AND id < $4))))`,
		c.OrgID, c.ApplicantName, c.IDDocNo, c.ID, day[:8]+"01", day[:8]+"32", day, db.Time(c.CreatedAt)).Scan(&n)
	return n, err
}
