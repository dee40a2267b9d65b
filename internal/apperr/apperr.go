// Package apperr defines the error kinds that capability packages return and
// that the web and CLI adapters translate, in one place each, into HTTP
// statuses, stable API codes and Chinese messages. Internal error text never
// reaches a user: only errors built here carry a message meant for people.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error for the adapters.
type Kind int

const (
	// Internal is anything not built by this package: a bug or an outage.
	Internal Kind = iota
	Invalid
	NotFound
	Conflict
	Forbidden
	Unauthenticated
	TooMany
)

// Code is the stable identifier of a kind in the JSON API.
func (k Kind) Code() string {
	switch k {
	case Invalid:
		return "invalid_input"
	case NotFound:
		return "not_found"
	case Conflict:
		return "conflict"
	case Forbidden:
		return "forbidden"
	case Unauthenticated:
		return "unauthenticated"
	case TooMany:
		return "too_many_requests"
	}
	return "internal"
}

// FieldError names the input field (or row, line) that is wrong and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error with a kind and a message fit for users (zh-CN).
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	Err     error // the cause, for logs only
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// New builds an error of the given kind with a user-facing message.
func New(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

// NotFoundf is the error for anything absent or not visible to the caller.
func NotFoundf(format string, a ...any) *Error {
	return &Error{Kind: NotFound, Message: fmt.Sprintf(format, a...)}
}

// Field builds an Invalid error for one field.
func Field(field, msg string) *Error {
	return &Error{Kind: Invalid, Message: "输入有误：" + msg, Fields: []FieldError{{field, msg}}}
}

// Fields collects field errors for a form; Err returns nil when there are none.
type Fields []FieldError

// Add records a problem with a field.
func (fs *Fields) Add(field, msg string) { *fs = append(*fs, FieldError{field, msg}) }

// Err returns an Invalid error listing every field problem, or nil.
func (fs Fields) Err() error {
	if len(fs) == 0 {
		return nil
	}
	msgs := make([]string, len(fs))
	for i, f := range fs {
		msgs[i] = f.Message
	}
	return &Error{Kind: Invalid, Message: "输入有误：" + strings.Join(msgs, "；"), Fields: fs}
}

// KindOf reports the kind of err; errors not built here are Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }
