package fakeprovider

import "testing"

// StartTest starts a fake provider for one test, as httptest.NewServer
// starts a server: a failure to start fails the test, and the server
// closes when the test and its subtests end.
func StartTest(t testing.TB, opts Options) *Server {
	t.Helper()
	srv, err := Start(opts)
	if err != nil {
		t.Fatalf("fakeprovider.Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}
