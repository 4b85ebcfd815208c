#!/usr/bin/env bash
# End-to-end tests of `smolder resolve`: a local git repository made here (tags, a dirty
# work tree), a bare clone cache from a file:// remote, GitHub through a stand-in server
# (github_standin.py on 127.0.0.1: GitHub cannot be reached from here), the Go standard
# library at the version in the path, the token kept out of every output, a clone over
# smart HTTP (git http-backend) that asks for a password kept out of the clone, traversal
# refused, one-line errors and exit statuses.  Usage: source.sh SMOLDER
set -u
smolder=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/check_lib.sh"
tmp=$(mktemp -d)
server_pid= git_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	[ -n "$git_pid" ] && kill "$git_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT


export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t.invalid
export XDG_CACHE_HOME=$tmp/cache
unset GITHUB_TOKEN

# a repository with two tagged versions and uncommitted work
repo=$tmp/repo
git init -q -b main "$repo"
mkdir -p "$repo/cmd/app"
printf 'package main\n\nfunc main() { println("v1") }\n' > "$repo/cmd/app/main.go"
git -C "$repo" add -A && git -C "$repo" commit -qm one && git -C "$repo" tag v1
printf 'package main\n\nfunc main() { println("v2") }\n' > "$repo/cmd/app/main.go"
git -C "$repo" commit -qam two && git -C "$repo" tag v2
printf 'dirty\n' > "$repo/cmd/app/main.go"

out=$("$smolder" resolve --function main.main --path /build/src/cmd/app/main.go --repo "$repo" --ref v1 --offline --cat)
rc=$?
check "a local clone at a tag: found" test "$rc" -eq 0
check "the steps are printed, numbered" bash -c "grep -qE '^ +[0-9]+\. go: path search: git .* at v1 .build/src/cmd/app/main.go.: not in the tree' <<<\"\$1\"" _ "$out"
check "the result names the git clone and the ref" bash -c "grep -qE \"^found: git clone 'cmd/app/main.go' in .* at v1 \\(commit [0-9a-f]{40}\\)\" <<<\"\$1\"" _ "$out"
check "--cat shows the tag's content, not the work tree" bash -c "grep -q 'println(\"v1\")' <<<\"\$1\" && ! grep -q dirty <<<\"\$1\"" _ "$out"

# a bare clone cache from a file:// remote; a new tag upstream is fetched
out=$("$smolder" resolve --path cmd/app/main.go --repo "file://$repo" --ref v2 --cat)
check "a file:// remote is cloned into the cache" bash -c "grep -q \"cloning 'file://\" <<<\"\$1\" && grep -q 'println(\"v2\")' <<<\"\$1\"" _ "$out"
check "the clone is bare, under \$XDG_CACHE_HOME/smolder/repos" bash -c "ls -d '$tmp'/cache/smolder/repos/*repo-* | grep -v lock | xargs -I{} git -C {} rev-parse --is-bare-repository | grep -qx true"
git -C "$repo" checkout -q -- . && printf 'package main // v3\n' > "$repo/cmd/app/main.go"
git -C "$repo" commit -qam three && git -C "$repo" tag v3
out=$("$smolder" resolve --path cmd/app/main.go --repo "file://$repo" --ref v3 --cat)
check "a ref missing from the clone triggers a fetch" bash -c "grep -q \"ref 'v3' is not in the clone: fetching\" <<<\"\$1\" && grep -q '// v3' <<<\"\$1\"" _ "$out"
# the scheme in capitals is the same URL (libgit2 knows only "file://": it failed to resolve
# 'FILE:///...' as a path)
out=$("$smolder" resolve --path cmd/app/main.go --repo "FILE://$repo" --ref v2 --cat 2>&1)
check "--repo FILE:// is read as file://" bash -c "grep -q 'println(\"v2\")' <<<\"\$1\"" _ "$out"

# GitHub through the stand-in
gh=$tmp/gh
mkdir -p "$gh/acme/app/main/svc" "$gh/golang/go/go1.21.3/src/fmt" "$gh/acme/app/main/svc/sub"
printf 'def handler():\n    return 42\n' > "$gh/acme/app/main/svc/handler.py"
printf 'package fmt // go1.21.3\n' > "$gh/golang/go/go1.21.3/src/fmt/print.go"
printf 'version: v1\nsource_code:\n  mappings:\n    - path: [{prefix: /app}]\n      language: python\n      source: {local: {path: sub}}\n' > "$gh/acme/app/main/svc/.pyroscope.yaml"
printf 'mapped = True\n' > "$gh/acme/app/main/svc/sub/mod.py"
python3 "$here/github_standin.py" "$gh" "$tmp/port" "$tmp/requests.log" &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
api="http://127.0.0.1:$(cat "$tmp/port")"

out=$(GITHUB_TOKEN=tok-e2e-secret "$smolder" resolve --repo "$api/acme/app" --ref main --root svc \
      --path handler.py --function handler --github-api "$api" --goroot /nonexistent --cat 2>"$tmp/err")
rc=$?
check "GitHub (stand-in): found through the contents API" bash -c "[ $rc -eq 0 ] && grep -q \"^found: GitHub 'svc/handler.py'\" <<<\"\$1\" && grep -q 'return 42' <<<\"\$1\"" _ "$out"
check "the raw media type was asked for, with the token" grep -q 'contents/svc/handler.py ref=main auth=yes accept=application/vnd.github.raw' "$tmp/requests.log"
check "the token appears in no output" bash -c "! grep -q tok-e2e-secret <<<\"\$1\" && ! grep -q tok-e2e-secret '$tmp/err'" _ "$out"
out=$("$smolder" resolve --repo "$api/acme/app" --ref main --root svc --path /app/mod.py --github-api "$api" --cat)
check ".pyroscope.yaml under the root path maps /app to sub/" bash -c "grep -q 'config: 1 mapping' <<<\"\$1\" && grep -q 'mapped = True' <<<\"\$1\"" _ "$out"
out=$("$smolder" resolve --repo "$api/acme/app" --path /usr/local/Cellar/go/1.21.3/libexec/src/fmt/print.go --github-api "$api" --goroot /nonexistent)
check "the Go standard library at the version in the path" bash -c "grep -q 'standard library .fmt/print.go., Go 1.21.3' <<<\"\$1\" && grep -q \"^found: GitHub 'src/fmt/print.go' in http://127.0.0.1:[0-9]*/golang/go at go1.21.3\" <<<\"\$1\"" _ "$out"
: > "$tmp/requests.log"
"$smolder" resolve --repo "$api/acme/app" --path handler.py --github-api "$api" --offline > /dev/null 2>&1
check "--offline asks nobody" test ! -s "$tmp/requests.log"
out=$("$smolder" resolve --offline --repo https://user:s3cret@example.invalid/x.git --path a.go 2>&1)
check "credentials in a --repo URL appear in no output" bash -c "grep -q 'example.invalid/x.git' <<<\"\$1\" && ! grep -q s3cret <<<\"\$1\"" _ "$out"

# refusals and errors: one line on stderr, status 1; usage errors status 2
errcheck() {  # errcheck DESCRIPTION STATUS PATTERN ARGS...
  local d=$1 want=$2 pat=$3; shift 3
  "$smolder" "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ "$rc" -eq "$want" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -qE -- "$pat" "$tmp/err" && ! grep -q 'root:x:0' "$tmp/out"; then
    echo "ok   - $d"; pass=$((pass + 1))
  else
    echo "FAIL - $d (status $rc): $(cat "$tmp/err")"; fail=$((fail + 1))
  fi
}
errcheck "a .. path is refused" 1 "no source for" resolve --repo "$repo" --path ../../../../../../etc/passwd --offline --cat
errcheck "an absolute path with .. is refused" 1 "no source for" resolve --path /tmp/../etc/passwd --offline --cat
ln -s /etc/passwd "$repo/leak.go" && git -C "$repo" add leak.go && git -C "$repo" commit -qm leak
errcheck "a symlink out of the repository is refused" 1 "refused: 'leak.go' is a symlink out of the repository" resolve --repo "$repo" --ref main --path leak.go --offline --cat
head -c 5000000 /dev/zero | tr '\0' x > "$tmp/big.go"
errcheck "files over 4 MiB are refused" 1 "larger than 4 MiB" resolve --path "$tmp/big.go" --offline
printf 'a\0b' > "$tmp/bin.go"
errcheck "binary files are refused" 1 "binary file" resolve --path "$tmp/bin.go" --offline
errcheck "not found: one line" 1 "no source for 'nope.go'" resolve --path nope.go --source-path "$tmp" --offline
# a search that asked nowhere says why: before, "nowhere to look (give --repo or
# --source-path)" when --source-path was given and refused the path, and "not in any of the
# 1 place tried" when a clone had no cache directory (HOME and XDG_CACHE_HOME unset)
errcheck "a path every place refuses: the refusal, not 'give --source-path'" 1 \
  "^smolder: no source for '../x.go': refused: the path escapes through '..'\$" \
  resolve --path ../x.go --function main.f --source-path "$tmp" --offline
home_=$HOME xdg_=${XDG_CACHE_HOME-unset}
unset HOME XDG_CACHE_HOME
errcheck "a clone with no cache directory: says so" 1 \
  "^smolder: no source for 'x.go': no cache directory to clone into \(give --cache-dir" \
  resolve --repo http://127.0.0.1:1/x.git --path x.go
export HOME=$home_
[ "$xdg_" = unset ] || export XDG_CACHE_HOME=$xdg_
# a URL names what is downloaded (a label can): more than SMOLDER_CLONE_MAX is refused, and
# not downloaded again by the next lookup; a larger limit clones it
big=$tmp/bigrepo
git init -q -b main "$big" && head -c 3000000 /dev/urandom > "$big/blob.bin"
printf 'package main // big\n' > "$big/main.go" && git -C "$big" add -A && git -C "$big" commit -qm big
# (a clone makes libgit2 leak PCRE2 data, suppressed in sanitizer builds: the list of
# suppressions used would be a second line on stderr)
lsan_before=${LSAN_OPTIONS-}
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}print_suppressions=0"
export SMOLDER_CLONE_MAX=1M
errcheck "a clone over SMOLDER_CLONE_MAX is refused" 1 "^smolder: refused: cloning 'file://.*' passed the limit of 1 MiB" resolve --repo "file://$big" --ref main --path main.go --cat
check "nothing is left of the refused clone" bash -c "! ls -d '$tmp'/cache/smolder/repos/*bigrepo* | grep -vE '[.](lock|toobig)\$'"
errcheck "and it is refused at once the next time" 1 "on an earlier attempt" resolve --repo "file://$big" --ref main --path main.go --cat
check "... without cloning" bash -c "! grep -q 'git: cloning' '$tmp/out'"
export SMOLDER_CLONE_MAX=64M
out=$("$smolder" resolve --repo "file://$big" --ref main --path main.go --cat)
check "a larger limit clones it" grep -q 'package main // big' <<<"$out"
export SMOLDER_CLONE_MAX=1x
errcheck "SMOLDER_CLONE_MAX that is not a size: usage" 2 "SMOLDER_CLONE_MAX='1x': not a size" resolve --repo "file://$big" --ref main --path main.go
unset SMOLDER_CLONE_MAX
export LSAN_OPTIONS=$lsan_before
errcheck "no function and no path: usage" 2 "give --function" resolve
errcheck "--ref with no repository: usage, not the work tree" 2 "--ref 'v1' needs a repository" resolve --ref v1 --path cmd/app/main.go --source-path "$repo" --offline --cat
errcheck "a ref on a plain directory: usage" 2 "not a git repository" resolve --repo "$tmp/gh" --ref v1 --path x.go --offline
check "--help" bash -c "'$smolder' resolve --help | grep -q -- '--source-path D .*list'"

# credentials a --repo URL carries, in its user information (an '@' and a '/' in the
# password) or its query, appear in no line of the trace, in no error (libgit2's quotes
# the URL) and in no name in the cache; two passwords and a query for one repository, one
# clone (its name is the URL without them: libgit2 sends no query)
urls=('http://bob:p@ss-word@127.0.0.1:9/r.git' 'http://bob:se/cret-word@127.0.0.1:9/r.git'
      'http://127.0.0.1:9/r.git?token=SECRET-word')
what=("an '@' in the password" "a '/' in the password" "a token in the query")
for i in 0 1 2; do
	out=$("$smolder" resolve -F main.main -P main.go --repo "${urls[i]}" --cache-dir "$tmp/credcache" 2>&1)
	check "${what[i]}: in no line of resolve's output" bash -c "grep -q \"cannot clone: .*'http://127.0.0.1:9/r.git'\\|failed to connect\" <<<\"\$1\" && ! grep -qiE 'word|bob' <<<\"\$1\"" _ "$out"
done
check "no secret in the cache's names, one name for the three URLs" bash -c "test \$(ls '$tmp/credcache/repos' | grep -c '^127.0.0.1_9_r.git-[0-9a-f]*.lock\$') -eq 1 && ! ls -a '$tmp/credcache/repos' | grep -qiE 'word|bob'"

# a repository served over smart HTTP by git http-backend, behind Basic authentication: the
# user name and password (a token) of the URL are given to libgit2 apart, so that the
# clone's config (its remote's URL), FETCH_HEAD and refs never hold them; a clone that
# holds them in its config (made before) loses them when it is opened
cat > "$tmp/git_http.py" <<'EOF'
import base64, os, subprocess, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
root, portfile, authfile, log = sys.argv[1:5]
class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def serve(self):
        path, _, query = self.path.partition('?')
        want = open(authfile).read().strip()  # read each time: a token can be rotated
        got = self.headers.get('Authorization', '')
        with open(log, 'a') as f:
            f.write('%s %s auth=%s\n' % (self.command, path,
                    base64.b64decode(got[6:]).decode() if got.startswith('Basic ') else '-'))
        if want and got != 'Basic ' + base64.b64encode(want.encode()).decode():
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic realm="git"')
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        body = b''
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            while True:
                n = int(self.rfile.readline().split(b';')[0], 16)
                body += self.rfile.read(n)
                self.rfile.readline()
                if n == 0:
                    break
        else:
            body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        env = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL='1', PATH_INFO=path,
                   QUERY_STRING=query, REQUEST_METHOD=self.command, REMOTE_ADDR='127.0.0.1',
                   CONTENT_TYPE=self.headers.get('Content-Type', ''),
                   CONTENT_LENGTH=str(len(body)))
        if self.headers.get('Content-Encoding'):
            env['HTTP_CONTENT_ENCODING'] = self.headers['Content-Encoding']
        out = subprocess.run(['git', 'http-backend'], input=body, env=env,
                             stdout=subprocess.PIPE).stdout
        head, _, rest = out.partition(b'\r\n\r\n' if b'\r\n\r\n' in out else b'\n\n')
        status, headers = 200, []
        for line in head.decode().splitlines():
            k, _, v = line.partition(':')
            if k.lower() == 'status':
                status = int(v.split()[0])
            else:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(rest)))
        self.end_headers()
        self.wfile.write(rest)
    do_GET = do_POST = serve
s = ThreadingHTTPServer(('127.0.0.1', 0), H)
open(portfile + '.tmp', 'w').write(str(s.server_address[1]))
os.rename(portfile + '.tmp', portfile)
s.serve_forever()
EOF
mkdir -p "$tmp/served"
git clone -q --bare "$repo" "$tmp/served/r.git"
printf 'bob:TOK-e2e-first\n' > "$tmp/git_auth"
python3 "$tmp/git_http.py" "$tmp/served" "$tmp/git_port" "$tmp/git_auth" "$tmp/git.log" &
git_pid=$!
for _ in $(seq 100); do [ -s "$tmp/git_port" ] && break; sleep 0.05; done
ghttp="127.0.0.1:$(cat "$tmp/git_port")"
hc=$tmp/httpcache
hclone() { ls -d "$hc"/repos/*r.git-* | grep -v '[.]lock$'; }
out=$("$smolder" resolve --repo "http://bob:TOK-e2e-first@$ghttp/r.git" --ref v1 --path cmd/app/main.go --cache-dir "$hc" --cat 2>&1)
check "smart HTTP with a password: cloned" grep -q 'println("v1")' <<<"$out"
check "... the server was given the user name and password" grep -q 'POST /r.git/git-upload-pack auth=bob:TOK-e2e-first' "$tmp/git.log"
check "... which the clone holds nowhere (config, FETCH_HEAD, refs)" bash -c "! grep -rq TOK-e2e '$hc'"
check "... its remote is the URL without them" test "$(git --git-dir="$(hclone)" config remote.origin.url)" = "http://$ghttp/r.git"
git -C "$tmp/served/r.git" tag http-new v2
out=$("$smolder" resolve --repo "http://bob:TOK-e2e-first@$ghttp/r.git" --ref http-new --path cmd/app/main.go --cache-dir "$hc" --cat 2>&1)
check "a fetch with the password: the new tag is read" bash -c "grep -q \"ref 'http-new' is not in the clone: fetching\" <<<\"\$1\" && grep -q 'println(\"v2\")' <<<\"\$1\"" _ "$out"
check "... and the clone still holds no password" bash -c "! grep -rq TOK-e2e '$hc'"
# a clone made before: its config holds the URL it was given
git --git-dir="$(hclone)" config remote.origin.url "http://bob:TOK-e2e-first@$ghttp/r.git"
out=$("$smolder" resolve --repo "http://bob:TOK-e2e-first@$ghttp/r.git" --ref v1 --path cmd/app/main.go --cache-dir "$hc" --cat 2>&1)
check "a clone with the password in its config: read, and the password taken out" bash -c "grep -q 'credentials taken out of the clone' <<<\"\$1\" && grep -q 'println(\"v1\")' <<<\"\$1\" && ! grep -rq TOK-e2e '$hc'" _ "$out"
check "... its remote is the URL without it" test "$(git --git-dir="$(hclone)" config remote.origin.url)" = "http://$ghttp/r.git"
out=$("$smolder" resolve --repo "http://bob:wrong-pass@$ghttp/r.git" --ref v1 --path cmd/app/main.go --cache-dir "$tmp/httpcache-wrong" 2>&1)
check "a password the server refuses: not cloned, said so, and not shown" bash -c "grep -q \"cannot clone 'http://$ghttp/r.git': the server refused the user name and password of the URL\" <<<\"\$1\" && ! grep -q wrong-pass <<<\"\$1\" && ! ls '$tmp/httpcache-wrong/repos' | grep -qv '[.]lock\$'" _ "$out"

out=$("$smolder" resolve --repo "http://$ghttp/r.git" --ref v1 --path cmd/app/main.go --cache-dir "$tmp/httpcache-wrong" 2>&1)
check "no password for a server that asks for one: said so" grep -q "cannot clone 'http://$ghttp/r.git': the server asks for a user name and password (the URL gives none)" <<<"$out"
# a rotated token reads the clone the last one made (a clone is named by the URL without
# credentials), and a fetch with the new one brings it up to date
printf 'bob:TOK-e2e-second\n' > "$tmp/git_auth"
git -C "$tmp/served/r.git" tag http-rotated v1
out=$("$smolder" resolve --repo "http://bob:TOK-e2e-second@$ghttp/r.git" --ref http-rotated --path cmd/app/main.go --cache-dir "$hc" --cat 2>&1)
check "a rotated token: the same clone, fetched with the new token" bash -c "! grep -q 'git: cloning' <<<\"\$1\" && grep -q \"ref 'http-rotated' is not in the clone: fetching\" <<<\"\$1\" && grep -q 'println(\"v1\")' <<<\"\$1\"" _ "$out"
check "... one clone in the cache" test "$(hclone | wc -l)" -eq 1
check "... the server was given the new token" grep -q 'GET /r.git/info/refs auth=bob:TOK-e2e-second' "$tmp/git.log"
out=$("$smolder" resolve --repo "http://bob:TOK-e2e-first@$ghttp/r.git" --ref no-such-tag --path cmd/app/main.go --cache-dir "$hc" 2>&1)
check "a revoked token: the fetch says the server refused it, and does not show it" bash -c "grep -q \"cannot fetch 'http://$ghttp/r.git': the server refused the user name and password of the URL\" <<<\"\$1\" && ! grep -q TOK-e2e <<<\"\$1\"" _ "$out"
# a clone named by the URL as given (its credentials in the name's hash, as smolder named
# clones before): renamed to the new name when that URL is read, not cloned again
oc=$tmp/oldcache
ourl="http://bob:TOK-e2e-second@$ghttp/r.git"
old=$(python3 -c 'import sys
h = 1469598103934665603  # the starting value in path.c
for b in sys.argv[1].encode():
    h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
print("%s-%08x" % (sys.argv[2], h & 0xffffffff))' "$ourl" "127.0.0.1_$(cat "$tmp/git_port")_r.git")
mkdir -p "$oc/repos" && git clone -q --bare "$ourl" "$oc/repos/$old" && git --git-dir="$oc/repos/$old" config remote.origin.url "$ourl"
out=$("$smolder" resolve --repo "$ourl" --ref v1 --path cmd/app/main.go --cache-dir "$oc" --cat 2>&1)
check "a clone under its old name: read, not cloned again" bash -c "grep -q \"the clone made under the name '$old' is used\" <<<\"\$1\" && ! grep -q 'git: cloning' <<<\"\$1\" && grep -q 'println(\"v1\")' <<<\"\$1\"" _ "$out"
check "... renamed, and the token taken out of its config" bash -c "! ls '$oc/repos' | grep -q '^$old' && test \$(ls '$oc/repos' | grep -vc '[.]lock\$') -eq 1 && ! grep -rq TOK-e2e '$oc'"

# smolder list in the wrong directory: the Go fixtures' cpuwork profile run from heapwork's
# sources (it has its own main.go) shows no code, rather than heapwork's main.go
gosrc=$(cd "$here/../../../shared/testdata/go" && pwd -P)
out=$(cd "$gosrc/src/heapwork" && "$smolder" list scoreRecords "$gosrc/cpuwork-cpu.pb.gz" 2>&1)
check "list from another program's directory shows no other main.go" bash -c "grep -q \"no code: no source for 'cpuwork/main.go'\" <<<\"\$1\" && ! grep -q 'cache.Put' <<<\"\$1\"" _ "$out"
out=$(cd "$gosrc/src/cpuwork" && "$smolder" list scoreRecords "$gosrc/cpuwork-cpu.pb.gz" 2>&1)
check "list from the module's own directory shows its code" grep -q 'func scoreRecords(recs' <<<"$out"
out=$("$smolder" list scoreRecords "$gosrc/cpuwork-cpu.pb.gz" --source-path "$gosrc/src" 2>&1)
check "list with --source-path at the modules' parent shows the code" grep -q 'func scoreRecords(recs' <<<"$out"
# --source-path is pprof's list: each directory in order, a missing one skipped
out=$("$smolder" list scoreRecords "$gosrc/cpuwork-cpu.pb.gz" --source-path "$tmp/nonexist:$gosrc/src/heapwork:$gosrc/src" 2>&1)
check "list with a --source-path list shows the code of its third directory" grep -q 'func scoreRecords(recs' <<<"$out"

# a server that redirects the clone to another server (the smart-HTTP one, which asks for a
# password): the user name and password of the URL are given to the URL's own host and port
# only.  A redirect to another host (localhost) is not followed; one to another port of the
# same host is, and that server's question goes unanswered (before, both were given bob's
# token)
cat > "$tmp/redirect.py" <<'EOF'
import os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
target, portfile = sys.argv[1:3]
class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def serve(self):
        self.send_response(302)
        self.send_header('Location', target + self.path)
        self.send_header('Content-Length', '0')
        self.end_headers()
    do_GET = do_POST = serve
s = ThreadingHTTPServer(('127.0.0.1', 0), H)
open(portfile + '.tmp', 'w').write(str(s.server_address[1]))
os.rename(portfile + '.tmp', portfile)
s.serve_forever()
EOF
python3 "$tmp/redirect.py" "http://localhost:${ghttp#*:}" "$tmp/redir_host_port" &
redir_host_pid=$!
python3 "$tmp/redirect.py" "http://$ghttp" "$tmp/redir_port_port" &
redir_port_pid=$!
trap 'kill "$redir_host_pid" "$redir_port_pid" 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do
	[ -s "$tmp/redir_host_port" ] && [ -s "$tmp/redir_port_port" ] && break
	sleep 0.05
done
printf 'bob:TOK-e2e-redirected\n' > "$tmp/git_auth"
: > "$tmp/git.log"
rhost=127.0.0.1:$(cat "$tmp/redir_host_port")
out=$("$smolder" resolve --repo "http://bob:TOK-e2e-redirected@$rhost/r.git" --ref v1 \
      --path cmd/app/main.go --cache-dir "$tmp/redircache" --cat 2>&1)
check "a redirect to another host: not followed with the password, said so" bash -c "grep -q \"cannot clone 'http://$rhost/r.git': the URL's user name and password are given to its own host only, and the server redirects to another: cannot redirect from '127.0.0.1' to 'localhost'\" <<<\"\$1\" && ! grep -q TOK-e2e <<<\"\$1\"" _ "$out"
check "... the other host was given nothing" bash -c "! grep -q 'auth=bob' '$tmp/git.log'"
rport=127.0.0.1:$(cat "$tmp/redir_port_port")
out=$("$smolder" resolve --repo "http://bob:TOK-e2e-redirected@$rport/r.git" --ref v1 \
      --path cmd/app/main.go --cache-dir "$tmp/redircache" --cat 2>&1)
check "a redirect to another port: the password not given there, said so" bash -c "grep -q \"cannot clone 'http://$rport/r.git': it redirects to 'http://$ghttp', which asks for a user name and password: the URL's are given to its own host and port only\" <<<\"\$1\" && ! grep -q TOK-e2e <<<\"\$1\"" _ "$out"
check "... the other port was asked, and given nothing" bash -c "grep -q 'GET /r.git/info/refs auth=-' '$tmp/git.log' && ! grep -q 'auth=bob' '$tmp/git.log'"
kill "$redir_host_pid" "$redir_port_pid" 2>/dev/null
trap cleanup EXIT


# a GitHub repository's clone under the name of its URL with credentials (as smolder named
# clones before): found there, and read rather than asked of the API (before, --offline
# found nothing: the API is not asked offline, and the clone was looked for under the new
# name only)
old_clone_name() {  # old_clone_name URL SHOWN: the name path.c gave URL's clone before
	python3 -c 'import sys
h = 1469598103934665603  # the starting value in path.c
for b in sys.argv[1].encode():
    h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
print("%s-%08x" % (sys.argv[2], h & 0xffffffff))' "$1" "$2"
}
gurl=http://bob:TOK-e2e-gh@127.0.0.1:9/o/r
gold=$(old_clone_name "$gurl" 127.0.0.1_9_o_r)
mkdir -p "$tmp/ghold/repos" && git clone -q --bare "$repo" "$tmp/ghold/repos/$gold"
out=$("$smolder" resolve --repo "$gurl" --github-api http://127.0.0.1:9 --ref v1 \
      --path cmd/app/main.go --cache-dir "$tmp/ghold" --offline --cat 2>&1)
check "a GitHub URL's clone under its old name: read offline, renamed" bash -c "grep -q \"the clone made under the name '$gold' is used\" <<<\"\$1\" && grep -q 'println(\"v1\")' <<<\"\$1\" && ! ls '$tmp/ghold/repos' | grep -q '^$gold'" _ "$out"

check_done
