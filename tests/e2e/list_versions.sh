#!/usr/bin/env bash
# End-to-end: `smolder list` on a store whose range holds two versions of a service
# (the same service ingested under service_git_ref v1 and v2: the example CPU profile
# before and after scoreRecords got 3x slower).  Line numbers of the two versions are
# never added up: one section per version whose numbers equal `smolder list` on that
# version alone (the ref in --query) and on the version's file, each with its code read
# at its own tag of a git repository made here (a dirty work tree must never show);
# --format tsv has a version column; --url prints what --db prints.  One version takes
# the series' labels (service_repository through a GitHub stand-in on 127.0.0.1,
# service_git_ref, service_root_path), flags still win; a local path in a label is
# refused; more than 16 versions are cut with one line; nothing matching is one error.
# Usage: list_versions.sh SMOLDER EXAMPLES_DIR
smolder=$(realpath "$1")
ex=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
GHPID=
trap 'kill "${SPID:-0}" 2> /dev/null; [ -n "$GHPID" ] && kill "$GHPID" 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_CACHE_HOME=$tmp/cache
unset SMOLDER_DB XDG_DATA_HOME PROFILECLI_URL GITHUB_TOKEN
. "$here/serve_lib.sh"
# git without the user's or the system's configuration, a fixed identity
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t.invalid
CPU=process_cpu:cpu:nanoseconds:cpu:nanoseconds
db=$tmp/two.db

# --- a repository with both versions of cpuwork/main.go as tags ---------------------------
# every line says which version it is, so the code shown tells which ref was read
repo=$tmp/repo
git init -q -b main "$repo"
mkdir -p "$repo/cpuwork"
for v in v1 v2; do
  for i in $(seq 1 200); do echo "// $v line $i"; done > "$repo/cpuwork/main.go"
  git -C "$repo" add -A && git -C "$repo" commit -qm "$v" && git -C "$repo" tag "$v"
done
for i in $(seq 1 200); do echo "// uncommitted line $i"; done > "$repo/cpuwork/main.go"

# --- the store: v1 before, v2 after scoreRecords got slower ---------------------------------
"$smolder" ingest --db "$db" --service app \
  --extra-labels "service_repository=$repo,service_git_ref=v1" "$ex/cpuwork-cpu.pb.gz" > /dev/null 2> "$tmp/ingest.err" &&
"$smolder" ingest --db "$db" --service app \
  --extra-labels "service_repository=$repo,service_git_ref=v2" "$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz" > /dev/null 2>> "$tmp/ingest.err"
check "two versions ingested with their labels" test $? -eq 0 -a ! -s "$tmp/ingest.err"

# L ARGS...: smolder list of main.scoreRecords in app, code from $repo, network off
L() { "$smolder" list 'main\.scoreRecords$' --profile-type $CPU --from 0 --to now --offline --repo "$repo" "$@"; }
# section FILE N: the Nth "Version" section without its header and trailing blank line
# and its "Aggregation:" line (how the store added the version's profiles up)
section() { awk -v n="$2" '/^Version /{k++; next} /^Aggregation: /{next} k==n' "$1" | sed -e :a -e '/^$/{$d;N;ba' -e '}'; }

L --db "$db" --query '{service_name="app"}' > "$tmp/both.txt" 2> "$tmp/both.err"
check "list over both versions succeeds, nothing on stderr" test $? -eq 0 -a ! -s "$tmp/both.err"
check "two sections in version order, each with its series and where the code comes from" \
  test "$(grep '^Version' "$tmp/both.txt")" = "$(printf 'Version service_git_ref=v1 (1 series, repository %s (--repo))\nVersion service_git_ref=v2 (1 series, repository %s (--repo))' "$repo" "$repo")"
for v in v1 v2; do
  n=${v#v}
  L --db "$db" --query "{service_name=\"app\", service_git_ref=\"$v\"}" > "$tmp/$v.txt" 2> /dev/null
  section "$tmp/both.txt" "$n" > "$tmp/$v.section"
  check "$v's section equals list on $v alone (the ref in --query)" \
    bash -c "[ -s '$tmp/$v.txt' ] && ! grep -q '^Version' '$tmp/$v.txt' && grep -v '^Aggregation: ' '$tmp/$v.txt' | cmp -s - '$tmp/$v.section'"
  check "$v's section has the code at tag $v" \
    grep -qE "^ +[0-9.]+ m?s +[0-9.]+ m?s +146: // $v line 146\$" "$tmp/$v.section"
  check "and none of the other version's or the work tree's" \
    bash -c "! grep -v '// $v line' \"\$1\" | grep -q '// .* line'" _ "$tmp/$v.section"
done
# the sections are each version's file: list of the file at the ref gives the same
F() { "$smolder" list 'main\.scoreRecords$' --offline --repo "$repo" -i cpu "$@"; }
F --ref v1 "$ex/cpuwork-cpu.pb.gz" > "$tmp/f1.txt" 2> /dev/null
F --ref v2 "$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz" > "$tmp/f2.txt" 2> /dev/null
check "v1's section equals list of v1's file with --ref v1" cmp -s "$tmp/f1.txt" "$tmp/v1.section"
check "v2's section equals list of v2's file with --ref v2" cmp -s "$tmp/f2.txt" "$tmp/v2.section"
check "line 146 is 1.27 s in v1 and 3.73 s cum in v2, never their sum" \
  bash -c "grep -qE '^ +1\.27 s +1\.27 s +146:' '$tmp/v1.section' && grep -qE '^ +3\.72 s +3\.73 s +146:' '$tmp/v2.section' && ! grep -qE '5\.0[0-9] s' '$tmp/both.txt'"
check "each section has its own total" \
  bash -c "grep -qx 'Total: 9.24 s' '$tmp/v1.section' && grep -qx 'Total: 11.9 s' '$tmp/v2.section'"

# --- tsv: a version column instead of sections -----------------------------------------------
L --db "$db" --query '{service_name="app"}' --format tsv > "$tmp/both.tsv"
check "tsv header names the version column" test "$(head -1 "$tmp/both.tsv")" = "$(printf 'function\tfile\tline\tflat\tcum\tversion')"
for v in v1 v2; do
  L --db "$db" --query "{service_name=\"app\", service_git_ref=\"$v\"}" --format tsv > "$tmp/$v.tsv"
  check "tsv rows of $v equal list on $v alone, which also names $v" \
    bash -c "[ \$(wc -l < '$tmp/$v.tsv') -gt 2 ] && awk -F'\t' 'NR == 1 || \$6 == \"$v\"' '$tmp/both.tsv' | cmp -s - '$tmp/$v.tsv'"
done
F --format tsv "$ex/cpuwork-cpu.pb.gz" > "$tmp/f1.tsv"
check "a file's tsv has no version column; v1's rows are its rows" \
  bash -c "head -1 '$tmp/f1.tsv' | grep -qxP 'function\tfile\tline\tflat\tcum' && tail -n +2 '$tmp/v1.tsv' | cut -f1-5 | cmp -s - <(tail -n +2 '$tmp/f1.tsv')"

# --- the same from a server (smolder serve over the store) ------------------------------------
if serve_start main --db "$db"; then
  L --url "http://127.0.0.1:$PORT" --query '{service_name="app"}' > "$tmp/url.txt" 2> "$tmp/url.err"
  check "each version says how its profiles were added up" \
    test "$(grep -c '^Aggregation: sum of 1 profile, 1970-01-01T00:00:00Z to ' "$tmp/both.txt")" = 2
  # (the Aggregation lines end at "now", a second apart at most)
  check "list --url prints the same two sections as --db" \
    cmp -s <(grep -v '^Aggregation: ' "$tmp/both.txt") <(grep -v '^Aggregation: ' "$tmp/url.txt")
  serve_stop
else
  fail=$((fail + 1))
fi

# --- nothing matching at all; a function only one version has ----------------------------------
"$smolder" list 'main\.nosuch' --db "$db" --query '{service_name="app"}' --profile-type $CPU --from 0 \
  --offline > "$tmp/none.out" 2> "$tmp/none.err"
rc=$?
check "no match in any version: status 1, one line, nothing printed" \
  bash -c "[ $rc -eq 1 ] && [ ! -s '$tmp/none.out' ] && [ \$(wc -l < '$tmp/none.err') -eq 1 ]"
check "the line names the regex" grep -qxF "smolder list: no function matches 'main\.nosuch'" "$tmp/none.err"
w_json() {  # w_json FILE [square]: main.work on w/main.go line 6, main.square (line 3) too
  local sq=${2:-}
  printf '%s' '{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[
    {"name":"main.main","file":"w/main.go","line":9},{"name":"main.work","file":"w/main.go","line":6},
    {"name":"main.square","file":"w/main.go","line":3}]},"profiles":[{"type":"sampled","name":"cpu",
    "unit":"milliseconds","startValue":0,"endValue":1000,' > "$1"
  if [ -n "$sq" ]; then
    printf '%s' '"samples":[[0,1],[0,1,2]],"weights":[100,40]}]}' >> "$1"
  else
    printf '%s' '"samples":[[0,1]],"weights":[100]}]}' >> "$1"
  fi
}
w_json "$tmp/w.json"
w_json "$tmp/w2.json" square
"$smolder" ingest --db "$tmp/sq.db" --service sq --extra-labels service_git_ref=v1 "$tmp/w.json" > /dev/null 2>&1
"$smolder" ingest --db "$tmp/sq.db" --service sq --extra-labels service_git_ref=v2 "$tmp/w2.json" > /dev/null 2>&1
"$smolder" list 'main\.square' --db "$tmp/sq.db" --query '{service_name="sq"}' --from 0 --offline > "$tmp/sq.txt" 2> "$tmp/sq.err"
printf '%s\n' 'Version service_git_ref=v1 (1 series)' \
  " (no function matches 'main\\.square' in this version)" > "$tmp/sq.want"
check "a function only v2 has: v1 says so" \
  bash -c "[ ! -s '$tmp/sq.err' ] && head -2 '$tmp/sq.txt' | cmp -s - '$tmp/sq.want'"
check "and v2 lists it" \
  bash -c "grep -qx 'Version service_git_ref=v2 (1 series)' '$tmp/sq.txt' && grep -qE '^ +40 ms +40 ms +3\$' '$tmp/sq.txt'"

# --- one version: its labels find the code (a GitHub URL through the stand-in) ----------------
gh=$tmp/gh
for r in v3 v4; do
  mkdir -p "$gh/acme/app/$r/svc/cpuwork"
  for i in $(seq 1 200); do echo "// github $r line $i"; done > "$gh/acme/app/$r/svc/cpuwork/main.go"
done
python3 "$here/github_standin.py" "$gh" "$tmp/port" "$tmp/requests.log" &
GHPID=$!
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
api="http://127.0.0.1:$(cat "$tmp/port")"
"$smolder" ingest --db "$tmp/one.db" --service app \
  --extra-labels "service_repository=$api/acme/app,service_git_ref=v3,service_root_path=svc" \
  "$ex/cpuwork-cpu.pb.gz" > /dev/null 2>&1
G() { "$smolder" list 'main\.scoreRecords$' --db "$tmp/one.db" --query '{service_name="app"}' \
        --profile-type $CPU --from 0 --github-api "$api" "$@"; }
G > "$tmp/one.txt" 2> "$tmp/one.err"
check "one version: no Version line, the numbers of the version" \
  bash -c "! grep -q '^Version' '$tmp/one.txt' && grep -qE '^ +1\.27 s +1\.27 s +146: ' '$tmp/one.txt'"
check "the code from the labels: repository, root, ref v3" grep -qE '146: // github v3 line 146$' "$tmp/one.txt"
check "the stand-in was asked for svc/cpuwork/main.go at v3" \
  grep -q "GET /repos/acme/app/contents/svc/cpuwork/main.go ref=v3" "$tmp/requests.log"
G --ref v4 > "$tmp/one4.txt" 2>&1
check "--ref beats the label" grep -qE '146: // github v4 line 146$' "$tmp/one4.txt"
# one run asks for each file once, however many routines it lists (GitHub allows 60
# unauthenticated requests an hour; a run of 12 routines once sent ~360)
: > "$tmp/requests.log"
XDG_CACHE_HOME=$tmp/cache-all "$smolder" list 'main\.' --db "$tmp/one.db" --query '{service_name="app"}' --profile-type $CPU \
  --from 0 --github-api "$api" > "$tmp/all.txt" 2>&1
check "12 routines listed, each with its code" \
  bash -c "[ \$(grep -c '^ROUTINE' '$tmp/all.txt') -eq 12 ] && ! grep -q 'no code' '$tmp/all.txt'"
check "each request once: .pyroscope.yaml and main.go asked one time each" \
  bash -c "[ \$(grep -c 'contents/svc/.pyroscope.yaml ref=v3' '$tmp/requests.log') -eq 1 ] && [ \$(grep -c 'contents/svc/cpuwork/main.go ref=v3' '$tmp/requests.log') -eq 1 ] && [ -z \"\$(sort '$tmp/requests.log' | uniq -d)\" ]"
# a server that takes every connection and closes it: that is each request's failure, not
# the origin's; each file is asked once (its failure is kept for a minute), not once a routine
python3 - "$tmp/drop.port" "$tmp/drop.log" <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    open(sys.argv[2], "a").write("connection\n")
    c.close()
PY
DROPPID=$!
for _ in $(seq 1 100); do [ -s "$tmp/drop.port" ] && break; sleep 0.05; done
"$smolder" list 'main\.' --db "$tmp/one.db" --query '{service_name="app"}' --profile-type $CPU \
  --from 0 --github-api "http://127.0.0.1:$(cat "$tmp/drop.port")" > "$tmp/drop.txt" 2>&1
kill "$DROPPID" 2> /dev/null
check "a server that closes connections is asked once a file (2) for 12 routines, not written off" \
  bash -c "[ \$(wc -l < '$tmp/drop.log') -eq 2 ] && ! grep -q 'did not answer earlier' '$tmp/drop.txt' && [ \$(grep -c '^ROUTINE' '$tmp/drop.txt') -eq 12 ]"
# nothing listens: the origin is tried once, then skipped (for 60 s) by the other routines
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$smolder" list 'main\.' --db "$tmp/one.db" --query '{service_name="app"}' --profile-type $CPU \
  --from 0 --github-api "http://127.0.0.1:$closed" > "$tmp/refused.txt" 2>&1
check "a server that refuses connections is tried once for 12 routines" \
  bash -c "[ \$(grep -c 'did not answer earlier in this run' '$tmp/refused.txt') -eq 12 ]"
# one dropped connection (the first request, .pyroscope.yaml): the file is still asked for
python3 "$here/github_standin.py" "$gh" "$tmp/port1" "$tmp/req1.log" 1 &
GH1PID=$!
for _ in $(seq 1 100); do [ -s "$tmp/port1" ] && break; sleep 0.05; done
api1="http://127.0.0.1:$(cat "$tmp/port1")"
"$smolder" resolve --repo "$api1/acme/app" --ref v3 --path svc/cpuwork/main.go \
  --function main.scoreRecords --github-api "$api1" > "$tmp/drop1.txt" 2>&1
kill "$GH1PID" 2> /dev/null
check "one dropped connection: the file is still asked for and found" \
  bash -c "grep -q '^DROPPED /repos/acme/app/contents/.pyroscope.yaml' '$tmp/req1.log' && grep -q 'GET /repos/acme/app/contents/svc/cpuwork/main.go ref=v3' '$tmp/req1.log' && grep -q '^found: GitHub' '$tmp/drop1.txt' && ! grep -q 'did not answer earlier' '$tmp/drop1.txt'"
G --format tsv > "$tmp/one.tsv"
check "tsv names the one version" bash -c "tail -n +2 '$tmp/one.tsv' | cut -f6 | sort -u | grep -qx v3"
"$smolder" list 'main\.scoreRecords$' --db "$db" --query '{service_name="app", service_git_ref="v1"}' \
  --profile-type $CPU --from 0 --offline > "$tmp/local.txt" 2>&1
check "a local path in service_repository is not used (labels name http(s) URLs only)" \
  bash -c "grep -q 'no code' '$tmp/local.txt' && ! grep -q '// v1 line' '$tmp/local.txt'"

# --- more versions than are split --------------------------------------------------------------
for i in $(seq 1 18); do
  "$smolder" ingest --db "$tmp/many.db" --service many --extra-labels "service_git_ref=r$i" "$tmp/w.json" > /dev/null 2>&1
done
"$smolder" list 'main\.work' --db "$tmp/many.db" --query '{service_name="many"}' --from 0 --offline > "$tmp/many.txt" 2>&1
check "18 versions: 16 sections and one line for the rest" \
  bash -c "[ \$(grep -c '^Version service_git_ref=r' '$tmp/many.txt') -eq 16 ] && tail -1 '$tmp/many.txt' | grep -qx '2 more versions not shown; narrow --query'"
"$smolder" list 'main\.work' --db "$tmp/many.db" --query '{service_name="many"}' --from 0 --offline --format tsv > "$tmp/many.tsv" 2> "$tmp/many.err"
check "in tsv that line goes to stderr" \
  bash -c "grep -qx 'smolder list: 2 more versions not shown; narrow --query' '$tmp/many.err' && [ \$(tail -n +2 '$tmp/many.tsv' | wc -l) -eq 16 ]"

check_done
