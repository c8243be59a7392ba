package cli

import (
	"testing"
	"time"
)

func TestRoundDuration(t *testing.T) {
	tests := map[time.Duration]string{
		30 * time.Second:                "30s",
		59*time.Minute + 59*time.Second: "59m",
		2*time.Hour + 5*time.Minute:     "2h5m",
		75 * time.Hour:                  "3d3h",
	}
	for d, want := range tests {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
