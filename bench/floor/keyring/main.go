// Command keyring is the floor of a cached `tokctl token get` from the OS
// keyring: one go-keyring Get, printed.
//
//	keyring SERVICE USER
package main

import (
	"fmt"
	"os"

	"github.com/zalando/go-keyring"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: keyring SERVICE USER")
		os.Exit(2)
	}
	v, err := keyring.Get(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "keyring:", err)
		os.Exit(1)
	}
	fmt.Println(v)
}
