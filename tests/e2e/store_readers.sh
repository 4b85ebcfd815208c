#!/usr/bin/env bash
# store_readers.sh — a store can be read by someone who may read its files but not write
# in their directory (the group of the installed service, contrib/smolder.service), after
# the writer has gone: SQLite needs the store's -wal and -shm files to read it, and such a
# reader cannot create them, so they must stay when the last writer closes.  Checked
# after `smolder ingest` and after a real `smolder serve` stopped by SIGTERM.  As root the
# reader is `nobody` (setpriv), with the directory root's and mode 755; otherwise the
# reader is this user, with the directory mode 555.
# Usage: store_readers.sh SMOLDER
set -u
smolder=$1
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; chmod -R u+w "$tmp" 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
unset SMOLDER_DB XDG_DATA_HOME
. "$(dirname "$0")/serve_lib.sh"
ex=$(cd "$(dirname "$0")/../../examples" && pwd)

chmod 755 "$tmp"
cp "$smolder" "$tmp/smolder"  # where `nobody` can run it
reader=()
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv > /dev/null || { echo "FAIL - setpriv is not installed (util-linux)"; exit 1; }
  reader=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

# read_only DIR: the directory and its files readable, not writable, by the reader
read_only() {
  if [ ${#reader[@]} -gt 0 ]; then
    chmod 755 "$1"; chmod 644 "$1"/*
  else
    chmod 444 "$1"/*; chmod 555 "$1"
  fi
}

# --- after `smolder ingest` -----------------------------------------------------------
mkdir "$tmp/a"
"$smolder" ingest --db "$tmp/a/s.db" "$ex/cpuwork-cpu.pb.gz" > /dev/null 2>&1
check "ingest leaves the -wal and -shm files for readers" test -e "$tmp/a/s.db-wal" -a -e "$tmp/a/s.db-shm"
check "... the -wal emptied (checkpointed and truncated when the writer closed)" \
  test "$(stat -c %s "$tmp/a/s.db-wal")" -eq 0
read_only "$tmp/a"
"${reader[@]}" "$tmp/smolder" query series --db "$tmp/a/s.db" --from 0 > "$tmp/a.out" 2>&1
check "a reader that cannot write in the directory lists the series" grep -q 'cpuwork-cpu' "$tmp/a.out"
"${reader[@]}" "$tmp/smolder" top --db "$tmp/a/s.db" --from 0 --query '{service_name="cpuwork-cpu"}' \
  --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds > "$tmp/a.top" 2>&1
check "... and reads a profile (top)" grep -q 'main.scoreRecords' "$tmp/a.top"
[ "$fail" -eq 0 ] || { sed 's/^/     | /' "$tmp/a.out" "$tmp/a.top"; }

# --- after a real `smolder serve`, stopped ---------------------------------------------
mkdir "$tmp/b"
serve_start b --db "$tmp/b/s.db" || exit 1
st=$(http POST "http://127.0.0.1:$PORT/ingest?name=app.cpu&from=1700000000&until=1700000010" \
  -F "profile=@$ex/cpuwork-cpu.pb.gz")
check "a push to serve: 200" test "$st" = 200
serve_stop
read_only "$tmp/b"
"${reader[@]}" "$tmp/smolder" query series --db "$tmp/b/s.db" --from 0 > "$tmp/b.out" 2>&1
check "after serve stopped, the reader lists the pushed series" grep -q 'service_name' "$tmp/b.out"
check "... with the pushed service" grep -q ' app\.cpu$' "$tmp/b.out"
[ "$fail" -eq 0 ] || sed 's/^/     | /' "$tmp/b.out"

check_done
