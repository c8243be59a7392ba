// Command hello is the benchmark's floor: the cost of starting any Go
// program at all.
package main

import "fmt"

func main() {
	fmt.Println("hello, world")
}
