#!/usr/bin/env bash
# End-to-end, smolder to smolder: a real `smolder serve` on 127.0.0.1 (a random port)
# over a store filled by `smolder ingest`, read back with --url.  Every verb with --url,
# in both codecs, prints what it prints with --db on the same file (top for every
# service and profile type, series, types, timeline, diff, query profile → pprof);
# curl speaks the Connect JSON API and the legacy /pyroscope/render as other clients
# do; authentication (--auth-file: 401 and 403 read as one line, Basic and Bearer,
# PROFILECLI_* variables, tenants), and TLS (--ca-cert, --insecure-skip-verify, and
# the error without them); credentials never printed.
# Usage: remote.sh SMOLDER EXAMPLES_DIR
smolder=$1
ex=$2
tmp=$(mktemp -d)
trap 'kill "${SPID:-0}" 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
unset SMOLDER_DB XDG_DATA_HOME PROFILECLI_URL PROFILECLI_USERNAME PROFILECLI_PASSWORD
. "$(dirname "$0")/serve_lib.sh"
db=$tmp/s.db


"$smolder" ingest --db "$db" "$ex"/*.pb.gz > /dev/null 2> "$tmp/ingest.err"
check "ingest of the examples succeeds" test ! -s "$tmp/ingest.err"
# a heap profile whose inuse_* values are all zero (everything freed), pushed now
python3 "$(dirname "$0")/zero_profile.py" "$tmp/zero.pb.gz"
"$smolder" ingest --db "$db" --service zero "$tmp/zero.pb.gz" > /dev/null 2>> "$tmp/ingest.err"
check "  and of a profile with an all-zero type" test ! -s "$tmp/ingest.err"
# profiles at known times (a folded file's time is its mtime) for the timelines below: on
# the edges of 15 s steps and of the ranges, and inside a step; T is 3 hours ago, so that
# serve's downsampling (a day) leaves them as they are
T=$(( ($(date +%s) - 3 * 3600) / 60 * 60 ))
for t in 0:7 1:100 15:50 30:1000 -1:2000 -1799:3; do
  echo "main;work ${t#*:}" > "$tmp/tl${t%:*}.folded"
  touch -d "@$((T + ${t%:*}))" "$tmp/tl${t%:*}.folded"
done
"$smolder" ingest --db "$db" --service tl "$tmp"/tl*.folded > /dev/null 2>> "$tmp/ingest.err"
check "  and of six folded profiles at known times" test ! -s "$tmp/ingest.err"
serve_start main --db "$db" || exit 1
url=http://127.0.0.1:$PORT
st=$(http POST "$url/querier.v1.QuerierService/LabelNames" -H 'Content-Type: application/json' --data '{}')
if [ "$st" = 404 ]; then
  echo "FAIL - smolder serve does not route the query API yet: add the querier_serve lines of"
  echo "       src/store/querier_server.h to serve_routes[] in src/ingest/serve.c"
  exit 1
fi

# --- every verb: --url equals --db -------------------------------------------------------
n=0 bad=0
for f in "$ex"/*.pb.gz; do
  svc=$(basename "$f"); svc=${svc%%.*}
  for pt in $("$smolder" query types --db "$db" --from 0 --query "{service_name=\"$svc\"}"); do
    "$smolder" top --format tsv --db "$db" --from 0 --query "{service_name=\"$svc\"}" --profile-type "$pt" > "$tmp/db.tsv"
    for codec in proto json; do
      "$smolder" top --format tsv --url "$url" --codec $codec --from 0 --query "{service_name=\"$svc\"}" \
        --profile-type "$pt" > "$tmp/url.tsv" 2> "$tmp/url.err"
      n=$((n + 1))
      if ! cmp -s "$tmp/db.tsv" "$tmp/url.tsv"; then
        bad=$((bad + 1)); echo "     differs: $svc $pt $codec"; diff "$tmp/db.tsv" "$tmp/url.tsv" | head -5; cat "$tmp/url.err"
      fi
    done
  done
done
check "smolder top --url equals --db for all $((n / 2)) profile types, proto and JSON" test "$bad" -eq 0 -a "$n" -ge 34

same() {  # same DESCRIPTION VERB ARGS...: the verb prints the same with --db and with --url
  # (but the "Aggregation:" line, which says who merged: the store, or the server)
  local d=$1; shift
  "$smolder" "$@" --db "$db" 2>&1 | grep -v '^Aggregation: ' > "$tmp/a.out"
  "$smolder" "$@" --url "$url" 2>&1 | grep -v '^Aggregation: ' > "$tmp/b.out"
  "$smolder" "$@" --url "$url" --codec json 2>&1 | grep -v '^Aggregation: ' > "$tmp/c.out"
  if cmp -s "$tmp/a.out" "$tmp/b.out" && cmp -s "$tmp/a.out" "$tmp/c.out" && [ -s "$tmp/a.out" ]; then
    echo "ok   - $d"; pass=$((pass + 1))
  else
    echo "FAIL - $d"; diff "$tmp/a.out" "$tmp/b.out" | head -5; diff "$tmp/a.out" "$tmp/c.out" | head -5
    fail=$((fail + 1))
  fi
}
CPU=process_cpu:cpu:nanoseconds:cpu:nanoseconds
same "query series (JSON output)" query series --from 0 --output json --from 2020-01-01T00:00:00Z --to 2030-01-01T00:00:00Z
same "query types" query types --from 0
same "query timeline (30 d steps)" query timeline --from 2020-01-01T00:00:00Z \
  --to 2030-01-01T00:00:00Z --step 30d --query '{service_name="cpuwork-cpu"}' --profile-type $CPU
# a point of Grafana Pyroscope's SelectSeries holds the step that ENDS at its time, which
# smolder serve now stamps too: the same profiles give the same steps through the server
# (they came a step late when the client read points as the steps' starts)
same "query timeline, 15 s steps, profiles on the edges" query timeline \
  --from "$T" --to "$((T + 30))" --step 15s --query '{service_name="tl"}'
same "query timeline, a range off the steps" query timeline \
  --from "$((T - 8))" --to "$((T + 38))" --step 15s --query '{service_name="tl"}'
# timelines reaching int64's edges: serve's point times passed INT64_MAX (the sanitizer
# build's serve stopped; a plain one stamped the points wrong and the client dropped them)
same "query timeline --from now-292y" query timeline --from now-292y --query '{service_name="tl"}'
same "query timeline --from 1678-01-01T00:00:00Z" query timeline --from 1678-01-01T00:00:00Z \
  --query '{service_name="tl"}'
# a failure in a request of several files names the file serve's "series N" is
seq 1 16001 | sed 's/^/main;f/; s/$/ 1/' > "$tmp/many.folded"
"$smolder" upload --url "$url" "$ex/cpuwork-cpu.pb.gz" "$tmp/many.folded" > /dev/null 2> "$tmp/err"
check "upload of two files, the second over serve's sample limit: the message names it" \
  grep -q "^smolder upload: $tmp/many.folded: $url answered 400: series 1, profile 0: the profile has 16001 samples" "$tmp/err"
same "query timeline, two days of minutes" query timeline \
  --from "$((T - 40 * 3600))" --to "$((T + 8 * 3600))" --step 60s --query '{service_name="tl"}'
"$smolder" query timeline --url "$url" --from "$T" --to "$((T + 30))" --step 15s \
  --query '{service_name="tl"}' > "$tmp/tl.tsv"
printf 'time\tvalue\n%s\t107\n%s\t50\n' "$(date -u -d "@$T" +%FT%TZ)" \
  "$(date -u -d "@$((T + 15))" +%FT%TZ)" > "$tmp/tl-want.tsv"
check "  T's profile and T+1 s's in the first step, T+15 s's in the second" \
  cmp -s "$tmp/tl-want.tsv" "$tmp/tl.tsv"
st=$(http POST "$url/querier.v1.QuerierService/SelectSeries" -H 'Content-Type: application/json' \
  --data "{\"profileTypeID\":\"process_cpu:samples:count:samples:count\",\"labelSelector\":\"{service_name=\\\"tl\\\"}\",\"start\":$((T * 1000 - 1)),\"end\":$(((T + 30) * 1000 - 1)),\"step\":15}")
check "  SelectSeries (T - 1 ms, T + 30 s - 1 ms] with curl: each point stamped with its step's end" \
  bash -c "[ '$st' = 200 ] && python3 -c 'import json,sys; p=json.load(open(\"$tmp/body\"))[\"series\"][0][\"points\"]; sys.exit([(int(x[\"timestamp\"]), x[\"value\"]) for x in p] != [($T * 1000 + 15000, 107), ($T * 1000 + 30000, 50)])'"
same "diff of two ranges (tsv)" diff --format tsv --from 0 --query '{service_name=~"cpuwork.*"}' \
  --profile-type $CPU --base-from 0 --base-to now
same "peek" peek --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type $CPU 'main\.'
# a Go file has two sample types, a server's range one: the base is read in the range's
# (it was "the base profile has 2 sample types, this one 1")
same "top --diff-base FILE: a Go CPU file against the range" top --format tsv --from 0 \
  --query '{service_name="cpuwork-cpu-after-scoreRecords-3x"}' --profile-type $CPU \
  --diff-base "$ex/cpuwork-cpu.pb.gz"
"$smolder" top --format tsv -i cpu "$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz" \
  --diff-base "$ex/cpuwork-cpu.pb.gz" > "$tmp/fd.tsv" 2>&1
check "  with the numbers of top FILE --diff-base FILE" \
  bash -c "[ \$(wc -l < '$tmp/fd.tsv') -ge 20 ] && cmp -s '$tmp/fd.tsv' '$tmp/b.out'"
# a type whose values are all zero: the empty table, as the store gives it (it said "no
# profiles match"); its pprof has the type and no samples, which top reads as pprof does
INUSE=memory:inuse_space:bytes:space:bytes
same "an all-zero profile type: top's empty table, as with --db" \
  top --format tsv --query '{service_name="zero"}' --profile-type $INUSE
"$smolder" query profile --url "$url" --query '{service_name="zero"}' --profile-type $INUSE \
  --output "pprof=$tmp/zero-q.pb.gz" 2> "$tmp/qp.err"
"$smolder" top "$tmp/zero-q.pb.gz" > "$tmp/zt.out" 2>&1
check "  its pprof (no samples): top prints the empty table, as go tool pprof -top does" \
  bash -c "grep -q '^Type: inuse_space$' '$tmp/zt.out' && grep -q '^Showing nodes accounting for 0 B, 0% of 0 B total$' '$tmp/zt.out'"
errcheck "  a type the selector does not have: still no data" "no .*profiles match" \
  top --url "$url" --query '{service_name="zero"}' --profile-type $CPU
"$smolder" query profile --url "$url" --from 0 --query '{service_name="heapwork-heap"}' \
  --profile-type memory:inuse_space:bytes:space:bytes --output "pprof=$tmp/remote.pb.gz" 2> "$tmp/qp.err"
"$smolder" top --format tsv --db "$db" --from 0 --query '{service_name="heapwork-heap"}' \
  --profile-type memory:inuse_space:bytes:space:bytes > "$tmp/a.out"
check "query profile --url --output pprof=F reads back as --db prints it" \
  bash -c "'$smolder' top --format tsv -i inuse_space '$tmp/remote.pb.gz' | cmp -s - '$tmp/a.out'"
"$smolder" top --url "$url" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type $CPU > "$tmp/top.txt"
check "the text header names the server and says the server merged it" \
  bash -c "grep -q '^File: $url {service_name=\"cpuwork-cpu\"}$' '$tmp/top.txt' && grep -q '^Aggregation: as the server merged it' '$tmp/top.txt'"
errcheck "no data in the range: one line naming the server" "no profiles match .* in '$url'" \
  top --url "$url" --from now-1h --query '{service_name="cpuwork-cpu"}'
PROFILECLI_URL=$url "$smolder" query types --from 0 > "$tmp/env.out" 2>&1
check "PROFILECLI_URL is the source without --db" grep -q "^$CPU\$" "$tmp/env.out"
usagecheck "--db with --url: pick one" "pick one" top --db "$db" --url "$url" --from 0
# a server's merge takes no aggregation: --aggregate that it cannot honour is refused
errcheck "--aggregate sum of a gauge with --url: refused, saying why" \
  "--aggregate sum has no effect with --url.*merge" top --url "$url" --from 0 --aggregate sum \
  --query '{service_name="heapwork-heap"}' --profile-type memory:inuse_space:bytes:space:bytes
errcheck "--aggregate with --url on diff too" "--aggregate avg has no effect with --url" \
  diff --url "$url" --from 0 --aggregate avg --query '{service_name="cpuwork-cpu"}' --profile-type $CPU
"$smolder" top --format tsv --url "$url" --from 0 --aggregate sum --query '{service_name="cpuwork-cpu"}' \
  --profile-type $CPU > "$tmp/b.out" 2>&1
"$smolder" top --format tsv --db "$db" --from 0 --aggregate sum --query '{service_name="cpuwork-cpu"}' \
  --profile-type $CPU > "$tmp/a.out" 2>&1
check "--aggregate sum of a counter with --url: what every server does, equal to --db" \
  cmp -s "$tmp/a.out" "$tmp/b.out"
# a URL without a scheme is refused without printing its password
for u in 'admin:s3cretpw@pyroscope.example:4040' 'htp://user:s3cretpw@pyroscope.example:4040'; do
  usagecheck "a bad --url ($u): refused, the password not printed" "wants http:// or https://" \
    top --url "$u" --profile-type $CPU
  check "  (not printed)" bash -c "! grep -q s3cret '$tmp/err'"
done
PROFILECLI_URL='admin:s3cretpw@pyroscope.example:4040' "$smolder" query types > /dev/null 2> "$tmp/err"
check "PROFILECLI_URL without a scheme: refused, the password not printed" \
  bash -c "grep -q 'wants http' '$tmp/err' && ! grep -q s3cret '$tmp/err'"

# --- the API as other clients speak it ----------------------------------------------------
st=$(http POST "$url/querier.v1.QuerierService/LabelValues" -H 'Content-Type: application/json' \
  --data '{"name":"service_name","start":"1","end":"4102444800000"}')
check "Connect JSON LabelValues with curl lists the services" \
  bash -c "[ '$st' = 200 ] && grep -q '\"cpuwork-cpu\"' '$tmp/body'"
st=$(http POST "$url/querier.v1.QuerierService/SelectMergeStacktraces" -H 'Content-Type: application/json' \
  --data "{\"profileTypeID\":\"$CPU\",\"labelSelector\":\"{service_name=\\\"cpuwork-cpu\\\"}\",\"start\":1,\"end\":4102444800000,\"maxNodes\":10}")
check "SelectMergeStacktraces with maxNodes 10: a flame graph folded into other" \
  bash -c "[ '$st' = 200 ] && grep -q '\"names\":\[\"total\",' '$tmp/body' && grep -q '\"other\"' '$tmp/body'"
st=$(http GET "$url/querier.v1.QuerierService/Series")
check "GET on a Connect method: 405" test "$st" = 405
st0=$(http GET "$url/pyroscope/render?query=$CPU%7Bservice_name%3D%22cpuwork-cpu%22%7D&from=0&until=now")
check "/pyroscope/render?from=0: 400, as upstream" test "$st0" = 400
total=$("$smolder" query profile --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type $CPU |
  sed -n 's/^total\t//p')
st=$(http GET "$url/pyroscope/render?query=$CPU%7Bservice_name%3D%22cpuwork-cpu%22%7D&from=1&until=now")
check "/pyroscope/render: flamebearer JSON whose numTicks is the merged total ($total)" \
  bash -c "[ '$st' = 200 ] && python3 -c 'import json,sys; d=json.load(open(\"$tmp/body\")); sys.exit(d[\"flamebearer\"][\"numTicks\"] != $total or d[\"version\"] != 1)'"
serve_stop

# --- authentication and tenants ------------------------------------------------------------
pwhash=$(openssl passwd -6 -salt e2esalt0 's3cret-pass')
tokhash=$(openssl passwd -6 -salt e2esalt1 'tok-ci-123')
cat > "$tmp/auth" <<EOF
basic  alice  $pwhash  anonymous,team-b
bearer ci     $tokhash team-c
EOF
serve_start auth --db "$db" --auth-file "$tmp/auth" || exit 1
url=http://127.0.0.1:$PORT
errcheck "no credentials: authentication failed, one line" "^smolder: $url: authentication failed" \
  query types --url "$url" --from 0
errcheck "a wrong password: authentication failed, the password not printed" "authentication failed" \
  query types --url "$url" --from 0 --username alice --password wr0ng-pass
check "  (not printed)" bash -c "! grep -q wr0ng '$tmp/err'"
"$smolder" query types --url "$url" --from 0 --username alice --password s3cret-pass > "$tmp/ok.out" 2>&1
check "Basic auth: the types" grep -q "^$CPU\$" "$tmp/ok.out"
PROFILECLI_USERNAME=alice PROFILECLI_PASSWORD=s3cret-pass "$smolder" query types --url "$url" --from 0 > "$tmp/ok.out" 2>&1
check "PROFILECLI_USERNAME/PASSWORD" grep -q "^$CPU\$" "$tmp/ok.out"
errcheck "another tenant's data: permission denied with the server's reason" "permission denied" \
  query types --url "$url" --from 0 --username alice --password s3cret-pass --tenant team-c
"$smolder" query types --url "$url" --from 0 --token tok-ci-123 > "$tmp/tok.out" 2>&1
check "Bearer auth sees its own tenant (team-c: empty)" bash -c "[ ! -s '$tmp/tok.out' ]"
check "the server log never holds a secret" bash -c "! grep -qE 's3cret|tok-ci|wr0ng' '$SLOG'"
serve_stop

# --- TLS -------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 \
  -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" > /dev/null 2>&1
serve_start tls --db "$db" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" || exit 1
url=https://127.0.0.1:$PORT
errcheck "an unknown CA: a TLS error with the way out" "TLS: .*--ca-cert FILE.*--insecure-skip-verify" \
  query types --url "$url" --from 0
"$smolder" query types --url "$url" --from 0 --ca-cert "$tmp/cert.pem" > "$tmp/tls.out" 2>&1
check "--ca-cert trusts it" grep -q "^$CPU\$" "$tmp/tls.out"
"$smolder" query types --url "$url" --from 0 --insecure-skip-verify > "$tmp/tls.out" 2>&1
check "--insecure-skip-verify too" grep -q "^$CPU\$" "$tmp/tls.out"
serve_stop

# --- a hostile server: what it sends never reaches the terminal raw -----------------------
# A stand-in answering each method from $tmp/hostile/METHOD.{body,status,headers} and
# logging the request headers it got.
mkdir -p "$tmp/hostile"
cat > "$tmp/hostile.py" <<'EOF'
import http.server, os, sys
d = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        req = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        m = self.path.rsplit("/", 1)[-1]
        if m == "Push":
            open(os.path.join(d, "Push.req"), "wb").write(req)
        with open(os.path.join(d, "log"), "a") as f:
            f.write("%s auth=%s tenant=%s diag=%s\n" % (m, self.headers.get("Authorization"),
                                                        self.headers.get("X-Scope-OrgID"),
                                                        self.headers.get("X-Pyroscope-Collect-Diagnostics")))
        p = os.path.join(d, m)
        body = open(p + ".body", "rb").read() if os.path.exists(p + ".body") else b"{}"
        st = int(open(p + ".status").read()) if os.path.exists(p + ".status") else 200
        self.send_response(st)
        if os.path.exists(p + ".headers"):
            for line in open(p + ".headers", "rb").read().split(b"\n"):
                if line:
                    k, v = line.split(b": ", 1)
                    self.send_header(k.decode(), v.decode("latin-1"))
        self.send_header("Content-Type", self.headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$tmp/hostile.py" "$hport" "$tmp/hostile" &
hpid=$!
for n in $(seq 1 50); do
  curl -s -o /dev/null -X POST "http://127.0.0.1:$hport/x/ProfileTypes" && break
  sleep 0.1
done
hurl=http://127.0.0.1:$hport
# safe FILE...: no control character (C0 but tab and newline, DEL, C1) in the files
safe() { ! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$@"; }
# says PATTERN OUT ERR: stdout or stderr matches, and neither holds a control character
says() { grep -q -- "$1" "$2" "$3" && safe "$2" "$3"; }
printf '302' > "$tmp/hostile/LabelValues.status"
printf 'Location: \x1b[2J\x1b]0;PWNED\x07http://evil.example/\n' > "$tmp/hostile/LabelValues.headers"
"$smolder" query types --url "$hurl" --codec json --from 0 > "$tmp/h.out" 2> "$tmp/h.err"
check "a redirect: one line naming it, its Location escaped" \
  says 'redirects (HTTP 302) to .*.x1b\[2J' "$tmp/h.out" "$tmp/h.err"
rm "$tmp/hostile/LabelValues."*
printf '{"names":\x1b[2J}' > "$tmp/hostile/LabelValues.body"
"$smolder" query types --url "$hurl" --codec json --from 0 > "$tmp/h.out" 2> "$tmp/h.err"
check "invalid JSON quoting an escape sequence: escaped" \
  says 'invalid JSON.*x1b' "$tmp/h.out" "$tmp/h.err"
rm "$tmp/hostile/LabelValues."*
printf '{"labelsSet":[{"labels":[{"name":"\\u001b[2J\\u001b]0;PWNED\\u0007svc","value":"a\\u001b[31m"}]}]}' \
  > "$tmp/hostile/Series.body"
"$smolder" query series --url "$hurl" --codec json --from 0 > "$tmp/h.out" 2> "$tmp/h.err"
check "label names and values in the series table: escaped" \
  says 'x1b\[2J.x1b\]0;PWNED.x07svc' "$tmp/h.out" "$tmp/h.err"
: > "$tmp/hostile/log"
PROFILECLI_TOKEN=envtok PROFILECLI_TENANT_ID=t1 "$smolder" query types --url "$hurl" --from 0 > /dev/null 2>&1
check "PROFILECLI_TOKEN and PROFILECLI_TENANT_ID are sent" \
  grep -q 'auth=Bearer envtok tenant=t1' "$tmp/hostile/log"
: > "$tmp/hostile/log"
"$smolder" query types --url "$hurl" --from 0 --tenant-id t2 > /dev/null 2> "$tmp/h.err"
"$smolder" top --url "$hurl" --from 0 --tenant-id t3 --query '{}' --profile-type "$CPU" > /dev/null 2>> "$tmp/h.err"
check "profilecli's --tenant-id, on query and the reading verbs, is X-Scope-OrgID" \
  bash -c "grep -q 'ProfileTypes.*tenant=t2\|LabelValues.*tenant=t2' '$tmp/hostile/log' && grep -q 'tenant=t3' '$tmp/hostile/log' && ! grep -q unrecognized '$tmp/h.err'"
: > "$tmp/hostile/log"
PROFILECLI_USERNAME=envuser "$smolder" query types --url "$hurl" --from 0 --token clitok > /dev/null 2>&1
check "a --token given replaces PROFILECLI_USERNAME" grep -q 'auth=Bearer clitok' "$tmp/hostile/log"
: > "$tmp/hostile/log"
"$smolder" query types --url "$hurl" --from 0 --username "" --password "" --token clitok > /dev/null 2>&1
check "an empty --username and --password are none, as profilecli's: Bearer, not Basic ':'" \
  grep -q 'auth=Bearer clitok' "$tmp/hostile/log"
# a tenant or credential with a line break or another control character: refused in one
# line naming the option or variable (never the value), nothing sent.  Before, a token's
# trailing newline ended the header block (the server read no body) and a tenant's CR/LF
# was refused as "--tenant" even when it came from PROFILECLI_TENANT_ID
: > "$tmp/hostile/log"
PROFILECLI_TOKEN=$'envs3cret\n' usagecheck "PROFILECLI_TOKEN ending in a newline: refused" \
  "^smolder: PROFILECLI_TOKEN holds a line break \(at byte 9\)" \
  query types --url "$hurl" --from 0
usagecheck "--token with a tab: refused" "^smolder: --token holds a control character \(byte 0x09" \
  query types --url "$hurl" --from 0 --token $'s3cret\tx'
usagecheck "--tenant with CR/LF: refused" "^smolder: --tenant holds a line break" \
  query types --url "$hurl" --from 0 --tenant $'t1\r\nX-Evil: 2'
usagecheck "--username with a control character: refused" "^smolder: --username holds a control" \
  top --url "$hurl" --from 0 --username $'al\x01ice' --password s3cret --query '{}'
usagecheck "--password ending in a newline: refused" "^smolder: --password holds a line break" \
  query series --url "$hurl" --from 0 --username alice --password $'s3cret\n'
check "  (nothing was sent, no secret printed)" \
  bash -c "[ ! -s '$tmp/hostile/log' ] && ! grep -q s3cret '$tmp/err'"
# upload's refusals read as the query verbs': escaped, one line
printf '500' > "$tmp/hostile/Push.status"
printf '{"code":"internal","message":"bad \\u001b]0;PWNED\\u0007\\u001b[31mRED\\nsecond line"}' \
  > "$tmp/hostile/Push.body"
"$smolder" upload --url "$hurl" "$ex/cpuwork-cpu.pb.gz" > "$tmp/h.out" 2> "$tmp/h.err"
check "upload: a Connect error's message escaped" \
  says 'answered 500: bad .x1b\]0;PWNED' "$tmp/h.out" "$tmp/h.err"
check "  (one line)" test "$(wc -l < "$tmp/h.err")" = 1
printf 'plain failure \x1b[2J\nline2' > "$tmp/hostile/Push.body"
printf '400' > "$tmp/hostile/Push.status"
"$smolder" upload --url "$hurl" "$ex/cpuwork-cpu.pb.gz" > "$tmp/h.out" 2> "$tmp/h.err"
check "upload: a text body's first line, escaped" \
  says 'answered 400: plain failure .x1b\[2J' "$tmp/h.out" "$tmp/h.err"
check "  (one line)" test "$(wc -l < "$tmp/h.err")" = 1
rm "$tmp/hostile/Push."*
# a zstd-compressed pprof (a frame of raw blocks, made here) is sent inflated: Grafana
# Pyroscope reads gzip or plain pprof only (it got the zstd bytes)
python3 - "$ex/cpuwork-cpu.pb.gz" "$tmp/cpu.pb.zst" <<'EOF'
import gzip, struct, sys
plain = gzip.decompress(open(sys.argv[1], "rb").read())
out = bytearray(b"\x28\xb5\x2f\xfd\x00\x38")  # magic, no content size, window 128 KiB
for i in range(0, len(plain), 1 << 17):       # raw blocks of at most 128 KiB
    chunk = plain[i:i + (1 << 17)]
    out += struct.pack("<I", int(i + (1 << 17) >= len(plain)) | (len(chunk) << 3))[:3] + chunk
open(sys.argv[2], "wb").write(out)
EOF
"$smolder" upload --url "$hurl" "$tmp/cpu.pb.zst" > /dev/null 2>&1
check "upload of a zstd-compressed pprof sends the pprof inflated" python3 -c "
import gzip, sys
req = open('$tmp/hostile/Push.req', 'rb').read()
assert gzip.decompress(open('$ex/cpuwork-cpu.pb.gz', 'rb').read()) in req
assert b'\x28\xb5\x2f\xfd' not in req"
rm "$tmp/hostile/Push."*
# --service is --extra-labels service_name=...: the last one given wins, in upload as in
# ingest (upload took --service, ingest --extra-labels, whatever the order)
"$smolder" upload --url "$hurl" --extra-labels service_name=el --service sv "$ex/cpuwork-cpu.pb.gz" > "$tmp/h.out" 2>&1
check "upload --extra-labels service_name=el --service sv: sv" grep -q 'uploaded as {.*service_name="sv"' "$tmp/h.out"
"$smolder" upload --url "$hurl" --service sv --extra-labels env=e,service_name=el "$ex/cpuwork-cpu.pb.gz" > "$tmp/h.out" 2>&1
check "upload --service sv --extra-labels service_name=el: el" grep -q 'uploaded as {.*service_name="el"' "$tmp/h.out"
# profilecli's --collect-diagnostics (and PROFILECLI_COLLECT_DIAGNOSTICS): its header
: > "$tmp/hostile/log"
"$smolder" upload --url "$hurl" --collect-diagnostics "$ex/cpuwork-cpu.pb.gz" > /dev/null 2>&1
PROFILECLI_COLLECT_DIAGNOSTICS=true "$smolder" upload --url "$hurl" "$ex/cpuwork-cpu.pb.gz" > /dev/null 2>&1
PROFILECLI_COLLECT_DIAGNOSTICS=false "$smolder" upload --url "$hurl" "$ex/cpuwork-cpu.pb.gz" > /dev/null 2>&1
check "upload --collect-diagnostics, PROFILECLI_COLLECT_DIAGNOSTICS=true: X-Pyroscope-Collect-Diagnostics; =false: none" \
  bash -c "[ \$(grep -c '^Push .*diag=true$' '$tmp/hostile/log') -eq 2 ] && [ \$(grep -c '^Push .*diag=None$' '$tmp/hostile/log') -eq 1 ]"
rm -f "$tmp/hostile/Push."*
# a password without a user name is sent (Basic, as profilecli and upload send it)
: > "$tmp/hostile/log"
"$smolder" query types --url "$hurl" --from 0 --password pw-only > /dev/null 2>&1
check "--password without --username: Basic with an empty name" \
  grep -q "auth=Basic $(printf ':pw-only' | base64)" "$tmp/hostile/log"
# a merged profile with two sample types and no samples (an empty answer): nothing to
# show, said in one line, and nothing leaked (the ASan run checks)
printf '\x0a\x00\x0a\x00\x32\x00' > "$tmp/hostile/SelectMergeProfile.body"
errcheck "an empty merged profile: no data, one line" "no .*profiles match" \
  top --url "$hurl" --from 0 --query '{service_name="x"}' --profile-type "$CPU"
kill "$hpid" 2> /dev/null
wait "$hpid" 2> /dev/null

# --- a slow server: on a terminal a waiting line (seconds, Ctrl-C), erased; else nothing ---
python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16); print(s.getsockname()[1], flush=True)
c = []
while True: c.append(s.accept()[0])' > "$tmp/slow.port" &
spid=$!
for _ in $(seq 100); do [ -s "$tmp/slow.port" ] && break; sleep 0.05; done
slow=http://127.0.0.1:$(cat "$tmp/slow.port")
script -qec "'$smolder' query types --url '$slow' --timeout 3" /dev/null > "$tmp/tty.out"
check "on a terminal a --url request shows 'waiting for URL... N s (Ctrl-C aborts)'" \
  bash -c "grep -q 'waiting for $slow\.\.\. 1 s (Ctrl-C aborts)' '$tmp/tty.out' && grep -q 'waiting for $slow\.\.\. 2 s' '$tmp/tty.out'"
check "... erased before the error line" grep -qF $'\r\e[Ksmolder: '"$slow: timed out" "$tmp/tty.out"
errcheck "not on a terminal: only the error line" "^smolder: $slow: timed out" \
  top --url "$slow" --timeout 2 --query '{}' --profile-type "$CPU"
# upload has no time limit but connecting, as profilecli (it gave up after 60 s whatever
# the size); Ctrl-C stops it (it was not polled: the upload went on to the 60 s)
"$smolder" upload --url "$slow" "$ex/cpuwork-cpu.pb.gz" > /dev/null 2> "$tmp/up.err" &
upid=$!
sleep 1
kill -INT "$upid"
for _ in $(seq 50); do kill -0 "$upid" 2> /dev/null || break; sleep 0.1; done
if kill -0 "$upid" 2> /dev/null; then
  kill "$upid"; echo "FAIL - upload to a server that never answers stops at Ctrl-C"; fail=$((fail + 1))
else
  wait "$upid"
  check "upload to a server that never answers stops at Ctrl-C, one line" \
    bash -c "[ $? -eq 1 ] && [ \$(wc -l < '$tmp/up.err') -eq 1 ] && grep -q '^smolder upload: $slow: cancelled$' '$tmp/up.err'"
fi
kill "$spid" 2> /dev/null
wait "$spid" 2> /dev/null

# --- upload and query series against a real server of their own ---------------------------
serve_start up --db "$tmp/up.db" || exit 1
uurl=http://127.0.0.1:$PORT
# an empty service_name or __name__ is profilecli's default (it tests lbl.Get(...) == ""):
# they were sent empty and refused with a 400
"$smolder" upload --url "$uurl" --service "" "$ex/cpuwork-cpu.pb.gz" > "$tmp/up.out" 2> "$tmp/up.err"
check "upload --service \"\": service_name=\"profilecli-upload\", uploaded" \
  bash -c "[ ! -s '$tmp/up.err' ] && grep -q 'uploaded as {__name__=\"process_cpu\", service_name=\"profilecli-upload\"}' '$tmp/up.out'"
"$smolder" upload --url "$uurl" --service up --extra-labels __name__= "$ex/heapwork-heap.pb.gz" > "$tmp/up.out" 2> "$tmp/up.err"
check "upload --extra-labels __name__=: the name from the sample types (memory), uploaded" \
  bash -c "[ ! -s '$tmp/up.err' ] && grep -q 'uploaded as {__name__=\"memory\", service_name=\"up\"}' '$tmp/up.out'"
check "  both stored under those names" \
  bash -c "'$smolder' query series --url '$uurl' --from 0 --label-names service_name --label-names __name__ | grep -qE '^process_cpu +profilecli-upload$' && '$smolder' query series --url '$uurl' --from 0 --label-names service_name --label-names __name__ | grep -qE '^memory +up$'"
# query series --label-names: the distinct sets (the heap's four series are one row), as
# profilecli prints the server's answer
"$smolder" query series --url "$uurl" --from 0 --label-names service_name > "$tmp/lns.out"
check "query series --url --label-names service_name: a row per service" \
  bash -c "[ \"\$(tail -n +2 '$tmp/lns.out' | tr -d ' ' | paste -sd,)\" = profilecli-upload,up ]"
# --extra-labels as profilecli's kingpin map: one label a flag, split at the first ':' or
# '=' (env:prod was refused; q=a?x=1,y=2 was two labels)
"$smolder" upload --url "$uurl" --service kp --extra-labels env:prod --extra-labels 'q=a?x=1,y=2' \
  "$ex/cpuwork-cpu.pb.gz" > "$tmp/up.out" 2> "$tmp/up.err"
check "upload --extra-labels env:prod --extra-labels q=a?x=1,y=2: env=\"prod\", q=\"a?x=1,y=2\"" \
  bash -c "[ ! -s '$tmp/up.err' ] && grep -qF 'uploaded as {__name__=\"process_cpu\", env=\"prod\", q=\"a?x=1,y=2\", service_name=\"kp\"}' '$tmp/up.out'"
serve_stop
# a proxy's HTML error page: said to be one, not "(no reason given)"
python3 -c 'import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        b = b"<html><body><h1>502 Bad Gateway</h1></body></html>\n"
        self.send_response(502); self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()' > "$tmp/proxy.port" &
ppid=$!
for _ in $(seq 100); do [ -s "$tmp/proxy.port" ] && break; sleep 0.05; done
"$smolder" upload --url "http://127.0.0.1:$(cat "$tmp/proxy.port")" "$ex/cpuwork-cpu.pb.gz" > /dev/null 2> "$tmp/up.err"
check "upload answered by a proxy's HTML 502: says it is an HTML page, one line" \
  bash -c "[ \$(wc -l < '$tmp/up.err') -eq 1 ] && grep -q 'answered 502: an HTML page, not the push API.s answer' '$tmp/up.err'"
kill "$ppid" 2> /dev/null
wait "$ppid" 2> /dev/null

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
