# check_lib.sh — ok/FAIL bookkeeping for the end-to-end shell tests.  Source it, call
# `check DESCRIPTION COMMAND...` for each assertion and `check_done` last: its status is
# the test's.  errcheck and usagecheck need $smolder (the binary) and $tmp (a scratch
# directory).
pass=0 fail=0

check() {  # check DESCRIPTION COMMAND... (succeeds when the command does)
  local d=$1; shift
  if "$@"; then echo "ok   - $d"; pass=$((pass + 1)); else echo "FAIL - $d"; fail=$((fail + 1)); fi
}

# errcheck DESCRIPTION PATTERN ARGS...: `smolder ARGS` fails with status 1 and exactly one
# line on stderr that matches PATTERN (grep -E) — the contract of every refusal
errcheck() {
  local d=$1 pat=$2; shift 2
  "$smolder" "$@" > /dev/null 2> "$tmp/err"
  local rc=$?
  if [ "$rc" -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -qE -- "$pat" "$tmp/err"; then
    echo "ok   - $d"; pass=$((pass + 1))
  else
    echo "FAIL - $d (status $rc): $(cat "$tmp/err")"; fail=$((fail + 1))
  fi
}

# usagecheck DESCRIPTION PATTERN ARGS...: `smolder ARGS` is a usage error: status 2,
# exactly one line on stderr that matches PATTERN (grep -E), nothing on stdout
usagecheck() {
  local d=$1 pat=$2; shift 2
  "$smolder" "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ "$rc" -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -qE -- "$pat" "$tmp/err" &&
     [ ! -s "$tmp/out" ]; then
    echo "ok   - $d"; pass=$((pass + 1))
  else
    echo "FAIL - $d (status $rc): $(head -3 "$tmp/err")"; fail=$((fail + 1))
  fi
}

check_done() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
