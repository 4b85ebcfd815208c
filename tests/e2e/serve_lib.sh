# serve_lib.sh — helpers for the tests of a real `smolder serve` (serve.sh, durability.sh,
# nodejs.sh).  Source it after setting `smolder` (the binary) and `tmp` (a scratch dir).
#
#   serve_start NAME ARGS...   starts `smolder serve --listen 127.0.0.1:0 ARGS...` in the
#                              background (log: $tmp/NAME.log); sets PORT and SPID, or
#                              returns 1 when it did not come up
#   serve_stop                 SIGTERM and wait; sets SRC (its exit status)
#   check, check_done          check_lib.sh
#   http METHOD URL ARGS...    curl; prints the status code; body in $tmp/body
set -u
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

serve_start() {  # serve_start NAME [--listen ADDR] ARGS...
  local name=$1; shift
  local listen=127.0.0.1:0 i
  if [ "${1:-}" = --listen ]; then listen=$2; shift 2; fi
  SLOG=$tmp/$name.log
  : > "$SLOG"
  "$smolder" serve --listen "$listen" "$@" 2> "$SLOG" &
  SPID=$!
  PORT=
  for i in $(seq 1 200); do
    PORT=$(sed -n 's/.*listening on https\{0,1\}:\/\/[^ ]*:\([0-9][0-9]*\), store.*/\1/p' "$SLOG" | head -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$SPID" 2> /dev/null || break
    sleep 0.05
  done
  echo "     smolder serve did not start:"; sed 's/^/     | /' "$SLOG"
  return 1
}

serve_stop() {  # a server that stops with a non-zero status, or a sanitizer report, fails
  kill -TERM "$SPID" 2> /dev/null
  wait "$SPID"
  SRC=$?
  if [ "$SRC" -ne 0 ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$SLOG"; then
    echo "FAIL - smolder serve ($(basename "$SLOG" .log)) stopped with status $SRC:"
    tail -30 "$SLOG" | sed 's/^/     | /'
    fail=$((fail + 1))
  fi
}

http() {  # http METHOD URL [curl args...]: prints the status; the body is in $tmp/body
  local m=$1 u=$2; shift 2
  curl -s -o "$tmp/body" -w '%{http_code}' -X "$m" "$@" "$u"
}
