#!/usr/bin/env bash
# serve_downsample.sh — `smolder serve --downsample` takes only stages that nest: from the
# youngest to the oldest, each bucket a whole number of the previous one's and a divisor
# of a day (or whole days).  Others made rollups that straddle the larger buckets and
# moved data into the previous hour; now serve refuses them at start-up with status 2
# and one line naming the stage and the reason.  And maintenance (retention, downsampling,
# eviction) keeps its schedule when the wall clock is stepped back an hour: a preloaded
# shim moves CLOCK_REALTIME (time(), gettimeofday()) back once a file exists; scheduled on
# the wall clock, maintenance stopped for that hour.  Usage: serve_downsample.sh SMOLDER
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

# --- maintenance's schedule and a wall clock stepped back an hour ------------------------
if command -v cc > /dev/null; then
  cat > "$tmp/step.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

/* the wall clock, an hour back once the file $SMOLDER_TEST_STEP exists */
static int stepped(void)
{
	const char *f = getenv("SMOLDER_TEST_STEP");
	struct stat st;

	return f && stat(f, &st) == 0;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	int rc;

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	rc = real(id, ts);
	if (!rc && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE) && stepped())
		ts->tv_sec -= 3600;
	return rc;
}

time_t time(time_t *out)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (out)
		*out = ts.tv_sec;
	return ts.tv_sec;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;

	(void)tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}
EOF
  if cc -shared -fPIC -o "$tmp/step.so" "$tmp/step.c" -ldl 2> "$tmp/cc.err"; then
    export LD_PRELOAD=$tmp/step.so SMOLDER_TEST_STEP=$tmp/stepped
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
    serve_start clock --db "$tmp/clock.db" --maintenance-interval 1s
    started=$?
    unset LD_PRELOAD SMOLDER_TEST_STEP
    if [ "$started" -eq 0 ]; then
      url=http://127.0.0.1:$PORT
      passes() { http GET "$url/metrics" > /dev/null; sed -n 's/^smolder_maintenance_runs_total //p' "$tmp/body"; }
      for i in $(seq 1 100); do [ "$(passes)" -ge 2 ] && break; sleep 0.05; done
      p0=$(passes)
      touch "$tmp/stepped"
      for i in $(seq 1 100); do [ "$(passes)" -ge $((p0 + 3)) ] && break; sleep 0.05; done
      p1=$(passes)
      check "maintenance every second goes on after the wall clock steps back an hour ($p0 passes before, $p1 after)" \
        test "$p1" -ge $((p0 + 3))
      serve_stop
    else
      check "serve starts with the clock shim" false
    fi
  else
    echo "skip - a wall clock stepped back: cannot build the shim ($(head -1 "$tmp/cc.err"))"
  fi
else
  echo "skip - a wall clock stepped back: no C compiler to build the shim"
fi

check_done
