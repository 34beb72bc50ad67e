// SPDX-License-Identifier: Apache-2.0

// A client of ctr-cri's streaming server on the library the API server and
// the kubelet use for these streams (moby/spdystream), making its requests as
// k8s.io/apimachinery's SPDY round tripper and the remotecommand (v4) and
// portforward clients do: an HTTP/1.1 upgrade, then one spdystream
// connection, streams created with the same headers and waited on.
//
//	cri-stream-go exec [-stdin FILE] URL
//	    stdout and stderr (and stdin from FILE), as kubectl exec without a tty
//	cri-stream-go portforward [-send TEXT] URL PORT[@FILE]...
//	    one request per PORT, all at once on the one connection, each sending
//	    TEXT, or the bytes of FILE
//
// Prints one JSON object: exec {"stdout", "stderr", "status"}; portforward
// {"requests": [{"port", "data" (or "bytes" and "sha256" past 4 KiB), "error"}]}.
// Built at test time with GO111MODULE=off and GOPATH=/usr/share/gocode
// (Debian's golang-github-docker-spdystream-dev): no network.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/spdystream"
)

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "cri-stream-go: "+format+"\n", a...)
	os.Exit(1)
}

// upgrade dials the URL's host and upgrades a POST of its path to SPDY/3.1
// offering protocol; the spdystream connection, served.
func upgrade(raw, protocol string) *spdystream.Connection {
	u, err := url.Parse(raw)
	if err != nil {
		die("%v", err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
	if err != nil {
		die("%v", err)
	}
	req, _ := http.NewRequest("POST", raw, nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "SPDY/3.1")
	req.Header.Add("X-Stream-Protocol-Version", protocol)
	if err := req.Write(conn); err != nil {
		die("%v", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		die("%v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(resp.Body)
		die("upgrade refused: %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	if resp.Header.Get("X-Stream-Protocol-Version") != protocol {
		die("protocol %q negotiated", resp.Header.Get("X-Stream-Protocol-Version"))
	}
	if br.Buffered() > 0 {
		die("bytes past the upgrade before any stream")
	}
	sc, err := spdystream.NewConnection(conn, false)
	if err != nil {
		die("%v", err)
	}
	go sc.Serve(spdystream.NoOpStreamHandler)
	return sc
}

// stream creates a stream with headers and waits for its reply, as
// apimachinery's connection.CreateStream does.
func stream(sc *spdystream.Connection, h http.Header) *spdystream.Stream {
	s, err := sc.CreateStream(h, nil, false)
	if err != nil {
		die("create stream: %v", err)
	}
	if err := s.WaitTimeout(30 * time.Second); err != nil {
		die("stream reply: %v", err)
	}
	return s
}

func readAll(s io.Reader, out *[]byte, wg *sync.WaitGroup) {
	defer wg.Done()
	*out, _ = io.ReadAll(s)
}

func execCmd(args []string) {
	fs := flag.NewFlagSet("exec", flag.ExitOnError)
	in := fs.String("stdin", "", "a file to send on the stdin stream")
	fs.Parse(args)
	if fs.NArg() != 1 {
		die("usage: exec [-stdin FILE] URL")
	}
	sc := upgrade(fs.Arg(0), "v4.channel.k8s.io")
	defer sc.Close()
	h := http.Header{}
	// remotecommand's v4 client: error first, then stdin, stdout, stderr
	h.Set("streamType", "error")
	errS := stream(sc, h)
	var stdin *spdystream.Stream
	if *in != "" {
		h = http.Header{}
		h.Set("streamType", "stdin")
		stdin = stream(sc, h)
	}
	h = http.Header{}
	h.Set("streamType", "stdout")
	outS := stream(sc, h)
	h = http.Header{}
	h.Set("streamType", "stderr")
	errOut := stream(sc, h)
	if stdin != nil {
		go func() {
			f, err := os.Open(*in)
			if err != nil {
				die("%v", err)
			}
			io.Copy(stdin, f)
			stdin.Close()
		}()
	}
	var out, serr, status []byte
	var wg sync.WaitGroup
	wg.Add(3)
	go readAll(outS, &out, &wg)
	go readAll(errOut, &serr, &wg)
	go readAll(errS, &status, &wg)
	wg.Wait()
	var doc interface{}
	if len(status) > 0 {
		if err := json.Unmarshal(status, &doc); err != nil {
			die("status %q: %v", status, err)
		}
	}
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{
		"stdout": string(out), "stderr": string(serr), "status": doc})
}

type pfResult struct {
	Port   string `json:"port"`
	Data   string `json:"data,omitempty"`
	Bytes  int    `json:"bytes,omitempty"`
	Sha256 string `json:"sha256,omitempty"`
	Error  string `json:"error"`
}

// forward is one request as client-go's portforward handleConnection makes
// it: the error stream (ended at once), the data stream, bytes both ways,
// then the error stream read to its end.
func forward(sc *spdystream.Connection, port string, id int, send []byte) pfResult {
	h := http.Header{}
	h.Set("streamType", "error")
	h.Set("port", port)
	h.Set("requestID", strconv.Itoa(id))
	errS := stream(sc, h)
	errS.Close()
	h.Set("streamType", "data")
	data := stream(sc, h)
	errc := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(errS)
		errc <- b
	}()
	go func() {
		// in the 32 KiB writes of client-go's io.Copy from a TCP connection
		for off := 0; off < len(send); off += 32768 {
			end := off + 32768
			if end > len(send) {
				end = len(send)
			}
			if _, err := data.Write(send[off:end]); err != nil {
				break
			}
		}
		data.Close()
	}()
	got, _ := io.ReadAll(data)
	r := pfResult{Port: port, Error: string(<-errc)}
	if len(got) > 4096 {
		sum := sha256.Sum256(got)
		r.Bytes, r.Sha256 = len(got), hex.EncodeToString(sum[:])
	} else {
		r.Data = string(got)
	}
	return r
}

func portforwardCmd(args []string) {
	fs := flag.NewFlagSet("portforward", flag.ExitOnError)
	text := fs.String("send", "", "text sent on each data stream without a file")
	fs.Parse(args)
	if fs.NArg() < 2 {
		die("usage: portforward [-send TEXT] URL PORT[@FILE]...")
	}
	sc := upgrade(fs.Arg(0), "portforward.k8s.io")
	defer sc.Close()
	ports := fs.Args()[1:]
	res := make([]pfResult, len(ports))
	var wg sync.WaitGroup
	for i, p := range ports {
		send := []byte(*text)
		if at := strings.IndexByte(p, '@'); at >= 0 {
			var err error
			if send, err = os.ReadFile(p[at+1:]); err != nil {
				die("%v", err)
			}
			p = p[:at]
		}
		wg.Add(1)
		go func(i int, p string, send []byte) {
			defer wg.Done()
			res[i] = forward(sc, p, i, send)
		}(i, p, send)
	}
	wg.Wait()
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"requests": res})
}

func main() {
	if len(os.Args) < 2 {
		die("usage: exec URL ... | portforward URL ...")
	}
	switch os.Args[1] {
	case "exec":
		execCmd(os.Args[2:])
	case "portforward":
		portforwardCmd(os.Args[2:])
	default:
		die("unknown verb %q", os.Args[1])
	}
}
