package loopback

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Paste delivers a redirect by hand: the address the browser ended on when
// it runs on another machine (an SSH session) and cannot reach this
// listener. It goes through the same checks as a real callback. An error
// means the address was ignored and the login still waits; a conclusive
// address (a code, or the provider's refusal) ends Wait as a callback would.
func (l *Listener) Paste(raw string) error {
	raw = strings.TrimSpace(raw)
	query := raw
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil {
			return errors.New("that is not a URL")
		}
		if u.Path != l.path && !(u.Path == "" && l.path == "/") {
			return fmt.Errorf("that address is not the redirect (its path is not %s)", l.path)
		}
		query = u.RawQuery
	}
	q, err := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if err != nil {
		return errors.New("that address has a malformed query")
	}
	code, err := parseCallbackFrom(q, l.state, l.issuer)
	if errors.Is(err, errBadState) {
		return errors.New("that address does not belong to this login (its state does not match)")
	}
	if err != nil {
		var ce *CallbackError
		if errors.As(err, &ce) {
			ce.Provider = l.provider
		} else {
			err = fmt.Errorf("%s%w", prefix(l.provider), err)
		}
	}
	if !l.finish(code, err) {
		return errors.New("the login has already finished")
	}
	go l.stop()
	return nil
}
