package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// execchild MODE [ARGS] is the command the `tokctl exec` tests run. It
// prints what it sees, so the tests can synchronise on its lines:
//
//	exit N            exit with code N
//	printenv NAME     print NAME's value; exit 1 when NAME is unset
//	append FILE       append a line to FILE (counts the runs)
//	cat               copy stdin to stdout, then one line to stderr
//	kill SIGNUM       end by that signal, the default way
//	wait-signal       print "ready PID"; at the first signal, print
//	                  "got NAME" and exit 100+SIGNUM
//	wait-stdin        print "ready PID"; exit 0 at the end of stdin
//	count-interrupts  print "ready PID"; print "interrupt N" at each
//	                  SIGINT; at SIGTERM, print "interrupts N" and exit 0
func execchild() {
	args := os.Args[1:]
	if len(args) == 0 {
		fail("usage: execchild MODE [ARGS]")
	}
	switch mode := args[0]; mode {
	case "exit":
		n, err := strconv.Atoi(arg(args, 1))
		if err != nil {
			fail(err.Error())
		}
		os.Exit(n)
	case "printenv":
		v, ok := os.LookupEnv(arg(args, 1))
		if !ok {
			os.Exit(1)
		}
		fmt.Println(v)
	case "append":
		f, err := os.OpenFile(arg(args, 1), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err == nil {
			_, err = fmt.Fprintln(f, "ran")
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			fail(err.Error())
		}
	case "cat":
		if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
			fail(err.Error())
		}
		fmt.Fprintln(os.Stderr, "execchild: to stderr")
	case "kill":
		n, err := strconv.Atoi(arg(args, 1))
		if err != nil {
			fail(err.Error())
		}
		self, _ := os.FindProcess(os.Getpid())
		_ = self.Signal(syscall.Signal(n))
		time.Sleep(time.Minute) // not reached: the signal ends the process
		fail("still alive after the signal")
	case "wait-signal":
		sigs := notify(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
		ready()
		sig := (<-sigs).(syscall.Signal)
		fmt.Printf("got %v\n", sig)
		os.Exit(100 + int(sig))
	case "wait-stdin":
		ready()
		_, _ = io.Copy(io.Discard, os.Stdin)
	case "count-interrupts":
		sigs := notify(syscall.SIGINT, syscall.SIGTERM)
		ready()
		n := 0
		for sig := range sigs {
			if sig == syscall.SIGTERM {
				fmt.Printf("interrupts %d\n", n)
				os.Exit(0)
			}
			n++
			fmt.Printf("interrupt %d\n", n)
		}
	default:
		fail("unknown mode " + mode)
	}
}

func arg(args []string, i int) string {
	if i >= len(args) {
		fail("missing argument")
	}
	return args[i]
}

func notify(sigs ...os.Signal) chan os.Signal {
	ch := make(chan os.Signal, 8)
	signal.Notify(ch, sigs...)
	return ch
}

// ready announces, once its signal handlers are in place, that the child
// runs and under which pid.
func ready() {
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "ready %d\n", os.Getpid())
	_ = w.Flush()
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "execchild:", msg)
	os.Exit(99)
}
