#!/usr/bin/env bash
# End-to-end: the source pane (4) on a store whose series span two versions of a service
# (service_git_ref v1 and v2, ingested with --extra-labels), in a private tmux server.
# A git repository made here has both versions as tags: work() moved three lines down in
# v2 (and a dirty work tree that must never show).  The browser opens the merged profile;
# the pane shows one version at a time — its own line numbers and its code at its tag,
# never the sum of both — `v` switches, `:ref=` and `:repo=` override the flag and the
# labels and the header says where each setting came from; the pane survives the live
# refreshes of the browser.  `view --db --profile-type` opens the same data without the
# browser and the pane splits it just the same.  Then: a local path in service_repository
# is ignored (labels name http(s) URLs only) and `:repo=` sets one; a GitHub URL in the
# labels is read at the series' ref through github_standin.py on 127.0.0.1 (GitHub cannot
# be reached from here).  Last, a cost on line 10^12 of an 11-line file: ], [ and a search
# answer at once.
# Usage: source_pane.sh SMOLDER
. "$(dirname "$0")/lib.sh"
smolder=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
server_pid=
trap 'e2e_stop; [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null' EXIT

e2e_git_env
export XDG_CACHE_HOME=$E2E_TMP/cache
unset GITHUB_TOKEN

# --- two versions of work/main.go -------------------------------------------------------
repo=$E2E_TMP/repo1
git init -q -b main "$repo"
mkdir -p "$repo/work"
cat > "$repo/work/main.go" <<'EOF'
package main

func work(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i * i // v1 hot
	}
	return s
}

func main() { work(10) }
EOF
git -C "$repo" add -A && git -C "$repo" commit -qm v1 && git -C "$repo" tag v1
cat > "$repo/work/main.go" <<'EOF'
package main

// square is new in v2: work moved three lines down.
func square(i int) int { return i * i }

func work(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += square(i) // v2 hot
	}
	return s
}

func main() { work(10) }
EOF
git -C "$repo" commit -qam v2 && git -C "$repo" tag v2
printf '// uncommitted: never shown\n' > "$repo/work/main.go"

# a fork with its own v2
repo2=$E2E_TMP/repo2
git init -q -b main "$repo2"
mkdir -p "$repo2/work"
printf 'package main\n\n// repo2: a fork\nfunc work(n int) int {\n\treturn n\n}\n' > "$repo2/work/main.go"
git -C "$repo2" add -A && git -C "$repo2" commit -qm fork && git -C "$repo2" tag v2

# --- what each version's program sampled (speedscope JSON: frames with lines) -------------
# v1: the loop on line 6 (700 ms), the return on line 8 (100 ms)
cat > "$E2E_TMP/v1.json" <<'EOF'
{"$schema":"https://www.speedscope.app/file-format-schema.json",
 "shared":{"frames":[{"name":"main.main","file":"work/main.go","line":11},
                     {"name":"main.work","file":"work/main.go","line":6},
                     {"name":"main.work","file":"work/main.go","line":8}]},
 "profiles":[{"type":"sampled","name":"cpu","unit":"milliseconds","startValue":0,"endValue":1000,
              "samples":[[0,1],[0,2]],"weights":[700,100]}]}
EOF
# v2: the loop on line 9 (300 ms self, 500 ms with square), the return on line 11 (50 ms)
cat > "$E2E_TMP/v2.json" <<'EOF'
{"$schema":"https://www.speedscope.app/file-format-schema.json",
 "shared":{"frames":[{"name":"main.main","file":"work/main.go","line":14},
                     {"name":"main.work","file":"work/main.go","line":9},
                     {"name":"main.work","file":"work/main.go","line":11},
                     {"name":"main.square","file":"work/main.go","line":4}]},
 "profiles":[{"type":"sampled","name":"cpu","unit":"milliseconds","startValue":0,"endValue":1000,
              "samples":[[0,1],[0,2],[0,1,3]],"weights":[300,50,200]}]}
EOF
# pushed 20 and 10 minutes ago: inside the browser's live "last 1h"
touch -d '-20 minutes' "$E2E_TMP/v1.json"
touch -d '-10 minutes' "$E2E_TMP/v2.json"
db=$E2E_TMP/two.db
E2E_CHECKS=$((E2E_CHECKS + 1))
if "$smolder" ingest --db "$db" --service app \
     --extra-labels "service_repository=$repo,service_git_ref=v1" "$E2E_TMP/v1.json" 2>"$E2E_TMP/ingest.err" &&
   "$smolder" ingest --db "$db" --service app \
     --extra-labels "service_repository=$repo,service_git_ref=v2" "$E2E_TMP/v2.json" 2>>"$E2E_TMP/ingest.err"; then
  echo "ok   - two versions ingested with their labels"
else
  E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - ingest: $(cat "$E2E_TMP/ingest.err")"
fi

# --- the pane on both versions --------------------------------------------------------------
e2e_start 140 30 "$smolder" --db "$db" --repo "$repo" --offline
expect "the browser lists the service" "▸ app +process_cpu:cpu:nanoseconds"
keys Enter
expect "Enter opens the merged profile of both versions" "app ([0-9]+-[0-9]+ )?[0-9:]+ - ([0-9]+-[0-9]+ )?[0-9:]+ . cpu \(nanoseconds\) . 1\.35 s total"
keys 2
keys / w o r k Enter 4
expect "4: the pane starts on the version where the function costs most" "^ version 1 of 2: v1 \(v next\)"
expect "v1's code at tag v1, with v1's numbers on v1's lines" "700 ms +700 ms █ +6 +s \+= i \* i // v1 hot"
expect "and v1's return" "100 ms +100 ms . +8 +return s"
expect "the header: the file, read from the git repository at v1's commit" "^ work/main\.go \(git clone: .*/repo1 @ [0-9a-f]{12}\) .*hottest: line 6"
expect "where each setting came from: the flag, the series' label" "repo .*/repo1 \(flag\) . ref v1 \(label\) . root -"
expect "the status line has v1's totals, not both versions'" "main\.work  self 800 ms  total 800 ms"
expect_not "nothing of v2 in v1's pane" "square|v2 hot|uncommitted"
keys v
expect "v: version 2 of 2" "^ version 2 of 2: v2 \(v next\)"
expect "v2's numbers on v2's lines, with v2's code" "300 ms +500 ms █ +9 +s \+= square\(i\) // v2 hot"
expect "v2's return on line 11" "50 ms +50 ms . +11 +return s"
expect "read at v2" "ref v2 \(label\)"
expect_not "v1's numbers are gone (never added to v2's)" "700 ms|800 ms|1\.15 s"
keys v
expect "v cycles back to v1" "^ version 1 of 2: v1"
keys V
expect "V goes the other way" "^ version 2 of 2: v2"
# the browser re-opens the live range every few seconds: the pane must stay as it is
range1=$(screen | head -1 | grep -oE 'app ([0-9]+-[0-9]+ )?[0-9:]+ - ([0-9]+-[0-9]+ )?[0-9:]+')
E2E_CHECKS=$((E2E_CHECKS + 1))
moved=
for _ in $(seq 1 300); do
  r=$(screen | head -1 | grep -oE 'app ([0-9]+-[0-9]+ )?[0-9:]+ - ([0-9]+-[0-9]+ )?[0-9:]+')
  if [ -n "$range1" ] && [ -n "$r" ] && [ "$r" != "$range1" ]; then moved=1; break; fi
  sleep 0.05
done
if [ -n "$moved" ]; then
  echo "ok   - a live refresh re-opened the moving range ($range1 -> $r)"
else
  E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - no live refresh of '$range1' in 15 s:"; screen | sed 's/^/     | /'
fi
expect "after the refresh: still version 2 with its numbers and code" "300 ms +500 ms █ +9 +s \+= square\(i\) // v2 hot"
expect "and the picker" "^ version 2 of 2: v2"
# from here on, no refresh: a live re-open starts afresh (filters cleared, a message)
keys T p
expect "p in the browser pauses live updates" "paused \(p\)"
keys 4
expect "4 goes back to the pane as it was" "^ version 2 of 2: v2 \(v next\)"
# typed settings
keys :
tm send-keys -t e2e -l 'ref=v'
keys Tab
expect "Tab completes a ref from the versions" "v1  v2"
keys C-u
tm send-keys -t e2e -l 'ref=v1'
keys Enter
expect ":ref= overrides the label, and the header says so" "ref v1 \(typed\) .* the numbers are of v2"
expect "the code is v1's now; the numbers stay v2's" "300 ms +500 ms █ +9 +}"
expect "v1's hot line is on line 6 again" "^ +\. +\. +6 +s \+= i \* i // v1 hot"
keys :
tm send-keys -t e2e -l 'ref='
keys Enter
expect ":ref= (empty) goes back to the label" "ref v2 \(label\)"
expect "and to v2's code" "█ +9 +s \+= square\(i\) // v2 hot"
keys :
tm send-keys -t e2e -l "repo=$repo2"
keys Enter
expect ":repo= overrides the flag" "repo .*/repo2 \(typed\)"
expect "the code comes from the second repository at v2" "// repo2: a fork"
expect "and the first line names it" "git clone: .*/repo2 @"
keys :
tm send-keys -t e2e -l 'repo=/nonexistent/repo'
keys Enter
expect "a bad typed repository is a message in the pane" "no code: repository '/nonexistent/repo'"
keys :
tm send-keys -t e2e -l 'nosuch=1'
keys Enter
expect "the other ':' options still answer" "unknown option 'nosuch' \(focus, ignore, "
keys :
tm send-keys -t e2e -l 'focus=square'
keys Enter
expect "filters still work, and split again: only v2 calls square" "version 2 of 2: v2 \(not in v1; v next\)"
expect "with the filtered numbers" "\. +200 ms █ +9 *$"
keys q
expect "q quits with status 0" "EXITED=0"
e2e_stop

# --- the same data opened from the command line (view --db --profile-type) ------------------
# no browser window is opened: the pane splits the profile by the same query all the same
from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
e2e_start 140 30 "$smolder" view --db "$db" --from "$from" --to now \
  --profile-type process_cpu:cpu:nanoseconds:: --repo "$repo" --offline
expect "view --db opens the merged profile of both versions" "1\.35 s total"
keys 2 / w o r k Enter 4
expect "the pane splits it by version as it does from the browser" "^ version 1 of 2: v1 \(v next\)"
expect "v1's numbers on v1's lines, its code at v1" "700 ms +700 ms █ +6 +s \+= i \* i // v1 hot"
expect "the header: the flag and the label" "repo .*/repo1 \(flag\) . ref v1 \(label\)"
expect_not "never v2's lines among v1's" "v2 hot|uncommitted|square"
keys v
expect "v: version 2 of 2" "^ version 2 of 2: v2 \(v next\)"
expect "v2's numbers on v2's lines" "300 ms +500 ms █ +9 +s \+= square\(i\) // v2 hot"
keys q
expect "q quits" "EXITED=0"
e2e_stop

# a diff opened from the command line keeps both sides in the pane: split by version, each
# version's merge was one side, and base/new/change went
e2e_start 140 30 "$smolder" diff --db "$db" --base-from "$from" --base-to now --from "$from" \
  --to now --profile-type process_cpu:cpu:nanoseconds:: --repo "$repo" --offline
expect "diff --db opens the pair" "1\.35 s"
keys 2 / w o r k Enter 4
expect "the pane keeps base, new and change" "^ +base +new +change"
expect_not "and is not split by version" "version [0-9] of 2"
keys q
expect "q quits" "EXITED=0"
e2e_stop

# P in the browser (this period against the one before) is a diff too: not split either.
# A copy of the store with a v1 profile 90 minutes ago, so the period before has data
cp "$db" "$E2E_TMP/cmp.db"
cp "$E2E_TMP/v1.json" "$E2E_TMP/old.json"; touch -d '-90 minutes' "$E2E_TMP/old.json"
"$smolder" ingest --db "$E2E_TMP/cmp.db" --service app \
  --extra-labels "service_repository=$repo,service_git_ref=v1" "$E2E_TMP/old.json" 2>/dev/null
e2e_start 140 30 "$smolder" --db "$E2E_TMP/cmp.db" --repo "$repo" --offline
expect "the browser" "▸ app +process_cpu:cpu:nanoseconds"
keys P
expect "P opens the comparison" "800 ms .* 1\.35 s"
keys 2 / w o r k Enter 4
expect "the pane keeps base, new and change" "^ +base +new +change"
expect_not "and is not split by version" "version [0-9] of 2"
keys q
expect "q quits" "EXITED=0"
e2e_stop

# --- a local path in a label is not used; :repo= sets one ----------------------------------
e2e_start 140 30 "$smolder" --db "$db" --offline
expect "the browser again" "▸ app +process_cpu"
keys Enter
expect "opened" "[0-9.]+ m?s total"
keys 2 / w o r k Enter 4
expect "the label's local path is ignored, and the header says why" "repo - \(label '.*/repo1' ignored: labels name http\(s\) URLs only; :repo= sets one\)"
expect "so there is no code, only the numbers" "no code: no source for 'work/main\.go'"
keys :
tm send-keys -t e2e -l "repo=$repo"
keys Enter
expect "typed, the repository is read at the version's ref" "700 ms +700 ms █ +6 +s \+= i \* i // v1 hot"
expect "typed and label" "repo .*/repo1 \(typed\) . ref v1 \(label\)"
keys q
expect "q quits" "EXITED=0"
e2e_stop

# --- a GitHub URL in the labels, read at the label's ref ------------------------------------
gh=$E2E_TMP/gh
mkdir -p "$gh/acme/app/v3/work"
printf 'package main\n\n// on GitHub at v3\nfunc work(n int) int {\n\ts := 0\n\treturn s\n}\n' > "$gh/acme/app/v3/work/main.go"
python3 "$here/github_standin.py" "$gh" "$E2E_TMP/port" "$E2E_TMP/requests.log" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$E2E_TMP/port" ] && break; sleep 0.05; done
api="http://127.0.0.1:$(cat "$E2E_TMP/port")"
"$smolder" ingest --db "$E2E_TMP/gh.db" --service app \
  --extra-labels "service_repository=$api/acme/app,service_git_ref=v3" "$E2E_TMP/v1.json" 2>/dev/null
e2e_start 140 30 "$smolder" --db "$E2E_TMP/gh.db" --github-api "$api"
expect "the browser" "▸ app +process_cpu"
keys Enter
expect "opened" "[0-9.]+ m?s total"
keys 2 / w o r k Enter 4
expect "one version: no picker; the label's repository and ref" "^ repo http://127\.0\.0\.1:[0-9]+/acme/app \(label\) . ref v3 \(label\)"
expect "the code from GitHub at v3" "GitHub: .*acme/app @ v3"
expect "with the numbers" "700 ms +700 ms █ +6 +return s"
keys q
expect "q quits" "EXITED=0"
e2e_stop
E2E_CHECKS=$((E2E_CHECKS + 1))
if grep -q "GET /repos/acme/app/contents/work/main.go ref=v3" "$E2E_TMP/requests.log"; then
  echo "ok   - the stand-in was asked for work/main.go at v3"
else
  E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - requests: $(cat "$E2E_TMP/requests.log" 2>/dev/null)"
fi

# --- a git server that accepts and never answers: the explorer never waits for it --------
# (libgit2 1.5 has no timeout: the clone is left to its thread, which gives up with it)
python3 - "$E2E_TMP/silent.port" <<'EOF' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    c, _ = s.accept(); held.append(c)
EOF
silent_pid=$!
for _ in $(seq 1 100); do [ -s "$E2E_TMP/silent.port" ] && break; sleep 0.05; done
"$smolder" ingest --db "$E2E_TMP/silent.db" --service app \
  --extra-labels "service_repository=http://127.0.0.1:$(cat "$E2E_TMP/silent.port")/acme/app.git" \
  "$E2E_TMP/v1.json" 2>/dev/null
e2e_start 140 30 "$smolder" --db "$E2E_TMP/silent.db"
expect "the browser (silent server)" "▸ app +process_cpu"
keys Enter
expect "opened" "[0-9.]+ m?s total"
keys 2 / w o r k Enter 4
expect "the clone waits on the silent server" "finding the code"
keys Escape 2 / m a i n Enter 4
keys q
expect "q quits at once, the hung clone left behind" "EXITED=0" 5
e2e_stop
kill "$silent_pid" 2>/dev/null

# --- a cost on line 10^12 of an 11-line file: ], [ and a search answer at once -------------
# (the pane has a row per line up to 10^12: they walked those rows one at a time, and the
# second ] or a search for what is nowhere never answered, Esc and q unread)
mkdir -p "$E2E_TMP/far/work"
printf 'package main\n\nfunc work(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += i * i\n\t}\n\treturn s\n}\n\nfunc main() { work(10) }\n' \
  > "$E2E_TMP/far/work/main.go"
cat > "$E2E_TMP/far.json" <<'EOF'
{"$schema":"https://www.speedscope.app/file-format-schema.json",
 "shared":{"frames":[{"name":"main.main","file":"work/main.go","line":11},
                     {"name":"main.work","file":"work/main.go","line":6},
                     {"name":"main.work","file":"work/main.go","line":1000000000000}]},
 "profiles":[{"type":"sampled","name":"cpu","unit":"milliseconds","startValue":0,"endValue":1000,
              "samples":[[0,1],[0,2]],"weights":[700,100]}]}
EOF
e2e_start 120 30 "$smolder" "$E2E_TMP/far.json" --source-path "$E2E_TMP/far"
expect "opened" "[0-9.]+ m?s total"
keys 2 4
expect "the pane on main.work's hottest line" "main\.work .*line 6: self"
expect "its code, found" "s \+= i \* i"
keys g ]
expect "] from line 1: line 6" "line 6: self"
keys ]
expect "] from line 6: the far line at once" "line 1000000000000: self" 5
keys ]
expect "] past the last: said at once" "no more lines with a cost" 5
keys [
expect "[ back to line 6 at once" "line 6: self" 5
keys / z z z z Enter
expect "a search for what is nowhere answers" "no more matches" 5
keys q
expect "q quits" "EXITED=0" 5
e2e_stop

e2e_done
