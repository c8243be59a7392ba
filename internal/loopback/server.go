package loopback

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
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

	code, err := parseCallback(r.URL.Query(), l.state)
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

// pageTemplate is parsed on first use: every tokctl start would pay for it
// otherwise, and only `tokctl login` shows a page.
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(pageHTML))
})

const pageHTML = `<!doctype html>
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
{{if .OK}}<h1 class="ok">Login succeeded</h1>
<p>You are logged in{{with .Provider}} to {{.}}{{end}}. You can close this tab and return to the terminal.</p>
{{else}}<h1 class="fail">tokctl{{with .Provider}}: {{.}}{{end}}</h1>
<p>{{.Message}}</p>
{{end}}</body>
</html>
`

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
	_ = pageTemplate().Execute(w, struct {
		OK                bool
		Provider, Message string
	}{ok, l.provider, message})
}
