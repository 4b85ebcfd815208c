#!/usr/bin/env bash
# End-to-end tests of `smolder serve` (a real server on 127.0.0.1, random ports, real
# SQLite files) and `smolder upload`:
#   - every shared pprof fixture pushed the Go SDK way (multipart, curl -F), the
#     pyroscope-rs way (push.v1 proto, built by `smolder upload`) and as push.v1 JSON
#     (curl): the store's top tables equal `smolder top FILE`, and `query types` lists
#     the fixture README's profile types;
#   - malformed bodies of many kinds: 4xx with a reason, the server keeps serving, the
#     store is unchanged; a slow client does not wedge it;
#   - bounds: 413 (body limit), 429 + Retry-After (--max-inflight), 507 on a full store
#     (--max-store-size, and a real full tmpfs when a user namespace can mount one),
#     eviction keeping the file under --max-store-size; a push answered while a long query
#     runs (queries have their own threads), 504 for a query past --request-timeout, at
#     most 1,000 matchers in a list request; a small push answered while a large one is
#     decoded on the same HTTP thread (decoders);
#   - security: a non-loopback listener needs --auth-file (or --no-auth), credentials need
#     TLS off loopback; basic and bearer credentials bound to tenants, 401/403, HTTPS with a
#     self-signed certificate made here; tenants never see each other's data;
#   - GET /ready, GET /metrics, the log line, graceful stop on SIGTERM, and a second
#     SIGTERM ending that stop at once.
# Usage: serve.sh SMOLDER TESTDATA EXAMPLES_DIR
set -u
smolder=$1
td=$2
ex=$3
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
unset SMOLDER_DB XDG_DATA_HOME PROFILECLI_URL PROFILECLI_USERNAME PROFILECLI_PASSWORD PROFILECLI_TOKEN PROFILECLI_TENANT_ID
. "$(dirname "$0")/serve_lib.sh"

for tool in curl openssl python3 sqlite3; do
  command -v "$tool" > /dev/null || { echo "FAIL - $tool is not installed (./build.sh deps)"; exit 1; }
done

PP=$td/pyroscope/grafana-pyroscope/pkg/pprof/testdata
OG=$td/pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata
PH=$td/pyroscope/grafana-pyroscope/pkg/phlaredb/testdata
GP=$td/pyroscope/google-pprof/internal
GO_CPU="process_cpu:samples:count:cpu:nanoseconds process_cpu:cpu:nanoseconds:cpu:nanoseconds"
CPU_NS="process_cpu:cpu:nanoseconds:cpu:nanoseconds"
GO_HEAP="memory:alloc_objects:count:space:bytes memory:alloc_space:bytes:space:bytes memory:inuse_objects:count:space:bytes memory:inuse_space:bytes:space:bytes"
DOTNET="process_cpu:cpu:nanoseconds::nanoseconds process_cpu:alloc_samples:count::nanoseconds process_cpu:alloc_size:bytes::nanoseconds process_cpu:exception:count::nanoseconds process_cpu:lock_count:count::nanoseconds process_cpu:lock_time:nanoseconds::nanoseconds"
# file|spyName|sample_type_config|expected profile types (the fixtures' README)
fixtures=(
  "$PP/go.cpu.labels.pprof|gospy||$GO_CPU"
  "$OG/cpu.pb.gz|gospy||$GO_CPU"
  "$PH/profile_uncompressed|gospy||$GO_CPU"
  "$PP/single_group_with_optional_span_id.pb.gz|gospy||$GO_CPU"
  "$PP/heap_delta|gospy||$GO_HEAP"
  "$OG/req_2.pprof|gospy|$OG/req_2.st.json|goroutines:goroutine:count:goroutine:count"
  "$OG/req_3.pprof|gospy|$OG/req_3.st.json|block:contentions:count:contentions:count block:delay:nanoseconds:contentions:count"
  "$OG/req_4.pprof|gospy|$OG/req_4.st.json|mutex:contentions:count:contentions:count mutex:delay:nanoseconds:contentions:count"
  "$OG/req_5.pprof|gospy|$OG/req_5.st.json|$GO_HEAP"
  "$PP/profile_java|javaspy||$CPU_NS"
  "$PP/profile_python|pyroscope-rs||process_cpu:samples:count::milliseconds"
  "$OG/pyspy-1.pb.gz|pyspy||process_cpu:samples:count::milliseconds"
  "$PP/profile_nodejs|nodespy||wall:wall:microseconds:wall:microseconds"
  "$OG/nodejs-wall.pb.gz|nodespy||wall:samples:count:wall:microseconds wall:wall:microseconds:wall:microseconds"
  "$OG/cpu-js.pb.gz|nodespy||wall:sample:count:wall:microseconds wall:wall:microseconds:wall:microseconds"
  "$OG/nodejs-heap.pb.gz|nodespy||memory:inuse_objects:count:inuse_space:bytes memory:inuse_space:bytes:inuse_space:bytes"
  "$OG/heap-js.pprof|nodespy||memory:objects:count:space:bytes memory:space:bytes:space:bytes"
  "$PP/profile_rust|pyroscope-rs||$CPU_NS"
  "$OG/dotnet-pprof-211.pb.gz|dotnetspy|$OG/dotnet-pprof-211.st.json|$DOTNET"
  "$GP/report/testdata/sample.cpu|gospy||$GO_CPU"
  "$GP/driver/testdata/cppbench.cpu_no_samples_type|unknown||$CPU_NS"
)

db=$tmp/s.db
serve_start main --db "$db" || exit 1
url=http://127.0.0.1:$PORT

# compare SVC FILE TYPES RENAMED: query types, then top per type (totals only when RENAMED)
compare() {
  local svc=$1 file=$2 want=$3 renamed=$4 got pt t bad=0
  got=$("$smolder" query types --db "$db" --from 0 --query "{service_name=\"$svc\"}" | sort | tr '\n' ' ')
  if [ "$got" != "$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ')" ]; then
    echo "     $svc: types '$got', want '$want'"; return 1
  fi
  for pt in $want; do
    t=$(echo "$pt" | cut -d: -f2)
    "$smolder" top --format tsv -i "$t" "$file" > "$tmp/file.tsv" 2> /dev/null ||
      "$smolder" top --format tsv -i "$(echo "$t" | tr _ -)" "$file" > "$tmp/file.tsv"
    "$smolder" top --format tsv --db "$db" --from 0 --query "{service_name=\"$svc\"}" --profile-type "$pt" > "$tmp/db.tsv"
    if [ "$renamed" = 1 ]; then
      [ "$(sed -n 2p "$tmp/file.tsv" | cut -f2)" = "$(sed -n 2p "$tmp/db.tsv" | cut -f2)" ] ||
        { echo "     $svc $pt: totals differ"; bad=1; }
    elif ! cmp -s "$tmp/file.tsv" "$tmp/db.tsv"; then
      echo "     $svc $pt differs:"; diff "$tmp/file.tsv" "$tmp/db.tsv" | head -4; bad=1
    fi
  done
  return $bad
}

# --- the Go SDK way: multipart /ingest --------------------------------------------------
i=0 bad=0
for f in "${fixtures[@]}"; do
  IFS='|' read -r file spy stc types <<< "$f"
  i=$((i + 1))
  args=(-F "profile=@$file;filename=profile.pprof;type=application/octet-stream")
  [ -n "$stc" ] && args+=(-F "sample_type_config=@$stc;filename=sample_type_config.json")
  st=$(http POST "$url/ingest?name=go-$i%7Benv%3De2e%7D&spyName=$spy&sampleRate=100&from=$(date +%s)&until=$(date +%s)" "${args[@]}")
  if [ "$st" != 200 ]; then echo "     go-$i ($file): $st $(cat "$tmp/body")"; bad=$((bad + 1)); continue; fi
  renamed=0; [ "$spy" = pyspy ] && renamed=1
  compare "go-$i" "$file" "$types" "$renamed" || bad=$((bad + 1))
done
check "all ${#fixtures[@]} fixtures pushed as Go SDK multipart: 200, their profile types, the file's top tables" test "$bad" -eq 0

# --- the pyroscope-rs way: push.v1 proto built by smolder upload -----------------------
i=0 bad=0
for f in "${fixtures[@]}"; do
  IFS='|' read -r file spy stc types <<< "$f"
  i=$((i + 1))
  metric=${types%%:*}
  if ! "$smolder" upload --url "$url" --service "rs-$i" --extra-labels "__name__=$metric,env=e2e" "$file" > "$tmp/up.out" 2> "$tmp/up.err"; then
    echo "     rs-$i ($file): $(cat "$tmp/up.err")"; bad=$((bad + 1)); continue
  fi
  compare "rs-$i" "$file" "$types" 0 || bad=$((bad + 1))
done
check "all ${#fixtures[@]} fixtures pushed by smolder upload (push.v1 proto): their types and top tables" test "$bad" -eq 0
check "upload says what it uploaded, with the labels and an id" \
  grep -qE "^.*cppbench.cpu_no_samples_type: uploaded as \{__name__=\"process_cpu\", env=\"e2e\", service_name=\"rs-21\"\} id=[0-9a-f-]{36}$" "$tmp/up.out"

# --- smolder upload: what profilecli's upload does, and the names smolder ingest gives ----
# a block profile without __name__ is block, as ingest names it (it went into mutex's series)
"$smolder" upload --url "$url" --service up-bm "$ex/contention-block.pb.gz" "$ex/contention-mutex.pb.gz" > /dev/null 2> "$tmp/up.err"
check "upload names a block profile block and a mutex one mutex (as ingest does)" \
  test "$("$smolder" query types --db "$db" --from 0 --query '{service_name="up-bm"}' | cut -d: -f1 | sort | uniq -c | tr '\n' ' ' | tr -s ' ')" = " 2 block 2 mutex "

# a perf script is converted, its cpu-clock type renamed cpu_clock (Pyroscope refuses '-';
# the upload was refused: "sample type 'cpu-clock' contains '-'")
"$smolder" upload --url "$url" --service up-perf "$td/perf/cpuwork.perfscript" > /dev/null 2> "$tmp/up.err"
"$smolder" top --format tsv -i cpu-clock "$td/perf/cpuwork.perfscript" > "$tmp/file.tsv"
"$smolder" top --format tsv --db "$db" --from 0 --query '{service_name="up-perf"}' \
  --profile-type process_cpu:cpu_clock:nanoseconds:: > "$tmp/db.tsv" 2>> "$tmp/up.err"
check "upload of a perf script: stored as cpu_clock, with the file's top table" \
  bash -c "[ ! -s '$tmp/up.err' ] && [ \$(wc -l < '$tmp/db.tsv') -gt 10 ] && cmp -s '$tmp/file.tsv' '$tmp/db.tsv'"

# a Pyroscope lines file (a stack per line, no count), read as /ingest?format=lines reads
# it: '#' and blanks are parts of frames, an empty frame is kept unless it ends the line;
# frames with escape sequences (not text to the detector) still upload as lines
printf '#comment\n  a;b\n\na;;b\nc \nx;\033[31mred\033[0m\nx;\033[31mred\033[0m\n' > "$tmp/t.lines"
"$smolder" upload --url "$url" --service up-lines "$tmp/t.lines" > /dev/null 2> "$tmp/up.err"
st=$(http POST "$url/ingest?name=ing-lines.cpu&format=lines" --data-binary @"$tmp/t.lines")
"$smolder" top --format tsv "$tmp/t.lines" | cut -f2,5,6 > "$tmp/lines.file"
"$smolder" top --format tsv --db "$db" --from 0 --query '{service_name="up-lines"}' 2>> "$tmp/up.err" | cut -f2,5,6 > "$tmp/lines.up"
"$smolder" top --format tsv --db "$db" --from 0 --query '{service_name="ing-lines"}' 2>> "$tmp/up.err" | cut -f2,5,6 > "$tmp/lines.ing"
check "a .lines file: uploaded, and read as /ingest?format=lines reads it (the same table three ways)" \
  bash -c "[ '$st' = 200 ] && [ ! -s '$tmp/up.err' ] && [ \$(wc -l < '$tmp/lines.file') -eq 9 ] && cmp -s '$tmp/lines.file' '$tmp/lines.up' && cmp -s '$tmp/lines.file' '$tmp/lines.ing'"

# /ingest and /pyroscope/render read from/until with one parser: a push from now-1h30m
# is found by a render from a minute before it, not around now-1h (ingest read it as
# now-1h, render as 90 minutes); junk is now for a push and a 400 for a render
st=$(http POST "$url/ingest?name=attime.cpu&from=now-1h30m&until=now-1h29m" --data-binary $'a;b 7\n')
st2=$(http POST "$url/ingest?name=attime-junk.cpu&from=yesterday&until=garbage" --data-binary $'a;b 5\n')
AQ='process_cpu:cpu:nanoseconds:cpu:nanoseconds%7Bservice_name%3D%22attime'
ticks() {  # ticks SERVICE_SUFFIX RANGE: render's numTicks, or its status when not 200
  local s
  s=$(http GET "$url/pyroscope/render?query=$AQ$1%22%7D&$2&format=json")
  [ "$s" = 200 ] && sed -n 's/.*"numTicks":\([0-9]*\).*/\1/p' "$tmp/body" || echo "status $s"
}
check "a push from now-1h30m is where a render from now-1h31m..now-80m finds it, not at now-1h" \
  bash -c "[ '$st' = 200 ] && [ '$(ticks '' 'from=now-1h31m&until=now-80m')' = 70000000 ] && [ '$(ticks '' 'from=now-65m&until=now-55m')' = 0 ]"
check "a push from junk is stored now; a render from junk is refused" \
  bash -c "[ '$st2' = 200 ] && [ '$(ticks -junk 'from=now-5m&until=now')' = 50000000 ] && [ '$(ticks -junk 'from=yesterday&until=now')' = 'status 400' ]"
# a NUL in a time is junk for both (render read up to the NUL: now-1h%00zzz was now-1h)
check "a render from now-1h%00zzz is refused, as /ingest takes it for junk" \
  bash -c "[ '$(ticks -junk 'from=now-1h%00zzz&until=now')' = 'status 400' ]"

# many files: requests of at most 4 MiB of inflated profiles, halved while the server
# says too big (all of them went in one request, refused, and nothing was uploaded)
mkdir -p "$tmp/many"
for k in $(seq 1 90); do cp "$ex/heapwork-heap.pb.gz" "$tmp/many/h$k.pb.gz"; done
for k in $(seq 1 45); do cp "$ex/cpuwork-cpu.pb.gz" "$tmp/many/c$k.pb.gz"; done
"$smolder" upload --url "$url" --service up-many "$tmp/many"/h*.pb.gz > "$tmp/up.out" 2> "$tmp/up.err"
check "upload of 90 heap profiles (8.9 MB, 29 MB inflated; the limit is 8 MiB): all stored" \
  bash -c "[ ! -s '$tmp/up.err' ] && [ \$(grep -c 'uploaded as' '$tmp/up.out') -eq 90 ] && \
    '$smolder' top --aggregate sum --db '$db' --from 0 --query '{service_name=\"up-many\"}' --profile-type memory:inuse_space:bytes:space:bytes | grep -q '^Aggregation: sum of 90 profiles'"
main_srv=("$SPID" "$PORT" "$SLOG")
serve_start small --db "$tmp/small.db" --max-body 1m || exit 1
"$smolder" upload --url "http://127.0.0.1:$PORT" --service up-small "$tmp/many"/c*.pb.gz > "$tmp/up.out" 2> "$tmp/up.err"
check "a server with a 1 MiB limit: 45 CPU profiles (1.1 MB, 2.2 MB inflated) in requests it takes" \
  bash -c "[ ! -s '$tmp/up.err' ] && [ \$(grep -c 'uploaded as' '$tmp/up.out') -eq 45 ] && grep -q 'Push 413' '$SLOG' && grep -q 'Push 400 .*batched profile payload size exceeds' '$SLOG'"
"$smolder" upload --url "http://127.0.0.1:$PORT" --service up-small "$tmp/many/c1.pb.gz" "$tmp/many/c2.pb.gz" \
  "$td/go/gencode3k-cpu.pb.gz" > "$tmp/up.out" 2> "$tmp/up.err"
check "a file past the limit: one line naming it, saying what was uploaded before" \
  bash -c "[ \$(wc -l < '$tmp/up.err') -eq 1 ] && grep -q 'gencode3k-cpu.pb.gz: http://127.0.0.1:$PORT answered 413: .* (2 of the 3 files were uploaded, as said above; the others were not)' '$tmp/up.err' && [ \$(grep -c 'uploaded as' '$tmp/up.out') -eq 2 ]"
serve_stop
SPID=${main_srv[0]} PORT=${main_srv[1]} SLOG=${main_srv[2]}
printf 'not a profile\n' > "$tmp/many/bad.pb"
"$smolder" upload --url "$url" --service up-bad "$tmp/many/c1.pb.gz" "$tmp/many/bad.pb" > "$tmp/up.out" 2> "$tmp/up.err"
rc=$?
check "one bad file of several: status 1, one line naming it, nothing sent" \
  bash -c "[ $rc -eq 1 ] && [ ! -s '$tmp/up.out' ] && [ \$(wc -l < '$tmp/up.err') -eq 1 ] && grep -q 'bad.pb' '$tmp/up.err'"
check "  (the good one is not stored either)" \
  test -z "$("$smolder" query series --db "$db" --from 0 --query '{service_name="up-bad"}')"

# a file's sample type (its __name__ when no rule names it) holding escape sequences is
# printed escaped in the "uploaded as" line (it reached the terminal raw)
python3 - "$tmp/esc.pb" <<'EOF'
import sys
def v(n):
    out = b""
    while True:
        b = n & 0x7f; n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n: return out
f = lambda no, d: v(no << 3 | 2) + v(len(d)) + d   # a length-delimited field
i = lambda no, n: v(no << 3) + v(n)                # a varint field
p = f(1, i(1, 1) + i(2, 2)) + f(2, f(1, v(1)) + f(2, v(5)))
p += f(4, i(1, 1) + f(4, i(1, 1))) + f(5, i(1, 1) + i(2, 3))
for s in [b"", b"\x1b]0;PWNED\x07", b"count", b"main.work"]:
    p += f(6, s)
open(sys.argv[1], "wb").write(p)
EOF
"$smolder" upload --url "$url" --service 'up"esc' "$tmp/esc.pb" > "$tmp/up.out" 2> "$tmp/up.err"
check "upload prints a file's escape sequences in its labels escaped" \
  bash -c "grep -qF 'uploaded as {__name__=\"\\x1b]0;PWNED\\x07\", service_name=\"up\\\"esc\"}' '$tmp/up.out' && ! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' '$tmp/up.out'"
# its labels line goes to standard output: a pipe gets UTF-8 whatever the locale, even with
# stderr on a (non-UTF-8) terminal, which it looked at
script -qec "env LC_ALL=C LANG=C '$smolder' upload --url '$url' --service 'caf$(printf '\xc3\xa9')' '$ex/cpuwork-cpu.pb.gz' > '$tmp/up8.out'" /dev/null > /dev/null
check "upload's labels line to a pipe keeps UTF-8 in a C locale" \
  grep -qF "service_name=\"caf$(printf '\xc3\xa9')\"" "$tmp/up8.out"

# --- push.v1 JSON (Connect) with curl ----------------------------------------------------
i=0 bad=0
for f in "${fixtures[@]}"; do
  IFS='|' read -r file spy stc types <<< "$f"
  i=$((i + 1))
  python3 - "$file" "${types%%:*}" "js-$i" > "$tmp/push.json" <<'EOF'
import base64, json, sys
data = open(sys.argv[1], "rb").read()
print(json.dumps({"series": [{"labels": [{"name": "__name__", "value": sys.argv[2]},
                                          {"name": "service_name", "value": sys.argv[3]}],
                              "samples": [{"rawProfile": base64.b64encode(data).decode(), "ID": "e2e"}]}]}))
EOF
  st=$(http POST "$url/push.v1.PusherService/Push" -H 'Content-Type: application/json' --data-binary "@$tmp/push.json")
  if [ "$st" != 200 ] || [ "$(cat "$tmp/body")" != "{}" ]; then echo "     js-$i: $st $(cat "$tmp/body")"; bad=$((bad + 1)); continue; fi
  compare "js-$i" "$file" "$types" 0 || bad=$((bad + 1))
done
check "all ${#fixtures[@]} fixtures pushed as push.v1 JSON: 200 {}, their types and top tables" test "$bad" -eq 0

# every request header is read, as Go's net/http reads them: a Content-Type after 150
# others (it was lost past the 100th: 415)
python3 - "$ex/cpuwork-cpu.pb.gz" > "$tmp/push-hdrs.json" <<'EOF'
import base64, json, sys
data = open(sys.argv[1], "rb").read()
print(json.dumps({"series": [{"labels": [{"name": "__name__", "value": "process_cpu"},
                                          {"name": "service_name", "value": "many-headers"}],
                              "samples": [{"rawProfile": base64.b64encode(data).decode()}]}]}))
EOF
pad=()
for k in $(seq 1 150); do pad+=(-H "X-Pad-$k: $k"); done
st=$(http POST "$url/push.v1.PusherService/Push" "${pad[@]}" -H 'Content-Type: application/json' --data-binary "@$tmp/push-hdrs.json")
check "push.v1 with its Content-Type after 150 other headers: 200 {} (got $st $(head -c 120 "$tmp/body"))" \
  test "$st:$(cat "$tmp/body")" = "200:{}"

# --- malformed requests: 4xx with a reason, nothing stored, still serving -----------------
"$smolder" query series --db "$db" --from 0 > "$tmp/series.before"
printf 'not a profile at all' > "$tmp/junk"
head -c 300 "$ex/cpuwork-cpu.pb.gz" > "$tmp/truncated.pb.gz"
bad=0
expect_status() {  # expect_status WANT DESCRIPTION METHOD URL CURL-ARGS...
  local want=$1 d=$2 st; shift 2
  st=$(http "$@")
  if [ "$st" != "$want" ] || ! grep -q '"message":"..*"' "$tmp/body"; then
    echo "     $d: status $st (want $want): $(head -c 200 "$tmp/body")"; bad=$((bad + 1))
  fi
}
expect_status 400 "no name" POST "$url/ingest" -F "profile=@$ex/cpuwork-cpu.pb.gz;filename=p"
expect_status 422 "multipart with a junk profile" POST "$url/ingest?name=bad" -F "profile=@$tmp/junk;filename=p"
expect_status 422 "truncated gzip pprof" POST "$url/ingest?name=bad&format=pprof" --data-binary "@$tmp/truncated.pb.gz"
expect_status 422 "invalid UTF-8 in the string table" POST "$url/ingest?name=bad" -F "profile=@$OG/invalid_utf8.pb.gz;filename=p"
expect_status 422 "a prev_profile part" POST "$url/ingest?name=bad" -F "profile=@$ex/cpuwork-cpu.pb.gz;filename=p" -F "prev_profile=@$ex/cpuwork-cpu.pb.gz;filename=q"
expect_status 415 "format=jfr" POST "$url/ingest?name=bad&format=jfr" --data-binary "@$tmp/junk"
expect_status 422 "folded with a non-numeric count" POST "$url/ingest?name=bad.cpu" --data-binary $'a;b;c x\n'
expect_status 400 "push.v1 JSON that is not JSON" POST "$url/push.v1.PusherService/Push" -H 'Content-Type: application/json' --data-binary '{"series": ['
expect_status 400 "push.v1 proto that is not protobuf" POST "$url/push.v1.PusherService/Push" -H 'Content-Type: application/proto' --data-binary "@$tmp/junk"
expect_status 400 "push.v1 with a junk raw profile" POST "$url/push.v1.PusherService/Push" -H 'Content-Type: application/json' --data-binary '{"series":[{"labels":[{"name":"__name__","value":"x"}],"samples":[{"rawProfile":"AAAA"}]}]}'
expect_status 415 "push.v1 with another content type" POST "$url/push.v1.PusherService/Push" -H 'Content-Type: text/plain' --data-binary 'x'
expect_status 405 "GET /ingest" GET "$url/ingest"
expect_status 404 "an unknown path" POST "$url/nope" --data-binary x
expect_status 400 "a malformed X-Scope-OrgID" POST "$url/ingest?name=x.cpu" -H 'X-Scope-OrgID: a|b' --data-binary $'a;b 1\n'
# a query's body is bounded well below --max-body (256 KiB): 413, as Connect says it
head -c 300000 /dev/zero > "$tmp/bigquery"
# (with Expect: 100-continue, as clients send a large body: the 413 comes at the headers,
# and a body sent on regardless can make the server's close a reset that loses the answer)
expect_status 413 "a query body over 256 KiB" POST "$url/querier.v1.QuerierService/ProfileTypes" -H 'Content-Type: application/json' -H 'Expect: 100-continue' --data-binary "@$tmp/bigquery"
check "a query body over 256 KiB: 413, resource_exhausted, says why" \
  grep -q '"code":"resource_exhausted".*exceeds the limit of 262144 for a query' "$tmp/body"
check "15 malformed requests: each a 4xx with a JSON reason" test "$bad" -eq 0
# gzip members that inflate far past the 8 MiB limit together (10 MiB, then 1 GiB of
# zeros, then a last member whose size field says 6 MiB): refused, and the server's
# memory stays bounded by the limit, not by the bomb (it reached 1.1 GB before the fix)
python3 - "$tmp/bomb.gz" <<'EOF'
import sys, zlib
def member(n):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk, out = bytes(1 << 20), []
    for _ in range(n >> 20):
        out.append(c.compress(chunk))
    out.append(c.flush())
    return b"".join(out)
with open(sys.argv[1], "wb") as f:
    f.write(member(10 << 20) + member(1 << 30) + member(6 << 20))
EOF
# on a server of its own: its peak RSS must not carry the earlier uploads' (under ASan
# their freed memory stays resident in the quarantine)
main_srv=("$SPID" "$PORT" "$SLOG")
serve_start bomb --db "$tmp/bomb.db" || exit 1
st=$(http POST "http://127.0.0.1:$PORT/push.v1.PusherService/Push" -H 'Content-Type: application/proto' -H 'Content-Encoding: gzip' --data-binary "@$tmp/bomb.gz")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$SPID/status")
check "a gzip bomb in several members is refused (413: $st) within its limit (peak RSS ${hwm} kB)" \
  bash -c "[ '$st' = 413 ] && [ '$hwm' -lt 200000 ]"
serve_stop
SPID=${main_srv[0]} PORT=${main_srv[1]} SLOG=${main_srv[2]}
rm -f "$tmp/bomb.gz" "$tmp/bigquery"
# a Content-Length that lies (more than sent) and a malformed one: the server answers or
# closes, and keeps serving
python3 - "$PORT" <<'EOF'
import socket, sys
for req in (b"POST /ingest?name=x.cpu HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\na;b 1\n",
            b"POST /ingest?name=x.cpu HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\na;b 1\n"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    s.sendall(req); s.shutdown(socket.SHUT_WR)
    try: s.recv(4096)
    except OSError: pass
    s.close()
EOF
"$smolder" query series --db "$db" --from 0 > "$tmp/series.after"
check "the store is unchanged by the malformed requests (query series)" cmp -s "$tmp/series.before" "$tmp/series.after"
check "the server is still ready" test "$(http GET "$url/ready")" = 200
check "and still takes a good push" test "$(http POST "$url/ingest?name=after-bad&spyName=gospy" -F "profile=@$ex/cpuwork-cpu.pb.gz;filename=p")" = 200

# --- /metrics and the log -----------------------------------------------------------------
http GET "$url/metrics" > /dev/null
check "/metrics counts requests by route and status" grep -q '^smolder_http_requests_total{route="ingest",status="200"} [1-9]' "$tmp/body"
check "/metrics counts errors by reason" grep -q '^smolder_ingest_errors_total{reason="bad_request"} [1-9]' "$tmp/body"
check "/metrics has the latency histogram" grep -q '^smolder_http_request_duration_seconds_bucket{route="push",le="+Inf"} [1-9]' "$tmp/body"
check "/metrics counts stored profiles and the store's size" \
  bash -c "grep -q '^smolder_profiles_stored_total [1-9]' '$tmp/body' && grep -q '^smolder_store_size_bytes [1-9]' '$tmp/body' && grep -q '^smolder_http_request_bytes_total [1-9]' '$tmp/body'"
check "a log line per request: method, path, status, bytes, ms, tenant" \
  grep -qE 'info  POST /ingest 200 [0-9]+B [0-9.]+ms tenant=anonymous$' "$SLOG"
check "refusals are logged with their reason" \
  grep -qE 'info  POST /ingest 400 [0-9]+B [0-9.]+ms tenant=anonymous reason="name: service name is required"$' "$SLOG"
check "a refused method is logged as it was sent" \
  grep -qE 'info  GET /ingest 405 [0-9]+B [0-9.]+ms tenant=. reason="method not allowed \(use POST\)"$' "$SLOG"
serve_stop
check "SIGTERM stops the server cleanly (status 0, store closed)" \
  bash -c "[ $SRC -eq 0 ] && grep -q 'stopped; store .* closed' '$SLOG'"
check "the store is intact after the stop" test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok

# --- bounds: 413, slow clients, 429 -------------------------------------------------------
serve_start bounds --db "$tmp/b.db" --max-body 64k --max-inflight 1 --idle-timeout 2s || exit 1
url=http://127.0.0.1:$PORT
head -c 100000 /dev/urandom > "$tmp/big"
st=$(http POST "$url/ingest?name=big.cpu" --data-binary "@$tmp/big")
check "a body over --max-body is refused with 413 (Content-Length)" \
  bash -c "[ '$st' = 413 ] && grep -q 'exceeds the limit of 65536' '$tmp/body'"
st=$(http POST "$url/ingest?name=big.cpu" -H 'Transfer-Encoding: chunked' --data-binary "@$tmp/big")
check "a chunked body over --max-body is refused with 413 too ($st)" \
  bash -c "[ '$st' = 413 ] && grep -q 'exceeds the limit of 65536' '$tmp/body'"
st=$(http POST "$url/push.v1.PusherService/Push" -H 'Content-Type: application/proto' --data-binary "@$tmp/big")
check "push.v1 over --max-body: 413 with Connect's resource_exhausted ($st)" \
  bash -c "[ '$st' = 413 ] && grep -q '\"code\":\"resource_exhausted\"' '$tmp/body'"
head -c 70000000 /dev/zero > "$tmp/huge"
st=$(http POST "$url/ingest?name=big.cpu" -H 'Transfer-Encoding: chunked' -H 'Expect:' --data-binary "@$tmp/huge")
check "one that goes on past the limit + 64 MiB is cut off ($st)" test "$st" = 000
rm -f "$tmp/huge"
# a slow client holds the only in-flight slot: others get 429 with Retry-After
python3 - "$PORT" > "$tmp/slow.out" <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"POST /ingest?name=slow.cpu HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\na;b 1\n")
t = time.time()
try:
    got = s.recv(4096)
except OSError:
    got = b""
print("closed after %.1f s: %r" % (time.time() - t, got[:40]))
EOF
slow=$!
for n in $(seq 1 100); do  # until the slow request holds the slot
  http GET "$url/metrics" > /dev/null
  grep -q '^smolder_inflight_requests 1$' "$tmp/body" && break
  sleep 0.05
done
st=$(curl -s -D "$tmp/hdr" -o "$tmp/body" -w '%{http_code}' -X POST --data-binary $'a;b 1\n' "$url/ingest?name=fast.cpu")
check "with --max-inflight 1 taken by a slow client, a push gets 429" test "$st" = 429
check "the 429 says Retry-After and why" \
  bash -c "grep -qi '^Retry-After: 1' '$tmp/hdr' && grep -q 'too many requests in flight' '$tmp/body'"
check "GET /ready still answers meanwhile" test "$(http GET "$url/ready")" = 200
wait "$slow"
check "the slow client is cut off by --idle-timeout 2s" grep -qE '^closed after [2-5]\.[0-9] s' "$tmp/slow.out"
check "then the slot is free again: 200" test "$(http POST "$url/ingest?name=fast.cpu" --data-binary $'a;b 1\n')" = 200
check "the timed-out request is logged as the server's 408, not a client's 499" \
  grep -q 'POST /ingest 408 .*reason="no byte received within 2 s (the idle timeout)"' "$SLOG"
# clients that close right after sending headers and part of a body: with epoll's edge
# trigger libmicrohttpd missed the FIN and each held an in-flight slot until the timeout
python3 - "$PORT" <<'EOF'
import socket, sys
for i in range(50):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"POST /ingest?name=gone.cpu HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\na;b 1\n")
    s.close()
EOF
for n in $(seq 1 20); do
  http GET "$url/metrics" > /dev/null
  grep -q '^smolder_inflight_requests 0$' "$tmp/body" && break
  sleep 0.05
done
check "50 clients that went away mid-body give their slots back at once" \
  test "$(http POST "$url/ingest?name=fast.cpu" --data-binary $'a;b 1\n')" = 200
# what libmicrohttpd refuses itself is logged and counted with the status it sent
# (past libmicrohttpd's 128 KiB a connection: two headers, as one argument holds 128 KiB at most)
big=$(head -c 100000 /dev/zero | tr '\0' A)
st=$(http GET "$url/ready" -H "X-Big: $big" -H "X-Big2: $big")
check "oversized headers: 431 ($st), logged as such, not as a client that went away" \
  bash -c "[ '$st' = 431 ] && grep -q ' /ready 431 .*reason=.refused by the HTTP layer: 431 Request Header Fields Too Large.$' '$SLOG'"
http GET "$url/metrics" > /dev/null
check "and counted under 431 in /metrics" grep -q '^smolder_http_requests_total{route="other",status="431"} 1$' "$tmp/body"
# a reason that quotes the request (a method name, a header) is escaped in the log
http POST "$url/querier.v1.QuerierService/X%C2%9B2J%ff" -H 'Content-Type: application/json' -d '{}' > /dev/null
http POST "$url/querier.v1.QuerierService/Series" -H "$(printf 'Content-Type: \302\2332J')" -d '{}' > /dev/null
want1="no such method 'X\\x9b2J?'" want2="unsupported Content-Type '\\x9b2J'"
check "a client's bytes in a reason reach the log escaped (no raw C1 or invalid UTF-8)" \
  bash -c "grep -qF \"\$1\" '$SLOG' && grep -qF \"\$2\" '$SLOG' && ! LC_ALL=C grep -q \$'\\xc2\\x9b\\|\\xff' '$SLOG'" _ "$want1" "$want2"
check "and the JSON error body is valid UTF-8 without them" \
  bash -c "curl -s -X POST -H 'Content-Type: application/json' -d '{}' '$url/querier.v1.QuerierService/X%C2%9B%ff' | iconv -f UTF-8 -t UTF-8 | grep -qF 'X\\\\x9b'"
serve_stop

# --- graceful stop: in-flight pushes finish, new clients are refused at once --------------
serve_start quiesce --db "$tmp/q.db" || exit 1
python3 - "$PORT" "$SPID" "$ex/cpuwork-cpu.pb.gz" > "$tmp/quiesce.out" <<'EOF'
import os, signal, socket, sys, time
port, pid, body = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "rb").read()
s = socket.create_connection(("127.0.0.1", port), timeout=20)
s.sendall(b"POST /ingest?name=inflight&format=pprof HTTP/1.1\r\nHost: x\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body) + body[:1000])
time.sleep(0.3)
os.kill(pid, signal.SIGTERM)
time.sleep(0.3)
t = time.time()
try:
    socket.create_connection(("127.0.0.1", port), timeout=5).sendall(b"GET /ready HTTP/1.1\r\nHost: x\r\n\r\n")
    print("new client: connected")
except ConnectionRefusedError:
    print("new client: refused after %.1f s" % (time.time() - t))
s.sendall(body[1000:])
print("in-flight push:", s.recv(4096).split(b"\r\n")[0].decode())
EOF
wait "$SPID"; SRC=$?
check "after SIGTERM a new client is refused at once" grep -qx 'new client: refused after 0\.[0-9] s' "$tmp/quiesce.out"
check "while the push in flight still gets its 200" grep -qx 'in-flight push: HTTP/1.1 200 OK' "$tmp/quiesce.out"
check "and is stored" bash -c "[ $SRC -eq 0 ] && '$smolder' query series --db '$tmp/q.db' --from 0 | grep -q inflight"

# --- a second signal ends a graceful stop that waits on a slow push ------------------------
serve_start hurry --db "$tmp/hurry.db" || exit 1
python3 - "$PORT" > "$tmp/hurry.out" <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
s.sendall(b"POST /ingest?name=hurry HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\na;b 1\n")
print("sent", flush=True)
time.sleep(40)  # longer than the 30 s grace: the stop waits for it
EOF
hurry=$!
for n in $(seq 1 100); do grep -q sent "$tmp/hurry.out" && break; sleep 0.05; done
sleep 0.3  # the body's first bytes are in: the push is in flight
kill -TERM "$SPID"
for n in $(seq 1 100); do grep -q 'SIGTERM: stopping' "$SLOG" && break; sleep 0.05; done
check "the first SIGTERM says what the stop waits for and that a second one ends it" \
  grep -q 'SIGTERM: stopping (requests in flight get up to 30 s, then what is queued is written and answered; a second SIGINT or SIGTERM stops at once)' "$SLOG"
t0=$(date +%s%N)
kill -TERM "$SPID"
for n in $(seq 1 100); do kill -0 "$SPID" 2> /dev/null || break; sleep 0.1; done
if kill -0 "$SPID" 2> /dev/null; then kill -KILL "$SPID"; fi
wait "$SPID"; SRC=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "a second SIGTERM during it stops the server at once ($ms ms, status $SRC)" \
  bash -c "[ $SRC = 143 ] && [ $ms -lt 5000 ] && grep -q 'SIGTERM during the stop: stopping now' '$SLOG'"
check "and the store it leaves is intact" test "$(sqlite3 "$tmp/hurry.db" 'PRAGMA integrity_check')" = ok
kill "$hurry" 2> /dev/null; wait "$hurry" 2> /dev/null

# --- 507: a store that cannot grow --------------------------------------------------------
serve_start full --db "$tmp/full.db" --max-store-size 64k || exit 1
url=http://127.0.0.1:$PORT
"$smolder" query series --db "$tmp/full.db" --from 0 > "$tmp/full.before"
st=$(http POST "$url/ingest?name=full&spyName=gospy" -F "profile=@$ex/cpuwork-cpu.pb.gz;filename=p")
check "a push that cannot fit under --max-store-size gets 507 with a reason" \
  bash -c "[ '$st' = 507 ] && grep -q '\"message\":\"store full: ' '$tmp/body'"
check "reads keep working and the store is unchanged" \
  bash -c "'$smolder' query series --db '$tmp/full.db' --from 0 > '$tmp/full.after' && cmp -s '$tmp/full.before' '$tmp/full.after'"
check "the server still serves" test "$(http GET "$url/ready")" = 200
serve_stop
check "the full store is intact" test "$(sqlite3 "$tmp/full.db" 'PRAGMA integrity_check')" = ok
check "--max-store-size's help says the oldest are evicted, 507 only for a push too big" \
  bash -c "'$smolder' serve --help | tr -s ' \n' ' ' | grep -q 'evicted, down to 90 % (81 % or further when a push needs room); 507 only for a push too big for an empty store'"

# push_during TAG CURL-ARGS...: starts a slow request (curl ARGS; its status goes to
# $tmp/TAG.st) and, 30 ms later, a small push; succeeds when the push is answered 200
# before the slow request ends.  Up to three tries: on a loaded machine (ctest -j, the
# sanitizer build) one push can lose the race by chance, while a push queued behind the
# slow request would lose it every time.
push_during() {
  local tag=$1 pid st try; shift
  for try in 1 2 3; do
    ( curl -s -o /dev/null -w '%{http_code}' "$@" > "$tmp/$tag.st"; date +%s%N > "$tmp/$tag.end" ) &
    pid=$!
    sleep 0.03
    st=$(http POST "$url/ingest?name=during-$tag.cpu" --data-binary $'a;b 1\n')
    date +%s%N > "$tmp/$tag.pushed"
    wait "$pid"
    [ "$st" = 200 ] && [ "$(cat "$tmp/$tag.pushed")" -lt "$(cat "$tmp/$tag.end")" ] && return 0
    echo "     try $try: the push got $st, $(( ($(cat "$tmp/$tag.end") - $(cat "$tmp/$tag.pushed")) / 1000000 )) ms before the slow request ended"
  done
  return 1
}

# --- queries: on their own threads, and 504 past --request-timeout -----------------------
"$smolder" ingest --db "$tmp/q.db" --service slowq "$td/go/gencode3k-cpu.pb.gz" > /dev/null 2>&1
Q='process_cpu:cpu:nanoseconds:cpu:nanoseconds%7Bservice_name%3D%22slowq%22%7D'
serve_start queries --db "$tmp/q.db" --http-threads 1 --threads 1 --read-threads 1 || exit 1
url=http://127.0.0.1:$PORT
# a query of a large profile (~200 ms here) starts first; a push on the one HTTP thread must not wait for it
check "a push on the only HTTP thread is answered while a long query runs" \
  push_during query "$url/pyroscope/render?query=$Q&from=1&until=now&format=json"
check "and the query is answered too" test "$(cat "$tmp/query.st")" = 200
# a list request ANDs its matcher strings into one selector, read in one scan; the strings
# are still bounded (1,000; empty '{}' ones add no matchers), gzip bodies included
python3 -c 'import json, sys; print(json.dumps({"matchers": ["{}"] * int(sys.argv[1])}))' 1000 > "$tmp/m1000.json"
python3 -c 'import json, sys; print(json.dumps({"matchers": ["{}"] * int(sys.argv[1])}))' 100000 | gzip > "$tmp/m100k.json.gz"
st=$(http POST "$url/querier.v1.QuerierService/LabelNames" -H 'Content-Type: application/json' --data-binary @"$tmp/m1000.json")
check "LabelNames takes 1,000 matchers ($st)" \
  bash -c "[ '$st' = 200 ] && grep -q '\"service_name\"' '$tmp/body'"
st=$(http POST "$url/querier.v1.QuerierService/LabelNames" -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary @"$tmp/m100k.json.gz")
check "and refuses 100,000 in a gzip body with 400 and the reason ($st)" \
  bash -c "[ '$st' = 400 ] && grep -qF '\"message\":\"too many matchers: 100000 (at most 1000)\"' '$tmp/body'"
serve_stop
serve_start qtimeout --db "$tmp/q.db" --request-timeout 1ms || exit 1
url=http://127.0.0.1:$PORT
st=$(http GET "$url/pyroscope/render?query=$Q&from=1&until=now&format=json")
check "a query past --request-timeout gets 504 with the reason ($st)" \
  bash -c "[ '$st' = 504 ] && grep -q 'the query was not answered within 0.001 s (--request-timeout, its wait for a reader included)' '$tmp/body'"
check "the server still answers" test "$(http GET "$url/ready")" = 200
serve_stop

# --- pushes: decoded on their own threads, whichever HTTP thread they came on -----------
# 6,500 stacks of 45 frames, every frame name its own: a decode of ~150 ms each time (the
# first push also stores every symbol; later ones only decode and hit the stack cache)
awk 'BEGIN { for (i = 0; i < 6500; i++) { s = ""; for (j = 0; j < 45; j++)
  s = s (j ? ";" : "") "pkg" i % 50 ".fn" j "_" i; print s, i % 13 + 1 } }' > "$tmp/wide.folded"
serve_start decoders --db "$tmp/dec.db" --http-threads 1 --threads 2 || exit 1
url=http://127.0.0.1:$PORT
check "a wide folded profile is stored" \
  test "$(http POST "$url/ingest?name=wide.cpu" --data-binary @"$tmp/wide.folded")" = 200
check "a small push on the only HTTP thread is answered while a wide one is decoded" \
  push_during decode --data-binary @"$tmp/wide.folded" "$url/ingest?name=wide.cpu"
check "and the wide one is stored too" test "$(cat "$tmp/decode.st")" = 200
curl -s -o /dev/null --data-binary @"$tmp/wide.folded" "$url/ingest?name=wide.cpu" &
wpid=$!
for i in $(seq 1 100); do  # /metrics every 20 ms until the decode shows (it takes ~150 ms)
  http GET "$url/metrics" > /dev/null
  grep -q '^smolder_decoders_busy 1$' "$tmp/body" && break
  sleep 0.02
done
wait "$wpid"
check "/metrics shows the decoder at work (decoders busy, none waiting)" \
  bash -c "grep -q '^smolder_decoders_busy 1\$' '$tmp/body' && grep -q '^smolder_decode_waiting_requests 0\$' '$tmp/body'"
check "and the readers idle" \
  bash -c "grep -q '^smolder_readers_busy 0\$' '$tmp/body' && grep -q '^smolder_read_waiting_requests 0\$' '$tmp/body'"
serve_stop
check "both services are in the store" \
  bash -c "'$smolder' query series --db '$tmp/dec.db' --from 0 | grep -q ' during-decode\$' &&
           '$smolder' query series --db '$tmp/dec.db' --from 0 | grep -q ' wide\$'"

# eviction: 40 services of ~64 KiB each into a 1 MiB store
serve_start evict --db "$tmp/ev.db" --max-store-size 1m --maintenance-interval 1s || exit 1
url=http://127.0.0.1:$PORT
codes=""
for n in $(seq 1 40); do
  codes="$codes $(http POST "$url/ingest?name=ev-$n&spyName=gospy" -F "profile=@$ex/cpuwork-cpu.pb.gz;filename=p")"
done
sleep 1.5
check "40 pushes into a 1 MiB store all succeed (the oldest evicted to make room)" test "$(echo $codes | tr ' ' '\n' | sort -u)" = 200
http GET "$url/metrics" > /dev/null
check "evictions are counted" grep -q '^smolder_evicted_profiles_total [1-9]' "$tmp/body"
serve_stop
check "the file stays under --max-store-size" test "$(stat -c %s "$tmp/ev.db")" -le 1048576
"$smolder" query series --db "$tmp/ev.db" --from 0 > "$tmp/ev.series"
check "the newest service is kept, the oldest evicted" \
  bash -c "grep -q ' ev-40\$' '$tmp/ev.series' && ! grep -q ' ev-1\$' '$tmp/ev.series'"
check "the evicted store is intact" test "$(sqlite3 "$tmp/ev.db" 'PRAGMA integrity_check')" = ok

# a real full disk: a 1 MiB tmpfs in a user and mount namespace (no root needed)
if unshare -rm true 2> /dev/null; then
  unshare -rm bash -s "$smolder" "$ex/cpuwork-cpu.pb.gz" "$tmp" > "$tmp/tmpfs.out" 2>&1 <<'EOF'
smolder=$1 prof=$2 tmp=$3
mkdir -p "$tmp/mnt" && mount -t tmpfs -o size=1m none "$tmp/mnt" || { echo "mount failed"; exit 1; }
"$smolder" serve --db "$tmp/mnt/s.db" --listen 127.0.0.1:0 2> "$tmp/tmpfs.log" &
pid=$!
for i in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\), store.*/\1/p' "$tmp/tmpfs.log")
  [ -n "$port" ] && break; sleep 0.05
done
for n in $(seq 1 60); do
  st=$(curl -s -o "$tmp/tbody" -w '%{http_code}' -F "profile=@$prof;filename=p" "http://127.0.0.1:$port/ingest?name=t-$n&spyName=gospy")
  [ "$st" = 200 ] && ok=$n
  [ "$st" = 507 ] && { echo "507 after $ok: $(cat "$tmp/tbody")"; break; }
  [ "$st" != 200 ] && { echo "status $st: $(cat "$tmp/tbody")"; break; }
done
echo "ready $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")"
echo "series $("$smolder" query series --db "$tmp/mnt/s.db" --from 0 | tail -n +2 | wc -l)"
kill -TERM $pid; wait $pid; echo "exit $?"
echo "integrity $(sqlite3 "$tmp/mnt/s.db" 'PRAGMA integrity_check')"
EOF
  check "a full disk (tmpfs): pushes get 507 saying the disk is full" grep -q '^507 after [0-9]*: .*store full: .*disk full' "$tmp/tmpfs.out"
  check "a full disk: the server stays ready, reads work, it stops cleanly, the store is intact" \
    bash -c "grep -q '^ready 200' '$tmp/tmpfs.out' && grep -qE '^series [1-9]' '$tmp/tmpfs.out' && grep -q '^exit 0' '$tmp/tmpfs.out' && grep -q '^integrity ok' '$tmp/tmpfs.out'"
  grep -q '^507' "$tmp/tmpfs.out" || sed 's/^/     | /' "$tmp/tmpfs.out"
else
  echo "skip - a real full disk: this machine cannot mount a tmpfs in a user namespace (the --max-store-size 507 above still ran)"
fi

# --- security ---------------------------------------------------------------------------
"$smolder" serve --db "$tmp/sec.db" --listen 0.0.0.0:0 2> "$tmp/noauth.err"
rc=$?
check "a non-loopback --listen without --auth-file is refused with an explanation" \
  bash -c "[ $rc -eq 2 ] && grep -q 'refusing to listen on 0.0.0.0:0 without authentication.*--auth-file FILE.*--no-auth' '$tmp/noauth.err'"
pwhash=$(openssl passwd -6 -salt e2esalt0 's3cret-pass')
tokhash=$(openssl passwd -6 -salt e2esalt1 'tok-ci-123')
cat > "$tmp/auth" <<EOF
# e2e credentials
basic  alice  $pwhash           team-a,team-b
bearer ci     $tokhash          team-c
basic  bob    plain:bob-pass    *
EOF
"$smolder" serve --db "$tmp/sec.db" --listen 0.0.0.0:0 --auth-file "$tmp/auth" 2> "$tmp/cleartext.err"
rc=$?
check "credentials off loopback without TLS are refused with an explanation" \
  bash -c "[ $rc -eq 2 ] && grep -q 'refusing to take credentials in clear text.*--tls-cert' '$tmp/cleartext.err'"
serve_start noauth --listen 0.0.0.0:0 --db "$tmp/open.db" --no-auth || exit 1
check "--no-auth off loopback starts, with a warning" grep -q 'warn  --no-auth on 0.0.0.0:0' "$SLOG"
check "and takes pushes" test "$(http POST "http://127.0.0.1:$PORT/ingest?name=open.cpu" --data-binary $'a;b 1\n')" = 200
serve_stop

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 \
  -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" > /dev/null 2>&1
check "a self-signed certificate is made" test -s "$tmp/cert.pem"
serve_start tls --listen 0.0.0.0:0 --db "$tmp/sec.db" --auth-file "$tmp/auth" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" || exit 1
check "the plain-text secret is warned about" grep -q 'warn .*plain-text secrets' "$SLOG"
url=https://127.0.0.1:$PORT
C=(--cacert "$tmp/cert.pem")
st=$(curl -s -D "$tmp/hdr" -o "$tmp/body" -w '%{http_code}' "${C[@]}" -X POST --data-binary $'a;b 1\n' "$url/ingest?name=x.cpu")
check "HTTPS without credentials: 401 with WWW-Authenticate" \
  bash -c "[ '$st' = 401 ] && grep -qi '^WWW-Authenticate: Basic' '$tmp/hdr'"
check "a wrong password: 401" test "$(http POST "$url/ingest?name=x.cpu" "${C[@]}" -u alice:wrong --data-binary $'a;b 1\n')" = 401
check "an unknown user: 401" test "$(http POST "$url/ingest?name=x.cpu" "${C[@]}" -u mallory:s3cret-pass --data-binary $'a;b 1\n')" = 401
check "alice's password: 200 (her first tenant)" test "$(http POST "$url/ingest?name=sec-a.cpu" "${C[@]}" -u alice:s3cret-pass --data-binary $'a;b 1\n')" = 200
check "alice with X-Scope-OrgID team-b: 200" test "$(http POST "$url/ingest?name=sec-b.cpu" "${C[@]}" -u alice:s3cret-pass -H 'X-Scope-OrgID: team-b' --data-binary $'a;b 2\n')" = 200
st=$(http POST "$url/ingest?name=x.cpu" "${C[@]}" -u alice:s3cret-pass -H 'X-Scope-OrgID: team-c' --data-binary $'a;b 1\n')
check "alice with X-Scope-OrgID team-c (not hers): 403 with a reason" \
  bash -c "[ '$st' = 403 ] && grep -q \"may not use tenant 'team-c'\" '$tmp/body'"
check "the bearer token: 200 (team-c)" test "$(http POST "$url/ingest?name=sec-c.cpu" "${C[@]}" -H 'Authorization: Bearer tok-ci-123' --data-binary $'a;b 3\n')" = 200
check "a wrong bearer token: 401" test "$(http POST "$url/ingest?name=x.cpu" "${C[@]}" -H 'Authorization: Bearer tok-ci-124' --data-binary $'a;b 1\n')" = 401
check "bob (plain secret, any tenant) as team-z: 200" test "$(http POST "$url/ingest?name=sec-z.cpu" "${C[@]}" -u bob:bob-pass -H 'X-Scope-OrgID: team-z' --data-binary $'a;b 4\n')" = 200
check "/metrics needs credentials too" test "$(http GET "$url/metrics" "${C[@]}")" = 401
check "/ready does not" test "$(http GET "$url/ready" "${C[@]}")" = 200
check "plain HTTP to the HTTPS port fails" test "$(http GET "http://127.0.0.1:$PORT/ready")" != 200
PROFILECLI_USERNAME=alice PROFILECLI_PASSWORD=s3cret-pass "$smolder" upload --url "$url" --cacert "$tmp/cert.pem" \
  --tenant-id team-b --service sec-up "$ex/cpuwork-cpu.pb.gz" > "$tmp/up.out" 2> "$tmp/up.err"
check "smolder upload over HTTPS with PROFILECLI_USERNAME/PASSWORD: ok" grep -q 'uploaded as' "$tmp/up.out"
"$smolder" upload --url "$url" --cacert "$tmp/cert.pem" --username alice --password wrong-pass "$ex/cpuwork-cpu.pb.gz" > "$tmp/up2.out" 2> "$tmp/up2.err"
check "smolder upload with a wrong password: one line, 401, no password printed" \
  bash -c "[ \$(wc -l < '$tmp/up2.err') -eq 1 ] && grep -q 'answered 401: invalid credentials' '$tmp/up2.err' && ! grep -q wrong-pass '$tmp/up2.err' '$tmp/up2.out'"
"$smolder" upload --url "https://alice:s3cret-pass@127.0.0.1:1" "$ex/cpuwork-cpu.pb.gz" > /dev/null 2> "$tmp/up3.err"
check "an unreachable URL with user information: the error hides the password" \
  bash -c "grep -q 'cannot reach https://127.0.0.1:1' '$tmp/up3.err' && ! grep -q s3cret '$tmp/up3.err'"
check "the log names tenants but never a secret" \
  bash -c "grep -q 'tenant=team-c' '$SLOG' && ! grep -qE 's3cret|tok-ci|bob-pass|wrong' '$SLOG'"
serve_stop

# --- tenants never see each other's data -------------------------------------------------
for t in team-a team-b team-c team-z; do
  "$smolder" query series --db "$tmp/sec.db" --from 0 --tenant "$t" | tail -n +2 | awk '{print $NF}' | sort -u | tr '\n' ' ' > "$tmp/t.$t"
done
check "team-a holds only what alice pushed without a header" test "$(cat "$tmp/t.team-a")" = "sec-a "
check "team-b holds only what alice pushed as team-b (and uploaded)" test "$(cat "$tmp/t.team-b")" = "sec-b sec-up "
check "team-c holds only the bearer's push" test "$(cat "$tmp/t.team-c")" = "sec-c "
check "the default tenant sees none of them" test -z "$("$smolder" query series --db "$tmp/sec.db" --from 0 | tail -n +2)"
serve_start iso --db "$tmp/iso.db" || exit 1
http POST "http://127.0.0.1:$PORT/ingest?name=iso-x&spyName=gospy" -H 'X-Scope-OrgID: tx' -F "profile=@$ex/cpuwork-cpu.pb.gz;filename=p" > /dev/null
http POST "http://127.0.0.1:$PORT/ingest?name=iso-y&spyName=gospy" -F "profile=@$ex/cpuwork-cpu.pb.gz;filename=p" > /dev/null
serve_stop
check "without auth, X-Scope-OrgID picks the tenant and none is anonymous" \
  bash -c "'$smolder' query series --db '$tmp/iso.db' --from 0 --tenant tx | grep -q ' iso-x\$' && ! '$smolder' query series --db '$tmp/iso.db' --from 0 --tenant tx | grep -q iso-y && '$smolder' query series --db '$tmp/iso.db' --from 0 | grep -q ' iso-y\$' && ! '$smolder' query series --db '$tmp/iso.db' --from 0 | grep -q iso-x"
check "another tenant's service is not there for top --tenant" \
  bash -c "! '$smolder' top --db '$tmp/iso.db' --from 0 --tenant tx --query '{service_name=\"iso-y\"}' --profile-type $CPU_NS > /dev/null 2> '$tmp/iso.err' && grep -q 'no process_cpu:cpu:nanoseconds:cpu:nanoseconds profiles match' '$tmp/iso.err'"
check "and its own is" \
  bash -c "'$smolder' top --db '$tmp/iso.db' --from 0 --tenant tx --query '{service_name=\"iso-x\"}' --profile-type $CPU_NS | grep -q '^Showing'"

# --- a timeline's size is bounded in all, not per group ----------------------------------
# 1 ms steps over 999 s grouped by go.cpu.labels.pprof's 432 profile_ids would be 432 M
# points (it took 7 GB and ran past --request-timeout): refused at once with a reason.
serve_start tl --db "$tmp/tl.db" --request-timeout 20s || exit 1
url=http://127.0.0.1:$PORT
http POST "$url/ingest?name=tl-labels&spyName=gospy" -F "profile=@$PP/go.cpu.labels.pprof;filename=p" > /dev/null
now=1654798933000  # the profile's own time (ms), rounded up
ss() {  # ss STEP: SelectSeries of the 999 s before it, grouped by profile_id
  http POST "$url/querier.v1.QuerierService/SelectSeries" --max-time 60 -H 'Content-Type: application/json' \
    -d "{\"profileTypeID\":\"$CPU_NS\",\"labelSelector\":\"{}\",\"start\":$((now - 999000)),\"end\":$now,\"step\":$1,\"groupBy\":[\"profile_id\"]}"
}
t0=$(date +%s)
st=$(ss 0.001)
check "SelectSeries at 1 ms steps by profile_id: 400 in seconds, saying why" \
  bash -c "[ '$st' = 400 ] && [ $(($(date +%s) - t0)) -lt 10 ] && grep -q 'use a larger step or a label with fewer values' '$tmp/body'"
st=$(ss 10)
check "at 10 s steps: 200, a series per profile_id and one without" \
  bash -c "[ '$st' = 200 ] && [ \$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[\"series\"]))' '$tmp/body') = 433 ]"
# Diff folds both sides at the larger maxNodes of the two (an unset one is 0), as
# Pyroscope's query frontend does: not at the right side's
side() {  # side MAXNODES ('' for unset): one side of a Diff, the 999 s before the profile
  echo "{\"profileTypeID\":\"$CPU_NS\",\"labelSelector\":\"{}\",\"start\":$((now - 999000)),\"end\":$now${1:+,\"maxNodes\":$1}}"
}
diff_names() {  # diff_names LEFT RIGHT (maxNodes, '' for unset): names in the flame graph
  local l r
  l=$(side "$1"); r=$(side "$2")
  [ "$(http POST "$url/querier.v1.QuerierService/Diff" -H 'Content-Type: application/json' -d "{\"left\":$l,\"right\":$r}")" = 200 ] &&
    python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["flamegraph"]["names"]))' "$tmp/body"
}
all=$(diff_names 1000 1000); few=$(diff_names 2 2)
check "Diff: maxNodes 2 folds (names $few of $all)" test "${few:-0}" -gt 0 -a "${few:-0}" -lt "${all:-0}"
check "Diff: left 1000, right 2 folds at 1000" test "$(diff_names 1000 2)" = "$all"
check "Diff: left 2, right 1000 folds at 1000" test "$(diff_names 2 1000)" = "$all"
check "Diff: left -1, right unset is the default" test "$(diff_names -1 '')" = "$all"
check "Diff: left -1, right 2 is 2" test "$(diff_names -1 2)" = "$few"
st=$(http POST "$url/querier.v1.QuerierService/Diff" -H 'Content-Type: application/json' -d "{\"left\":$(side -1),\"right\":$(side -3)}")
check "Diff: both negative: 400" bash -c "[ '$st' = 400 ] && grep -q 'must not be negative' '$tmp/body'"
serve_stop

# --- the query API answers as Grafana Pyroscope does -------------------------------------
check "--request-timeout's help says a query's wait for a reader counts" \
  bash -c "'$smolder' serve --help | tr -s ' \n' ' ' | grep -q 'a query end (counting its wait for a reader), within D'"
serve_start api --db "$tmp/api.db" || exit 1
url=http://127.0.0.1:$PORT
http POST "$url/ingest?name=app1.cpu%7Benv%3Dprod%7D" --data-binary $'main;work 4\nmain;idle 1\n' > /dev/null
http POST "$url/ingest?name=app2.cpu%7Benv%3Ddev%7D" --data-binary $'main;work 2\n' > /dev/null
cq() {  # cq METHOD JSON: a Connect JSON call; prints the status, the body in $tmp/body
  http POST "$url/querier.v1.QuerierService/$1" -H 'Content-Type: application/json' -d "$2"
}
st=$(cq LabelValues '{"name":"service_name","matchers":["{service_name=\"app1\"}","{env=\"dev\"}"]}')
check "LabelValues ANDs its matcher strings, as Pyroscope 2: none is app1 and dev" \
  bash -c "[ '$st' = 200 ] && [ \"\$(cat '$tmp/body')\" = '{}' ]"
now=$(($(date +%s) * 1000 + 1000))
mp() {  # mp MAXNODES: SelectMergeProfile of the last hour, JSON
  cq SelectMergeProfile "{\"profileTypeID\":\"$CPU_NS\",\"labelSelector\":\"{}\",\"start\":$((now - 3600000)),\"end\":$now,\"maxNodes\":$1}"
}
st=$(mp 2000000)
check "SelectMergeProfile maxNodes 2000000: 200, the whole profile" \
  bash -c "[ '$st' = 200 ] && ! grep -q '\"other\"' '$tmp/body'"
st=$(mp 2)
check "SelectMergeProfile maxNodes 2: the profile cut, an 'other' frame" \
  bash -c "[ '$st' = 200 ] && grep -q '\"other\"' '$tmp/body'"
st=$(http GET "$url/pyroscope/render?from=now-1h")
check "/pyroscope/render's error is Connect JSON, as Pyroscope since 1.1" \
  bash -c "[ '$st' = 400 ] && grep -q '^{\"code\":\"invalid_argument\",\"message\":\"query is required\"}' '$tmp/body'"
serve_stop

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
