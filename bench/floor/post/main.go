// Command post is the floor of a fresh client-credentials `tokctl token get`:
// one form POST to a token endpoint, the access token printed. It sends what
// tokctl sends to Tilia, with the credentials from the same environment
// variables.
//
//	post TOKEN_URL
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: post TOKEN_URL")
		os.Exit(2)
	}
	resp, err := http.PostForm(os.Args[1], url.Values{
		"client_id":     {os.Getenv("TOKCTL_TILIA_CLIENT_ID")},
		"client_secret": {os.Getenv("TOKCTL_TILIA_CLIENT_SECRET")},
		"grant_type":    {"client_credentials"},
		"scope":         {os.Getenv("TOKCTL_TILIA_SCOPES")},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "post:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "post:", resp.Status, err)
		os.Exit(1)
	}
	fmt.Println(tok.AccessToken)
}
