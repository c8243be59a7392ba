//go:build ladder_server

package stack

import (
	"net"
	"net/http"
)

// net/http's server (HTTP/1.1 and HTTP/2), which tokctl links for the
// login's loopback listener.
func init() {
	if never {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err == nil {
			_ = (&http.Server{Handler: http.NotFoundHandler()}).Serve(l)
		}
	}
}
