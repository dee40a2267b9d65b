package info

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
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/privacy"
)

// MaxAttachment is the largest attachment accepted.
const MaxAttachment = 20 << 20

// attachmentTypes maps an extension to its content type and the content
// detection it must pass: a file is what its content says, not its name.
var attachmentTypes = map[string]struct{ mime, kind string }{
	".pdf":  {"application/pdf", "pdf"},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
	".csv":  {"text/csv; charset=utf-8", "text"},
	".txt":  {"text/plain; charset=utf-8", "text"},
	".jpg":  {"image/jpeg", "jpeg"},
	".jpeg": {"image/jpeg", "jpeg"},
	".png":  {"image/png", "png"},
	".zip":  {"application/zip", "zip"},
}

// AllowedExtensions lists accepted attachment extensions for messages.
func AllowedExtensions() string { return ".pdf、.docx、.xlsx、.csv、.txt、.jpg、.png、.zip" }

func contentKind(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	}
	return privacy.DetectType(data)
}

// AddAttachment stores a file for a draft. Identical content is stored once.
func (s *Service) AddAttachment(ctx context.Context, p *org.Principal, ip, id, name string, data []byte) (Attachment, error) {
	name = strings.TrimSpace(path.Base(strings.ReplaceAll(name, "\\", "/")))
	ext := strings.ToLower(path.Ext(name))
	t, ok := attachmentTypes[ext]
	switch {
	case name == "" || name == "." || utf8.RuneCountInString(name) > 120:
		return Attachment{}, apperr.Field("file", "文件名为空或超过 120 个字")
	case !ok:
		return Attachment{}, apperr.Field("file", "不支持的附件类型 "+ext+"，可上传 "+AllowedExtensions())
	case len(data) == 0:
		return Attachment{}, apperr.Field("file", "文件是空的")
	case len(data) > MaxAttachment:
		return Attachment{}, apperr.Field("file", fmt.Sprintf("附件不能超过 %d MB", MaxAttachment>>20))
	}
	if got := contentKind(data); got != t.kind && !(t.kind == "zip" && (got == "docx" || got == "xlsx")) {
		return Attachment{}, apperr.Field("file", fmt.Sprintf("文件内容与扩展名 %s 不符，请确认文件未损坏、未被改名", ext))
	}
	sum := sha256.Sum256(data)
	a := Attachment{Hash: hex.EncodeToString(sum[:]), Name: name, Size: int64(len(data)), ContentType: t.mime}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Status != StatusDraft {
			return apperr.New(apperr.Conflict, "只有草稿可以添加附件")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (hash, size, content_type, data, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (hash) DO NOTHING`, a.Hash, a.Size, a.ContentType, data, db.Time(now)); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM info_attachments WHERE record_id = $1", id).Scan(&n); err != nil {
			return err
		}
		if n >= 30 {
			return apperr.Field("file", "每条信息最多 30 个附件")
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO info_attachments (record_id, hash, name, size, content_type, sort) VALUES ($1, $2, $3, $4, $5, $6)",
			id, a.Hash, a.Name, a.Size, a.ContentType, n+1)
		if db.IsUniqueViolation(err) {
			return apperr.Field("file", "这个文件已经是本条信息的附件")
		}
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: r.OrgID, Action: "info.attach",
			ObjectType: "info", ObjectID: id, Summary: fmt.Sprintf("《%s》添加附件 %s", r.Title, name),
			After: map[string]any{"hash": a.Hash, "name": name, "size": a.Size}})
		return err
	})
	return a, err
}

// RemoveAttachment detaches a file from a draft (the blob stays: other
// records may share it, and the evidence chain names its hash).
func (s *Service) RemoveAttachment(ctx context.Context, p *org.Principal, ip, id, hash string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Status != StatusDraft {
			return apperr.New(apperr.Conflict, "只有草稿可以删除附件")
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM info_attachments WHERE record_id = $1 AND hash = $2", id, hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("附件不存在")
		}
		_, err = audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(ip), OrgID: r.OrgID, Action: "info.detach",
			ObjectType: "info", ObjectID: id, Summary: fmt.Sprintf("《%s》删除附件", r.Title), Before: map[string]string{"hash": hash}})
		return err
	})
}

// Attachments lists a record's files in order.
func (s *Service) Attachments(ctx context.Context, id string) ([]Attachment, error) {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT hash, name, size, content_type FROM info_attachments WHERE record_id = $1 ORDER BY sort", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.Hash, &a.Name, &a.Size, &a.ContentType); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AttachmentData returns a record's file by hash.
func (s *Service) AttachmentData(ctx context.Context, id, hash string) (Attachment, []byte, error) {
	var a Attachment
	var data []byte
	err := s.DB.R.QueryRowContext(ctx, `SELECT a.hash, a.name, a.size, a.content_type, b.data FROM info_attachments a
		JOIN blobs b ON b.hash = a.hash WHERE a.record_id = $1 AND a.hash = $2`, id, hash).Scan(&a.Hash, &a.Name, &a.Size, &a.ContentType, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, apperr.NotFoundf("附件不存在")
	}
	return a, data, err
}
