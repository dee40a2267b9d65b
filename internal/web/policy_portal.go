package web

import (
	"context"

	"gongkai.dev/gongkai/internal/info"
)

// relLink is a related record on a record page (双向关联: a policy lists its
// interpretations, an interpretation links back to its policy).
type relLink struct {
	Title, URL, Form, OrgName, Date string
}

func (s *Server) relLink(ctx context.Context, r info.Record) (relLink, bool) {
	if r.Status != info.StatusPublished || r.Attribute != info.Proactive {
		return relLink{}, false
	}
	o, err := s.Orgs.GetOrg(ctx, r.OrgID)
	if err != nil {
		return relLink{}, false
	}
	return relLink{Title: r.Title, URL: "/zfxxgk/" + o.Code + "/xxgk/" + r.ID, Form: r.InterpForm, OrgName: o.Name,
		Date: r.PublishedOn}, true
}

// policyLinks adds a record page's related policy records to data.
func (s *Server) policyLinks(ctx context.Context, rec info.Record, data map[string]any) error {
	switch {
	case info.IsPolicy(rec.Genre):
		xs, err := s.Info.Interpretations(ctx, rec.ID)
		if err != nil {
			return err
		}
		var links []relLink
		for _, x := range xs {
			if l, ok := s.relLink(ctx, x); ok {
				links = append(links, l)
			}
		}
		data["Interps"] = links
	case rec.Genre == info.GenreInterpretation && rec.InterpretsID != "":
		if p, err := s.Info.Get(ctx, rec.InterpretsID); err == nil {
			if l, ok := s.relLink(ctx, p); ok {
				data["Policy"] = l
			}
		}
	}
	return nil
}
