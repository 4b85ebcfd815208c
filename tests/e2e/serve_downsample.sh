#!/usr/bin/env bash
# serve_downsample.sh — `smolder serve --downsample` takes only stages that nest: from the
# youngest to the oldest, each bucket a whole number of the previous one's and a divisor
# of a day (or whole days).  Others made rollups that straddle the larger buckets and
# moved data into the previous hour; now serve refuses them at start-up with status 2
# and one line naming the stage and the reason.  Usage: serve_downsample.sh SMOLDER
set -u
smolder=$1
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
unset SMOLDER_DB XDG_DATA_HOME
. "$(dirname "$0")/serve_lib.sh"

# refused STAGES PATTERN: serve exits 2 at once with one line matching PATTERN, and
# makes no store
refused() {
  local st=$1 pat=$2 rc
  timeout 20 "$smolder" serve --listen 127.0.0.1:0 --db "$tmp/d.db" --downsample "$st" \
    > /dev/null 2> "$tmp/err"
  rc=$?
  # refused before the store is opened: no store file is made
  if [ "$rc" -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -qE -- "$pat" "$tmp/err" &&
     [ ! -e "$tmp/d.db" ]; then
    echo "ok   - --downsample $st is refused: $(cat "$tmp/err")"; pass=$((pass + 1))
  else
    echo "FAIL - --downsample $st (status $rc): $(head -3 "$tmp/err")"; fail=$((fail + 1))
  fi
}

refused 1d:7m,2d:1h '^smolder serve: --downsample: stage 1 \(age 24 h, bucket 7 min\): the bucket must divide a day'
refused 1d:1m,2d:90s '^smolder serve: --downsample: stage 2 \(.*\): the bucket must be a whole number of the previous stage.s \(1 min\)'
refused 2d:1h,1d:1m '^smolder serve: --downsample: stage 2 \(.*\): stages go from the youngest to the oldest'
refused 1d:1h,7d:1h '^smolder serve: --downsample: stage 2 \(.*\): stages go from the youngest to the oldest'

for st in 1d:1m,7d:1h 1d:10s,2d:1m,7d:1h,30d:1d 30d:7d off; do
  if serve_start ok --db "$tmp/d.db" --downsample "$st"; then
    check "--downsample $st starts" true
    serve_stop
  else
    check "--downsample $st starts" false
  fi
done

check_done
