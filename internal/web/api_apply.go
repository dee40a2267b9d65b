package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apiclient"
	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/workday"
)

// The intake API: an integration (a provincial 政府信息公开申请平台, 一网通办)
// holding a token from `gongkai apikey create` pushes applications into its
// org and reads their status. Only the bearer token authenticates here:
// never a session cookie, so a signed-in browser cannot be made to push.

// maxIntakeBody bounds a pushed application; the longest valid one (a
// 5,000-character description, twelve 200-character fields) is ~25 KiB.
const maxIntakeBody = 64 << 10

func (s *Server) apiIntakeRoutes() {
	m := s.mux
	m.HandleFunc("POST /api/v1/apply/cases", s.bearer(s.apiIntakeCreate))
	m.HandleFunc("GET /api/v1/apply/cases/{tracking_no}", s.bearer(s.apiIntakeStatus))
}

// bearer authenticates an API client for h. Every answer is no-store; a
// 401 carries the WWW-Authenticate challenge of RFC 6750.
func (s *Server) bearer(h func(http.ResponseWriter, *http.Request, apiclient.Client) error) http.HandlerFunc {
	return s.api(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "no-store")
		challenge := `Bearer realm="gongkai"`
		scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", challenge)
			return &apperr.Error{Kind: apperr.Unauthenticated, Message: "需要接口密钥：请在请求头中提供 Authorization: Bearer <密钥>"}
		}
		if s.APIClients == nil {
			w.Header().Set("WWW-Authenticate", challenge)
			return &apperr.Error{Kind: apperr.Unauthenticated, Message: "接口密钥无效或已吊销"}
		}
		c, err := s.APIClients.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if apperr.Is(err, apperr.Unauthenticated) {
				w.Header().Set("WWW-Authenticate", challenge+`, error="invalid_token"`)
			}
			return err
		}
		return h(w, r, c)
	})
}

func intakeClient(c apiclient.Client) apply.IntakeClient {
	return apply.IntakeClient{ID: c.ID, Name: c.Name}
}

// apiIntakeIn is the pushed application; org is the client's.
type apiIntakeIn struct {
	Ref            string `json:"ref"`
	ApplicantType  string `json:"applicant_type"`
	ApplicantName  string `json:"applicant_name"`
	IDDocType      string `json:"id_doc_type"`
	IDDocNo        string `json:"id_doc_no"`
	ContactPhone   string `json:"contact_phone"`
	ContactEmail   string `json:"contact_email"`
	ContactAddress string `json:"contact_address"`
	Description    string `json:"description"`
	DocHint        string `json:"doc_hint"`
	Form           string `json:"form"`
	Delivery       string `json:"delivery"`
}

// decodeJSON reads exactly one JSON object of at most limit bytes into v,
// refusing unknown fields; errors name the field at fault.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return apperr.New(apperr.Invalid, "请求体应为 JSON（Content-Type: application/json）")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.Decode(&struct{}{}) != io.EOF {
			return apperr.New(apperr.Invalid, "请求体只能是一个 JSON 对象")
		}
		return nil
	}
	var mbe *http.MaxBytesError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err // 413 too_large
	case errors.As(err, &te) && te.Field != "":
		return apperr.Field(te.Field, te.Field+" 应为字符串")
	case strings.HasPrefix(err.Error(), `json: unknown field "`):
		name := strings.TrimSuffix(strings.TrimPrefix(err.Error(), `json: unknown field "`), `"`)
		if len(name) > 64 {
			name = name[:64]
		}
		return apperr.Field(name, "未知字段 "+name)
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "请求体为空：应为一个 JSON 对象")
	}
	return apperr.New(apperr.Invalid, "请求体不是有效的 JSON 对象")
}

// apiIntakeCreate answers 201 with the new case, or 200 with the case a
// replayed ref made before.
func (s *Server) apiIntakeCreate(w http.ResponseWriter, r *http.Request, client apiclient.Client) error {
	var in apiIntakeIn
	if err := decodeJSON(w, r, maxIntakeBody, &in); err != nil {
		return err
	}
	c, created, err := s.Apply.Intake(r.Context(), intakeClient(client), clientIP(r), client.OrgID, in.Ref, apply.Application{
		ApplicantType: in.ApplicantType, ApplicantName: in.ApplicantName, IDDocType: in.IDDocType, IDDocNo: in.IDDocNo,
		ContactPhone: in.ContactPhone, ContactEmail: in.ContactEmail, ContactAddress: in.ContactAddress,
		Description: in.Description, DocHint: in.DocHint, Form: in.Form, Delivery: in.Delivery})
	if err != nil {
		return err
	}
	o, err := s.Orgs.GetOrg(r.Context(), c.OrgID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	url := "/api/v1/apply/cases/" + c.TrackingNo
	w.Header().Set("Location", url)
	// No personal data comes back: the client has it, and responses get logged.
	writeJSON(w, status, map[string]any{
		"ref": in.Ref, "tracking_no": c.TrackingNo, "created": created, "status": c.Status,
		"status_label": apply.StatusLabels[c.Status], "channel": c.Channel, "submitted_on": c.SubmittedOn,
		"received_on": c.ReceivedOn, "org": map[string]string{"code": o.Code, "name": o.Name}, "status_url": url,
	})
	return nil
}

func (s *Server) apiIntakeStatus(w http.ResponseWriter, r *http.Request, client apiclient.Client) error {
	t, err := s.Apply.IntakeStatus(r.Context(), intakeClient(client), client.OrgID, r.PathValue("tracking_no"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, trackingJSON(t))
	return nil
}

// trackingJSON is the status shape of /api/v1/apply/{no} and of the
// authenticated status endpoint: no personal data; the letters addressed to
// the applicant are listed with the path that serves them to the holder of
// the tracking number.
func trackingJSON(t apply.Tracking) map[string]any {
	letters := []map[string]any{}
	for _, l := range t.Letters {
		letters = append(letters, map[string]any{"no": l.No, "title": l.Title, "ref": l.Ref, "issued_on": l.IssuedOn,
			"sha256": l.SHA256, "url": "/ysqgk/cx/ws?" + url.Values{"no": {t.TrackingNo}, "n": {strconv.Itoa(l.No)}}.Encode()})
	}
	date := func(d workday.Date) string {
		if d == (workday.Date{}) {
			return ""
		}
		return d.String()
	}
	return map[string]any{
		"tracking_no": t.TrackingNo, "status": t.Status, "status_label": t.StatusLabel,
		"submitted_on": t.SubmittedOn, "received_on": t.ReceivedOn, "replied_on": t.RepliedOn, "outcome": t.Outcome,
		"clock": map[string]any{"state": t.Clock.State, "due": date(t.Clock.Due), "overdue": t.Clock.Overdue,
			"remaining_workdays": t.Clock.Remaining, "correction_deadline": date(t.Clock.CorrectionDeadline),
			"payment_due": date(t.Clock.PaymentDue), "steps": t.Clock.Steps},
		"letters": letters,
	}
}
