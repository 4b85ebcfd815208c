#!/usr/bin/env bash
# End-to-end: the verbs reading the store or a server (--db, --url) on their command
# lines.  diff's default baseline is the same length just before the new range, read
# against the one clock reading of the command: a real `smolder serve` behind a proxy
# that holds the first request 3 s (a slow server) must not slide the baseline into the
# new range.  --base-from/--base-to are diff's (and view's): top, peek, list, export and
# query refuse them as unknown (status 2, one line) instead of taking and ignoring them.
# Usage: store_cli.sh SMOLDER
smolder=$1
tmp=$(mktemp -d)
trap 'kill "${SPID:-0}" "${PPID_:-0}" 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
unset SMOLDER_DB XDG_DATA_HOME PROFILECLI_URL PROFILECLI_USERNAME PROFILECLI_PASSWORD \
  PROFILECLI_TOKEN PROFILECLI_TENANT_ID
. "$(dirname "$0")/serve_lib.sh"
db=$tmp/s.db

# --- diff's default baseline: just before the new range, however slow the new side ------
# P a minute ago: "work" (in the new range); P - 30 s: "old" (only in the baseline)
P=$(( $(date +%s) - 60 ))
echo "main;work 50" > "$tmp/work.folded"
touch -d "@$P" "$tmp/work.folded"
echo "main;old 100" > "$tmp/old.folded"
touch -d "@$((P - 30))" "$tmp/old.folded"
"$smolder" ingest --db "$db" --service svc "$tmp/work.folded" "$tmp/old.folded" > /dev/null 2> "$tmp/ingest.err"
check "ingest of two folded profiles at known times" test ! -s "$tmp/ingest.err"
serve_start main --db "$db" || exit 1
python3 "$(dirname "$0")/delay_proxy.py" "$PORT" 3 > "$tmp/proxy.port" &
PPID_=$!
for i in $(seq 1 100); do [ -s "$tmp/proxy.port" ] && break; sleep 0.05; done
purl=http://127.0.0.1:$(cat "$tmp/proxy.port")
# --from now-Ks with K whole seconds: P is in [now - K, now) when diff reads the clock
# (within a second of L); the new side then takes 3 s, so a baseline read against a
# second clock reading ([now' - 2K, now' - K)) would hold P too
L=$(date +%s.%N)
K=$(python3 -c "import math; print(math.ceil($L - $P) + 1)")
"$smolder" diff --format tsv --url "$purl" --from "now-${K}s" --to now > "$tmp/d.tsv" 2> "$tmp/d.err"
check "diff --url --from now-${K}s through a slow server succeeds" \
  test $? -eq 0 -a ! -s "$tmp/d.err"
# tsv: base_flat base_cum new_flat new_cum base_pct new_pct change_pct name
check "  work (only in the new range) is not in the baseline" \
  awk -F'\t' '$8 == "work" { found = 1; ok = ($1 == 0 && $3 == 50) } END { exit !(found && ok) }' "$tmp/d.tsv"
check "  old (only in the range before) is the whole baseline" \
  awk -F'\t' '$8 == "old" { found = 1; ok = ($1 == 100 && $3 == 0) } END { exit !(found && ok) }' "$tmp/d.tsv"
kill "$PPID_" 2> /dev/null
wait "$PPID_" 2> /dev/null
serve_stop

# usagecheck DESCRIPTION PATTERN ARGS...: `smolder ARGS` is a usage error: status 2 and
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

# --- --base-from/--base-to: diff's (and view's); the other verbs refuse them -------------
for o in --base-from --base-to; do
  for args in "top" "peek main" "list main" "export -o $tmp/x.pb.gz" "query series" "query profile"; do
    verb=${args%% *}
    # shellcheck disable=SC2086 # args: the verb's words
    usagecheck "${args%% -o *} $o is refused, not taken and ignored" \
      "unknown option '$o'.*\\(see smolder $verb --help\\)" $args --db "$db" --from 0 $o now-2h
  done
done
"$smolder" diff --format tsv --db "$db" --from "$((P - 1))" --to "$((P + 1))" \
  --base-from "$((P - 31))" --base-to "$((P - 29))" > "$tmp/d2.tsv" 2> "$tmp/d2.err"
check "diff --db takes --base-from/--base-to (work new, old base)" \
  awk -F'\t' '$8 == "work" && $1 == 0 && $3 == 50 { w = 1 } $8 == "old" && $1 == 100 && $3 == 0 { o = 1 }
    END { exit !(w && o) }' "$tmp/d2.tsv"
check_done
