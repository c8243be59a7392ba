// Command ladder is readnet (see ../readnet) plus, chosen by build tags, the
// libraries tokctl links, each used the way tokctl uses it on its cached
// path (or only referenced, when tokctl's cached path does not call it).
// Built rung by rung (`make bench` with -ladder), it measures what each
// library adds to every start of a process: its size, its package
// initialisation and the page faults of both.
//
//	ladder FILE
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

// extras are the libraries' uses, added by the tagged files.
var extras []func()

// never is false at run time, and the compiler cannot know it: code behind
// it is linked but does not run.
var never = len(os.Args) > 99

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ladder FILE")
		os.Exit(2)
	}
	for _, f := range extras {
		f()
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ladder:", err)
		os.Exit(1)
	}
	var rec struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		fmt.Fprintln(os.Stderr, "ladder:", err)
		os.Exit(1)
	}
	if never {
		// As in readnet: net/http is linked, as any token tool must.
		_, _ = http.Get(rec.AccessToken)
	}
	fmt.Println(rec.AccessToken)
}
