package web

import (
	"context"
	"sync/atomic"

	"gongkai.dev/gongkai/internal/changes"
)

// pagesView keeps the page cache current from the change log: each change
// invalidates the tags of the pages that show the changed object. The cache
// starts empty, so at start-up it has nothing to catch up on.
type pagesView struct {
	s   *Server
	seq atomic.Int64
}

// PagesView returns the page cache as a change-log view, starting at the
// log's current end.
func (s *Server) PagesView() changes.View {
	v := &pagesView{s: s}
	if last, err := changes.Last(context.Background(), s.DB.R); err == nil {
		v.seq.Store(last)
	}
	return v
}

func (v *pagesView) Seq() int64 { return v.seq.Load() }

func (v *pagesView) Apply(_ context.Context, cs []changes.Change) error {
	for _, c := range cs {
		switch c.Kind {
		case changes.Info:
			// The record's own page, its org's lists and cross-org lists.
			v.s.InvalidatePages("info:"+c.ObjectID, "org:"+c.OrgID, "all")
		case changes.Catalog:
			v.s.InvalidatePages("org:"+c.OrgID, "all")
		case changes.Org:
			v.s.InvalidatePages("org:"+c.ObjectID, "orgs")
		case changes.Report:
			// The org's report list and report pages.
			v.s.InvalidatePages("org:" + c.OrgID)
		default:
			v.s.InvalidateAllPages()
		}
		v.seq.Store(c.Seq)
	}
	return nil
}
