#!/usr/bin/env bash
# End-to-end tests of `smolder serve` against clients that try to hold its memory or its
# threads (a real server on 127.0.0.1, random ports, raw-socket clients in python3):
#   - bodies sent to routes that take none (GET /ready, /metrics, the legacy read
#     endpoints): 413 before a byte is read, and the server's memory stays flat while
#     20 clients each send 8 MiB to /ready;
# Timing-based checks try up to three times: the CI machine is loaded.
# Usage: serve_abuse.sh SMOLDER
set -u
smolder=$1
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
. "$(dirname "$0")/serve_lib.sh"

for tool in curl python3; do
  command -v "$tool" > /dev/null || { echo "FAIL - $tool is not installed (./build.sh deps)"; exit 1; }
done

rss_kb() {  # rss_kb PID: the process's resident set in kB
  sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}

# --- bodies on routes that take none -----------------------------------------------------
serve_start nobody --db "$tmp/n.db" || exit 1
url=http://127.0.0.1:$PORT
# headers announcing 8 MiB, no body yet: the answer comes at once, before any of it
python3 - "$PORT" > "$tmp/announce.out" <<'EOF'
import socket, sys
for path in ("/ready", "/metrics", "/pyroscope/label-values?label=x"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\n\r\n" % path.encode())
    got = b""
    try:
        while b"}" not in got:
            b = s.recv(4096)
            if not b:
                break
            got += b
    except OSError as e:
        got += b" <%s>" % str(e).encode()
    print(path, got.split(b"\r\n")[0].decode(), got[got.find(b"{"):].decode(errors="replace"))
    s.close()
EOF
check "GET /ready announcing a body: 413 before the body is sent" \
  grep -q '^/ready HTTP/1.1 413 .*"message":"GET /ready takes no request body (Content-Length 8388608)"' "$tmp/announce.out"
check "so does GET /metrics" grep -q '^/metrics HTTP/1.1 413 .*takes no request body' "$tmp/announce.out"
check "and a legacy read endpoint (a GET)" \
  grep -q '^/pyroscope/label-values?label=x HTTP/1.1 413 .*GET /pyroscope/label-values takes no request body' "$tmp/announce.out"
# a chunked body on GET /metrics: refused at its first byte, the rest dropped unkept
head -c 1000000 /dev/zero > "$tmp/mib"
st=$(http GET "$url/metrics" -H 'Transfer-Encoding: chunked' --data-binary "@$tmp/mib")
check "a chunked body on GET /metrics: 413 ($st)" \
  bash -c "[ '$st' = 413 ] && grep -q 'GET /metrics takes no request body' '$tmp/body'"
check "a GET without a body still answers" test "$(http GET "$url/ready")" = 200
check "and one with Content-Length: 0 too" test "$(http GET "$url/ready" -H 'Content-Length: 0')" = 200
# the review's case: 20 clients each send GET /ready, Content-Length 8 MiB and 8 MiB - 1
# bytes, then stall; every byte was kept (40 of them took 510 MB)
before=$(rss_kb "$SPID")
python3 - "$PORT" "$SPID" > "$tmp/hold.out" <<'EOF'
import socket, sys, time
port, pid, n, L = int(sys.argv[1]), sys.argv[2], 20, 8 << 20
def rss():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
socks, refused = [], 0
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(b"GET /ready HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % L)
        s.sendall(b"a" * (L - 1))
    except OSError:
        refused += 1
    socks.append(s)
time.sleep(0.5)
print("rss %d refused %d" % (rss(), refused))
EOF
after=$(sed -n 's/^rss \([0-9]*\) .*/\1/p' "$tmp/hold.out")
check "20 clients sending 8 MiB each to /ready: the server's RSS grows < 32 MiB ($before -> ${after:-?} kB)" \
  test "$((${after:-999999999} - before))" -lt 32768
check "the server still answers" test "$(http GET "$url/ready")" = 200
serve_stop

check_done
