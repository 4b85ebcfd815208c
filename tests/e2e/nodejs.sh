#!/usr/bin/env bash
# The real Node.js SDK against a real `smolder serve`: npm `@pyroscope/nodejs` (pinned,
# installed once into CACHE_DIR under the build directory; no Node, npm or registry is a
# failure, never a skip) profiles a small app written here — CPU work wrapped in
# wrapWithLabels({endpoint: '/checkout'}) and ({endpoint: '/report'}) — for about 20 s,
# pushing wall and heap profiles every 5 s.  Then its functions are in the store under
# its service name, with its tags, its profile types, and {endpoint="/checkout"} selects
# only the checkout samples.
# Usage: nodejs.sh SMOLDER CACHE_DIR
set -u
smolder=$1
cache=$2
SDK_VERSION=0.6.4       # every release in the registry wants Node >= 20.20.2
NODE_MIN=20.20.2
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
unset SMOLDER_DB XDG_DATA_HOME
. "$(dirname "$0")/serve_lib.sh"

for tool in node npm; do
  command -v "$tool" > /dev/null || { echo "FAIL - $tool is not installed (./build.sh deps)"; exit 1; }
done
nv=$(node --version | tr -d v)
if [ "$(printf '%s\n%s\n' "$NODE_MIN" "$nv" | sort -V | head -1)" != "$NODE_MIN" ]; then
  echo "FAIL - @pyroscope/nodejs $SDK_VERSION needs Node >= $NODE_MIN, this machine has $nv"
  exit 1
fi

# --- the SDK, installed once --------------------------------------------------------------
sdk=$cache/pyroscope-nodejs-$SDK_VERSION
if ! node -e "process.exit(require('$sdk/node_modules/@pyroscope/nodejs/package.json').version === '$SDK_VERSION' ? 0 : 1)" 2> /dev/null; then
  rm -rf "$sdk"; mkdir -p "$sdk"
  echo '{"name":"smolder-nodejs-e2e","version":"1.0.0","private":true}' > "$sdk/package.json"
  if ! (cd "$sdk" && npm_config_cache=$sdk/npm-cache npm install --no-audit --no-fund --silent \
          "@pyroscope/nodejs@$SDK_VERSION" > "$sdk/install.log" 2>&1); then
    echo "FAIL - npm install @pyroscope/nodejs@$SDK_VERSION failed (network or registry?):"
    tail -20 "$sdk/install.log" | sed 's/^/     | /'
    exit 1
  fi
fi
check "@pyroscope/nodejs $SDK_VERSION is installed" \
  node -e "require('$sdk/node_modules/@pyroscope/nodejs')"

# --- the app -------------------------------------------------------------------------------
cat > "$tmp/app.js" <<'EOF'
'use strict';
const Pyroscope = require(process.env.SDK);
const crypto = require('node:crypto');

Pyroscope.init({
  serverAddress: process.env.SERVER,
  appName: 'nodejs-e2e',
  tags: { region: 'eu' },
  flushIntervalMs: 5000,
  wall: { samplingDurationMs: 5000, samplingIntervalMicros: 10000 },
  heap: { samplingIntervalBytes: 64 * 1024, stackDepth: 64 },
});
Pyroscope.start();

function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function buildOrders(count) {
  const orders = [];
  for (let i = 0; i < count; i++)
    orders.push({ id: i, customer: `c-${i % 97}@example.org`,
                  items: Array.from({ length: 1 + (i % 7) }, (_, j) => ({ sku: `S-${(i * 31 + j) % 1000}`, qty: 1 + (j % 3), price: (i * j) % 100 + 0.99 })) });
  return orders;
}
function hashPayload(text) {
  let h = '';
  for (let i = 0; i < 20; i++) h = crypto.createHash('sha256').update(text + h).digest('hex');
  return h;
}
function handleCheckout() {
  const text = JSON.stringify(buildOrders(2000));
  JSON.parse(text);
  return hashPayload(text);
}
function handleReport() { return fib(24); }

const tick = () => new Promise((resolve) => setImmediate(resolve));
async function main() {
  const end = Date.now() + Number(process.env.DURATION_MS);
  while (Date.now() < end) {
    Pyroscope.wrapWithLabels({ endpoint: '/checkout' }, () => handleCheckout());
    Pyroscope.wrapWithLabels({ endpoint: '/report' }, () => handleReport());
    await tick();
  }
  await Pyroscope.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });
EOF

db=$tmp/n.db
serve_start node --db "$db" || exit 1
SDK=$sdk/node_modules/@pyroscope/nodejs SERVER=http://127.0.0.1:$PORT DURATION_MS=20000 \
  timeout 90 node "$tmp/app.js" > "$tmp/app.out" 2>&1
rc=$?
check "the app ran 20 s under the SDK and exited cleanly" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/     | /' "$tmp/app.out"
sleep 0.5
serve_stop
n200=$(grep -c 'POST /ingest 200 ' "$SLOG")
check "the SDK pushed wall and heap profiles, all answered 200 ($n200)" \
  bash -c "[ $n200 -ge 6 ] && ! grep -q 'POST /ingest [45]' '$SLOG'"

Q='{service_name="nodejs-e2e"}'
types=$("$smolder" query types --db "$db" --from 0 --query "$Q" | sort | tr '\n' ' ')
check "its profile types (wall and heap)" test "$types" = "memory:inuse_objects:count:inuse_space:bytes memory:inuse_space:bytes:inuse_space:bytes wall:samples:count:wall:nanoseconds wall:wall:nanoseconds:wall:nanoseconds "
[ "$types" = "memory:inuse_objects:count:inuse_space:bytes memory:inuse_space:bytes:inuse_space:bytes wall:samples:count:wall:nanoseconds wall:wall:nanoseconds:wall:nanoseconds " ] || echo "     got: $types"
"$smolder" query series --db "$db" --from 0 --query "$Q" --output json > "$tmp/series.json"
check "its series carry the service name, the SDK's tags and region=eu" python3 - "$tmp/series.json" <<'EOF'
import json, sys
series = json.load(open(sys.argv[1]))["series"]
want = {"service_name": "nodejs-e2e", "region": "eu", "pyroscope_spy": "nodespy",
        "process.runtime.name": "nodejs", "otel.scope.name": "com.grafana.pyroscope/nodejs"}
sys.exit(0 if series and all(all(s.get(k) == v for k, v in want.items()) for s in series) else 1)
EOF
W=wall:wall:nanoseconds:wall:nanoseconds
"$smolder" top --db "$db" --from 0 --query "$Q" --profile-type $W --nodecount 200 > "$tmp/all.txt"
"$smolder" top --db "$db" --from 0 --query '{service_name="nodejs-e2e", endpoint="/checkout"}' --profile-type $W --nodecount 200 > "$tmp/checkout.txt"
"$smolder" top --db "$db" --from 0 --query '{service_name="nodejs-e2e", endpoint="/report"}' --profile-type $W --nodecount 200 > "$tmp/report.txt"
check "the app's functions are in the store (wall)" \
  bash -c "grep -q 'app.js:handleCheckout:' '$tmp/all.txt' && grep -q 'app.js:fib:' '$tmp/all.txt' && grep -q 'app.js:hashPayload:' '$tmp/all.txt'"
check "{endpoint=\"/checkout\"} selects the checkout samples only" \
  bash -c "grep -q 'app.js:handleCheckout:' '$tmp/checkout.txt' && grep -q 'app.js:hashPayload:' '$tmp/checkout.txt' && ! grep -q 'app.js:fib:' '$tmp/checkout.txt'"
check "{endpoint=\"/report\"} selects the report samples only" \
  bash -c "grep -q 'app.js:fib:' '$tmp/report.txt' && ! grep -q 'app.js:handleCheckout:' '$tmp/report.txt'"
total() { sed -n 's/^Showing nodes accounting for .* of \(.*\) total$/\1/p' "$1"; }
check "checkout and report are each a part of the whole" \
  bash -c "[ -n '$(total "$tmp/checkout.txt")' ] && [ '$(total "$tmp/checkout.txt")' != '$(total "$tmp/all.txt")' ]"
check "the heap has the app's allocations" \
  bash -c "'$smolder' top --db '$db' --from 0 --query '$Q' --profile-type memory:inuse_space:bytes:inuse_space:bytes --nodecount 300 | grep -q 'app.js:'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
