// pprofserver: a real Go program exposing net/http/pprof on 127.0.0.1, for smolder's
// URL-fetch tests.  It burns CPU in busyLoop so CPU profiles have a known hot function,
// prints "listening on PORT", and exits by itself after -life.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"time"
)

var sink uint64

//go:noinline
func busyLoop() {
	for {
		for i := 0; i < 1000000; i++ {
			sink += uint64(i) * 2654435761
		}
		time.Sleep(time.Millisecond)
	}
}

func main() {
	life := flag.Duration("life", 120*time.Second, "exit after this long")
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go busyLoop()
	go func() { time.Sleep(*life); os.Exit(0) }()
	fmt.Printf("listening on %d\n", ln.Addr().(*net.TCPAddr).Port)
	http.Serve(ln, nil)
}
