package participate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
)

// FileTypes are the attachments a draft may carry: the draft itself as a
// document, and drawings or maps as images.
var FileTypes = []string{".pdf", ".docx", ".jpg", ".jpeg", ".png"}

// MaxFiles bounds a solicitation's attachments.
const MaxFiles = 10

// File is an attachment of a solicitation (stored in blobs, like a
// record's).
type File = info.Attachment

// AddFile attaches a file to a draft; its content must match its
// extension (info.CheckFile).
func (s *Service) AddFile(ctx context.Context, p *org.Principal, ip, id, name string, data []byte) (File, error) {
	cur, err := s.Get(ctx, p, id)
	if err != nil {
		return File{}, err
	}
	if err := s.can(ctx, p, org.PermParticipateEdit, cur.OrgID, "没有编辑征求意见的权限"); err != nil {
		return File{}, err
	}
	a, err := info.CheckFile("file", name, data, FileTypes...)
	if err != nil {
		return File{}, err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status != StatusDraft {
			return apperr.New(apperr.Conflict, "已发布的征求意见不能再添加附件")
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM participate_files WHERE solicitation_id = $1", id).Scan(&n); err != nil {
			return err
		}
		if n >= MaxFiles {
			return apperr.Field("file", fmt.Sprintf("每次征求意见最多 %d 个附件", MaxFiles))
		}
		if err := info.PutBlob(ctx, tx, a, data, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO participate_files (solicitation_id, hash, name, size, content_type, sort)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, a.Hash, a.Name, a.Size, a.ContentType, n+1); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.Field("file", "这个文件已经是附件")
			}
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: "participate.attach",
			ObjectType: "solicitation", ObjectID: id, Summary: fmt.Sprintf("《%s》添加附件 %s", c.Title, a.Name),
			After: map[string]any{"hash": a.Hash, "name": a.Name, "size": a.Size}})
		return err
	})
	return a, err
}

// RemoveFile detaches a file from a draft (the blob stays: other records
// may share it, and the evidence chain names its hash).
func (s *Service) RemoveFile(ctx context.Context, p *org.Principal, ip, id, hash string) error {
	cur, err := s.Get(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.can(ctx, p, org.PermParticipateEdit, cur.OrgID, "没有编辑征求意见的权限"); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status != StatusDraft {
			return apperr.New(apperr.Conflict, "已发布的征求意见不能删除附件")
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM participate_files WHERE solicitation_id = $1 AND hash = $2", id, hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("附件不存在")
		}
		_, err = audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: "participate.detach",
			ObjectType: "solicitation", ObjectID: id, Summary: fmt.Sprintf("《%s》删除附件", c.Title), Before: map[string]string{"hash": hash}})
		return err
	})
}

// Files lists a solicitation's attachments in order.
func (s *Service) Files(ctx context.Context, id string) ([]File, error) {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT hash, name, size, content_type FROM participate_files WHERE solicitation_id = $1 ORDER BY sort", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		var a File
		if err := rows.Scan(&a.Hash, &a.Name, &a.Size, &a.ContentType); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// FileData returns an attachment's bytes. Callers check that the
// solicitation is visible (Public or Get) first.
func (s *Service) FileData(ctx context.Context, id, hash string) (File, []byte, error) {
	var a File
	var data []byte
	err := s.DB.R.QueryRowContext(ctx, `SELECT f.hash, f.name, f.size, f.content_type, b.data FROM participate_files f
		JOIN blobs b ON b.hash = f.hash WHERE f.solicitation_id = $1 AND f.hash = $2`, id, hash).Scan(&a.Hash, &a.Name, &a.Size, &a.ContentType, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, apperr.NotFoundf("附件不存在")
	}
	return a, data, err
}
