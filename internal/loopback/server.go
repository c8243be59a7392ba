package loopback

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
)

// serveHTTP answers every request; only the conclusive callback ends the
// login, so stray requests (favicon, a guessed URL, a forged state) cannot.
func (l *Listener) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case !l.hostAllowed(r.Host):
		// DNS rebinding: a web page cannot reach us under another name.
		l.page(w, http.StatusMisdirectedRequest, false, "This request was sent to the wrong host name and was ignored.")
		return
	case r.URL.Path != l.path:
		l.page(w, http.StatusNotFound, false, "There is nothing here.")
		return
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", http.MethodGet)
		l.page(w, http.StatusMethodNotAllowed, false, "Only GET is served here.")
		return
	}
	select {
	case <-l.done:
		l.page(w, http.StatusGone, false, "This login has already finished. You can close this tab.")
		return
	default:
	}

	code, err := parseCallbackFrom(r.URL.Query(), l.state, l.issuer)
	if errors.Is(err, errBadState) {
		l.page(w, http.StatusBadRequest, false,
			"This request does not belong to the login in progress (its state does not match) and was ignored.")
		return
	}
	reason := ""
	if err != nil {
		reason = err.Error() // before the provider is named: the page names it already
		var ce *CallbackError
		if errors.As(err, &ce) {
			ce.Provider = l.provider
		} else {
			err = fmt.Errorf("%s%w", prefix(l.provider), err)
		}
	}
	if !l.finish(code, err) {
		l.page(w, http.StatusGone, false, "This login has already finished. You can close this tab.")
		return
	}
	w.Header().Set("Connection", "close")
	if err != nil {
		l.page(w, http.StatusBadRequest, false, "The login failed: "+reason+". Return to the terminal for details.")
	} else {
		l.page(w, http.StatusOK, true, "")
	}
	go l.stop() // waits for this response to be written, then frees the port
}

func (l *Listener) hostAllowed(host string) bool {
	host = strings.ToLower(host)
	for _, h := range l.hosts {
		if host == h {
			return true
		}
	}
	return false
}

// The page is assembled with html.EscapeString, not html/template: executing
// a template calls methods by name through reflection, and that alone turns
// off the linker's dead-code elimination of methods for the whole binary
// (+2.5 MB, and a slower start for every command; see docs/performance.md).
// Only the provider name and the message vary, and both are escaped.
const (
	pageHead = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tokctl</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;line-height:1.5;color:#222}
h1{font-size:1.4em}.ok{color:#1a7f37}.fail{color:#b42318}
</style>
</head>
<body>
`
	pageTail = "</body>\n</html>\n"
)

// pageHTML returns the whole page.
func pageHTML(ok bool, provider, message string) string {
	var b strings.Builder
	b.WriteString(pageHead)
	provider = html.EscapeString(provider)
	if ok {
		b.WriteString(`<h1 class="ok">Login succeeded</h1>` + "\n<p>You are logged in")
		if provider != "" {
			b.WriteString(" to " + provider)
		}
		b.WriteString(". You can close this tab and return to the terminal.</p>\n")
	} else {
		b.WriteString(`<h1 class="fail">tokctl`)
		if provider != "" {
			b.WriteString(": " + provider)
		}
		b.WriteString("</h1>\n<p>" + html.EscapeString(message) + "</p>\n")
	}
	b.WriteString(pageTail)
	return b.String()
}

// page writes a self-contained page: no scripts, no external assets, and
// never the code or the state.
func (l *Listener) page(w http.ResponseWriter, status int, ok bool, message string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, pageHTML(ok, l.provider, message))
}
