package store

import "context"

// None stores nothing: for CI that only uses credentials from the environment.
type None struct{}

// Name reports "none".
func (None) Name() string { return "none" }

// Get always reports ErrNotFound.
func (None) Get(context.Context, string) ([]byte, error) { return nil, ErrNotFound }

// Set discards value.
func (None) Set(context.Context, string, []byte) error { return nil }

// Delete does nothing.
func (None) Delete(context.Context, string) error { return nil }
