package main

import (
	"strings"
	"testing"
)

// Four samples as `perf script -F comm,ip,sym,dso` prints them (addresses
// shortened), of the command "tokctl", and one of another command.
const script = `tokctl 
	ffffffff816c4f54 begin_new_exec ([kernel.kallsyms])
	ffffffff81752ebc load_elf_binary ([kernel.kallsyms])
	ffffffff816c305f bprm_execve ([kernel.kallsyms])
	           d4ad7 __GI___execve (/usr/lib/x86_64-linux-gnu/libc.so.6)

tokctl 
	ffffffff815e3451 do_wp_page ([kernel.kallsyms])
	ffffffff81000c82 asm_exc_page_fault ([kernel.kallsyms])
	           5ec3a runtime.doInit1 (/tmp/tokctl)
	           4f2e5 runtime.main (/tmp/tokctl)
	           8b761 runtime.goexit.abi0 (/tmp/tokctl)

tokctl 
	            dcdb internal/runtime/maps.(*Map).putSlotSmall+0x1b (/tmp/tokctl)
	          153445 github.com/spf13/pflag.(*FlagSet).AddFlag (/tmp/tokctl)
	          37af3d main.main (/tmp/tokctl)
	           4f495 runtime.main (/tmp/tokctl)
	           8b761 runtime.goexit.abi0 (/tmp/tokctl)

tokctl 
	           48f91 runtime.getCPUCount (/tmp/tokctl)
	           5c8f4 runtime.sysmon (/tmp/tokctl)
	           52a93 runtime.mstart1 (/tmp/tokctl)
	           89c0c runtime.mstart.abi0 (/tmp/tokctl)

readnet 
	           37af3d main.main (/tmp/readnet)
	           4f495 runtime.main (/tmp/readnet)

tokctl 
	           11111 net/http.(*persistConn).readLoop (/tmp/tokctl)
	           8b761 runtime.goexit.abi0 (/tmp/tokctl)
`

func TestParse(t *testing.T) {
	p, err := parse(strings.NewReader(script), "tokctl")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{
		phaseOrder[0]: {0, 1}, // exec, in the kernel
		phaseOrder[2]: {0, 1}, // a page fault of package initialisation
		phaseOrder[3]: {1, 0}, // main, in user mode
		phaseOrder[6]: {1, 0}, // sysmon
		phaseOrder[4]: {1, 0}, // a goroutine of net/http
	}
	if p.total != 5 {
		t.Errorf("total = %d samples, want 5 (readnet's is not tokctl's)", p.total)
	}
	for ph, n := range want {
		if p.samples[ph] != n {
			t.Errorf("%s: [user kernel] = %v, want %v", ph, p.samples[ph], n)
		}
	}
	if len(p.samples) != len(want) {
		t.Errorf("phases = %v, want %v", p.samples, want)
	}
}
