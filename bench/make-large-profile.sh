#!/usr/bin/env bash
# make-large-profile.sh OUT.pb.gz [SECONDS] — builds a large, real Go CPU profile for the
# benchmarks with the generator in ../shared/testdata/go/src/gencode-gen: a generated
# program of 30,000 functions in deep call chains, run under pprof.Do labels with a
# span_id per batch of requests.  9 minutes on 2 cores give ~30 MB uncompressed.
set -euo pipefail
out=$(realpath -m "$1")
secs=${2:-560}
gen=$(realpath "$(dirname "$0")/../../shared/testdata/go/src/gencode-gen")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=${HOME:-$work} GOCACHE=$work/gocache GOFLAGS=-mod=mod GOPROXY=off
cp -r "$gen" "$work/gen" && chmod -R u+w "$work/gen"
(cd "$work/gen" && go run . -n 30000 -module gencode -out "$work/prog" -seed 7)
(cd "$work/prog" && go build -o "$work/prog.bin" .)
echo "running the generated program for ${secs}s under the CPU profiler..." >&2
"$work/prog.bin" -o "$out" -d "${secs}s" -labels -spanids -mindepth 30 -maxdepth 80
echo "wrote $out ($(gzip -dc "$out" | wc -c) bytes uncompressed)" >&2
