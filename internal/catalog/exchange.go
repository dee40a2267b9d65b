package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
)

// MaxUpload bounds an uploaded workbook; real catalogs are well under 1 MB.
const MaxUpload = 10 << 20

// ImportResult says what an import did or, on a dry run, would do.
type ImportResult struct {
	DryRun   bool
	Version  Version // the draft imported into (zero on a dry run without a draft)
	Sheets   int
	Items    int
	Problems []Problem
	// ByDomain counts the imported items per domain name.
	ByDomain map[string]int
}

// Import reads a workbook into the org's draft, replacing its items; a new
// draft is opened (from the latest published version) when there is none.
// Nothing is written when any problem is found or on a dry run: a
// spreadsheet either imports whole or not at all. Problems are returned in
// the result; err is for failures of the system, not of the file.
func (s *Service) Import(ctx context.Context, actor audit.Actor, orgID string, r io.Reader, year int, dryRun bool) (ImportResult, error) {
	res := ImportResult{DryRun: dryRun, ByDomain: map[string]int{}}
	if _, err := s.Orgs.GetOrg(ctx, orgID); err != nil {
		return res, err
	}
	sheets, problems := ReadXLSX(io.LimitReader(r, MaxUpload+1))
	res.Problems = problems
	if len(problems) > 0 {
		return res, nil
	}
	doms, err := s.Domains(ctx)
	if err != nil {
		return res, err
	}
	byName := map[string]string{}
	for _, d := range doms {
		byName[d.Name] = d.ID
	}
	var items []NewItem
	for _, sh := range sheets {
		id, ok := byName[sh.Name]
		if !ok {
			res.Problems = append(res.Problems, Problem{Sheet: sh.Name,
				Message: fmt.Sprintf("领域“%s”不存在：工作表名应为领域名称（如“社会救助”），本地领域请先在“目录领域”中添加", sh.Name)})
			continue
		}
		res.Sheets++
		for _, it := range sh.Items {
			Normalize(&it.Fields)
			if err := Validate(it.Fields); err != nil {
				e, _ := apperr.As(err)
				for _, f := range e.Fields {
					res.Problems = append(res.Problems, Problem{Sheet: sh.Name, Row: it.Row, Message: f.Message})
				}
				continue
			}
			items = append(items, NewItem{DomainID: id, ItemFields: it.Fields})
			res.ByDomain[sh.Name]++
		}
	}
	res.Items = len(items)
	if len(res.Problems) > 0 || dryRun {
		if d, err := s.DraftOf(ctx, orgID); err == nil {
			res.Version = d
		}
		return res, nil
	}
	draft, err := s.DraftOf(ctx, orgID)
	if apperr.Is(err, apperr.NotFound) {
		if year == 0 {
			year = s.now().Year()
		}
		draft, err = s.StartDraft(ctx, actor, orgID, year, nil)
	}
	if err != nil {
		return res, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.draftFor(ctx, tx, draft.ID); err != nil {
			return err
		}
		now := s.now()
		if err := s.replaceItems(ctx, tx, draft.ID, items, now); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: orgID, Action: "catalog.import",
			ObjectType: "catalog_version", ObjectID: draft.ID,
			Summary: fmt.Sprintf("导入标准目录 Excel：%d 个领域、%d 项，替换草稿（第 %d 版）内容", res.Sheets, len(items), draft.Number),
			After:   res.ByDomain})
		return err
	})
	if err != nil {
		return res, err
	}
	res.Version, err = s.Version(ctx, draft.ID)
	return res, err
}

// Sheets groups a version's items by domain for export, in domain order.
func (s *Service) Sheets(ctx context.Context, v Version) ([]Sheet, error) {
	items, err := s.Items(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	doms, err := s.Domains(ctx)
	if err != nil {
		return nil, err
	}
	var out []Sheet
	for _, d := range doms {
		var sh Sheet
		for _, it := range items {
			if it.DomainID == d.ID {
				sh.Items = append(sh.Items, it.ItemFields)
			}
		}
		if len(sh.Items) > 0 {
			sh.Domain = d.Name
			out = append(out, sh)
		}
	}
	return out, nil
}

// ExportXLSX writes a version as a workbook, one sheet per domain.
func (s *Service) ExportXLSX(ctx context.Context, w io.Writer, v Version) error {
	o, err := s.Orgs.GetOrg(ctx, v.OrgID)
	if err != nil {
		return err
	}
	sheets, err := s.Sheets(ctx, v)
	if err != nil {
		return err
	}
	return WriteXLSX(w, fmt.Sprintf("%s基层政务公开标准目录（%d年度，第%d版）", o.Name, v.Year, v.Number), sheets)
}

// ExportJSON writes a version as indented JSON (ToJSON's form).
func (s *Service) ExportJSON(ctx context.Context, w io.Writer, v Version) error {
	j, err := s.ToJSON(ctx, v)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

// JSON export for integrators: stable field names, ISO 8601 dates.

// JSONItem is an item as the API and JSON export give it.
type JSONItem struct {
	Key    string `json:"key"`
	Domain string `json:"domain"`
	Seq    int    `json:"seq"`
	ItemFields
	TimeLimitDescription string `json:"time_limit_description"`
	URL                  string `json:"url"`
}

// JSONVersion is a whole catalog version.
type JSONVersion struct {
	Org struct {
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"org"`
	Number      int        `json:"number"`
	Year        int        `json:"year"`
	Status      string     `json:"status"`
	PublishedAt string     `json:"published_at,omitempty"`
	Items       []JSONItem `json:"items"`
}

// ItemURL is the portal's stable address of an item.
func ItemURL(orgCode, key string) string { return "/zfxxgk/" + orgCode + "/bzml/sx/" + key }

// ToJSON builds the JSON form of a version.
func (s *Service) ToJSON(ctx context.Context, v Version) (JSONVersion, error) {
	var out JSONVersion
	o, err := s.Orgs.GetOrg(ctx, v.OrgID)
	if err != nil {
		return out, err
	}
	items, err := s.Items(ctx, v.ID)
	if err != nil {
		return out, err
	}
	names, err := s.DomainNames(ctx)
	if err != nil {
		return out, err
	}
	out.Org.Code, out.Org.Name = o.Code, o.Name
	out.Number, out.Year, out.Status = v.Number, v.Year, v.Status
	if !v.PublishedAt.IsZero() {
		out.PublishedAt = v.PublishedAt.UTC().Format(time.RFC3339)
	}
	out.Items = make([]JSONItem, len(items))
	for i, it := range items {
		f := it.ItemFields
		f.Channels, f.Audience, f.Method, f.Levels = nonNil(f.Channels), nonNil(f.Audience), nonNil(f.Method), nonNil(f.Levels)
		out.Items[i] = JSONItem{Key: it.Key, Domain: names[it.DomainID], Seq: it.Seq, ItemFields: f,
			TimeLimitDescription: it.TimeLimit.Describe(), URL: ItemURL(o.Code, it.Key)}
	}
	return out, nil
}
