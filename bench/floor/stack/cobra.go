//go:build ladder_cobra

package stack

import "github.com/spf13/cobra"

// A two-level command tree with a flag, executed as `token get`.
func init() {
	root := &cobra.Command{Use: "stack", SilenceUsage: true}
	token := &cobra.Command{Use: "token"}
	get := &cobra.Command{Use: "get", Run: func(*cobra.Command, []string) {}}
	get.Flags().StringP("output", "o", "token", "output")
	token.AddCommand(get)
	root.AddCommand(token)
	root.SetArgs([]string{"token", "get"})
	_ = root.Execute()
}
