package info

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/db"
)

// CheckFile validates a file for another capability's attachments by the
// same rules as a record's (name, MaxAttachment, content matching the
// extension), limited to the extensions given (".pdf", ".docx", …; none:
// every attachment type). The error names field.
func CheckFile(field, name string, data []byte, exts ...string) (Attachment, error) {
	name = strings.TrimSpace(path.Base(strings.ReplaceAll(name, "\\", "/")))
	ext := strings.ToLower(path.Ext(name))
	t, ok := attachmentTypes[ext]
	allowed := AllowedExtensions()
	if len(exts) > 0 {
		allowed = strings.Join(exts, "、")
		found := false
		for _, e := range exts {
			found = found || e == ext
		}
		ok = ok && found
	}
	switch {
	case name == "" || name == "." || utf8.RuneCountInString(name) > 120:
		return Attachment{}, apperr.Field(field, "文件名为空或超过 120 个字")
	case !ok:
		return Attachment{}, apperr.Field(field, "不支持的文件类型 "+ext+"，可上传 "+allowed)
	case len(data) == 0:
		return Attachment{}, apperr.Field(field, "文件是空的")
	case len(data) > MaxAttachment:
		return Attachment{}, apperr.Field(field, fmt.Sprintf("文件不能超过 %d MB", MaxAttachment>>20))
	}
	if got := contentKind(data); got != t.kind && !(t.kind == "zip" && (got == "docx" || got == "xlsx")) {
		return Attachment{}, apperr.Field(field, fmt.Sprintf("文件内容与扩展名 %s 不符，请确认文件未损坏、未被改名", ext))
	}
	sum := sha256.Sum256(data)
	return Attachment{Hash: hex.EncodeToString(sum[:]), Name: name, Size: int64(len(data)), ContentType: t.mime}, nil
}

// PutBlob stores a checked file in the content-addressed blobs table
// (identical content once), inside the caller's transaction.
func PutBlob(ctx context.Context, tx db.Querier, a Attachment, data []byte, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO blobs (hash, size, content_type, data, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (hash) DO NOTHING`, a.Hash, a.Size, a.ContentType, data, db.Time(now))
	return err
}
