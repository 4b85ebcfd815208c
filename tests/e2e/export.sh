#!/usr/bin/env bash
# End-to-end tests of `smolder export --format speedscope|svg`: speedscope files checked
# against speedscope's own JSON schema (from the published npm package, pinned below and
# cached under the build directory; no network or npm is a failure, not a skip) with
# weights adding up to `smolder top`'s total; SVG flame graphs well-formed for xmllint,
# with box widths in proportion to the values, and for hostile names too; pprof export
# keeps the profile's comments as go tool pprof -comments reads them; a write that fails
# leaves an existing file whole and nothing behind, FIFOs and devices are written as is;
# a difference (go tool pprof -diff_base) becomes its new side in svg and speedscope; a
# pprof file at lines or files granularity reads in go tool pprof -lines/-files as its source; a
# sample type with nothing to write is refused in folded and speedscope, not written empty.
# Usage: export.sh SMOLDER EXAMPLES_DIR TESTDATA CACHE_DIR
set -u
smolder=$1
ex=$2
td=$3
cache=$4
SPEEDSCOPE_VERSION=1.25.0
SPEEDSCOPE_INTEGRITY=sha512-cpf9HWTZf1ijLXBJrk87Ve/54tnYx6rlf0gUThvn3ook6h63hLXVOQiMf44PT+XoV503cPfvfiT5gP5vojp6Ag==
. "$(dirname "$0")/check_lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


for tool in npm python3 xmllint; do
  command -v "$tool" > /dev/null || { echo "FAIL - $tool is not installed (./build.sh deps)"; exit 1; }
done
python3 -c 'import jsonschema' || { echo "FAIL - python3-jsonschema is not installed (./build.sh deps)"; exit 1; }

# --- speedscope's schema, from the npm package ------------------------------------------
dir=$cache/speedscope-$SPEEDSCOPE_VERSION
schema=$dir/package/dist/release/file-format-schema.json
if [ ! -s "$schema" ]; then
  mkdir -p "$dir"
  if ! (cd "$dir" && npm_config_cache=$dir/npm-cache npm pack --silent "speedscope@$SPEEDSCOPE_VERSION" > /dev/null); then
    echo "FAIL - npm pack speedscope@$SPEEDSCOPE_VERSION (network or registry unavailable?)"; exit 1
  fi
  got=sha512-$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$dir/speedscope-$SPEEDSCOPE_VERSION.tgz")
  if [ "$got" != "$SPEEDSCOPE_INTEGRITY" ]; then
    echo "FAIL - speedscope-$SPEEDSCOPE_VERSION.tgz integrity $got, expected $SPEEDSCOPE_INTEGRITY"; exit 1
  fi
  tar -xzf "$dir/speedscope-$SPEEDSCOPE_VERSION.tgz" -C "$dir" package/dist/release/file-format-schema.json ||
    { echo "FAIL - no file-format-schema.json in speedscope-$SPEEDSCOPE_VERSION.tgz"; exit 1; }
fi
check "speedscope $SPEEDSCOPE_VERSION schema is a draft-07 JSON schema" \
  python3 -c 'import json, sys, jsonschema; jsonschema.Draft7Validator.check_schema(json.load(open(sys.argv[1])))' "$schema"

# --- speedscope: every sample type of real profiles -----------------------------------
# Each case: a speedscope file and `smolder top --format tsv` for the same options; the
# checker validates every file and compares sum(weights) with the sum of the flat column.
sample_types() {  # the profile's sample types, from the error listing them
  "$smolder" top -i '?' "$1" 2>&1 >/dev/null | sed -n 's/.*this profile has: //p'
}
: > "$tmp/cases"
n=0
# examples/ and the shared Go profiles, each name once (examples/ are copies of some)
profiles=("$td"/go/*.pb.gz)
for f in "$ex"/*.pb.gz; do [ -f "$td/go/$(basename "$f")" ] || profiles+=("$f"); done
profiles+=("$td"/pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/invalid_utf8.pb.gz
  "$td"/pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/nodejs-wall.pb.gz
  "$td"/pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_java
  "$td"/pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_python
  "$td"/pyroscope/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type)
for f in "${profiles[@]}"; do
  [ -f "$f" ] || { echo "FAIL - missing fixture $f"; fail=$((fail + 1)); continue; }
  types=$(sample_types "$f")
  [ -n "$types" ] || { echo "FAIL - no sample types listed for $f"; fail=$((fail + 1)); continue; }
  # the big ones (7 s of schema validation each) in their default type only
  case $f in *gencode3k*) types=default ;; esac
  for t in $types; do
    n=$((n + 1))
    opt=(-i "$t"); [ "$t" = default ] && opt=()
    if "$smolder" export --format speedscope "${opt[@]}" "$f" -o "$tmp/$n.json" &&
       "$smolder" top --format tsv "${opt[@]}" "$f" > "$tmp/$n.tsv"; then
      printf '%s\t%s\t%s\n' "$tmp/$n.json" "$tmp/$n.tsv" "$(basename "$f") -i $t" >> "$tmp/cases"
    else
      echo "FAIL - export/top of $f -i $t"; fail=$((fail + 1))
    fi
  done
done
# the filters and granularity apply to the new formats too
add_case() {  # add_case DESCRIPTION ARGS... (export and top with the same ARGS)
  local d=$1; shift
  n=$((n + 1))
  if "$smolder" export --format speedscope "$@" -o "$tmp/$n.json" && "$smolder" top --format tsv "$@" > "$tmp/$n.tsv"; then
    printf '%s\t%s\t%s\n' "$tmp/$n.json" "$tmp/$n.tsv" "$d" >> "$tmp/cases"
  else
    echo "FAIL - export/top $*"; fail=$((fail + 1))
  fi
}
add_case "cpuwork --focus scoreRecords" --focus scoreRecords "$ex/cpuwork-cpu.pb.gz"
add_case "cpuwork --hide runtime --granularity lines" --hide runtime --granularity lines "$ex/cpuwork-cpu.pb.gz"
add_case "heap -i alloc_space --granularity packages" -i alloc_space --granularity packages "$ex/heapwork-heap.pb.gz"
add_case "folded stacks" "$td/folded/cpuwork-cpu.folded"

cat > "$tmp/check_speedscope.py" <<'EOF'
import json, sys
import jsonschema

validator = jsonschema.Draft7Validator(json.load(open(sys.argv[1])))
bad = 0
for line in open(sys.argv[2]):
    js, tsv, desc = line.rstrip("\n").split("\t")
    problems = []
    try:
        doc = json.load(open(js, encoding="utf-8"))
    except ValueError as e:
        problems.append("not JSON: %s" % e)
        doc = None
    if doc is not None:
        problems += ["schema: %s at %s" % (e.message, list(e.absolute_path)[:4])
                     for e in validator.iter_errors(doc)][:3]
    if not problems:
        nframes = len(doc["shared"]["frames"])
        prof = doc["profiles"][0]
        weights, samples = prof["weights"], prof["samples"]
        total = sum(int(l.split("\t")[0]) for l in open(tsv).read().splitlines()[1:])
        if len(doc["profiles"]) != 1 or prof["type"] != "sampled":
            problems.append("expected one sampled profile")
        if len(weights) != len(samples):
            problems.append("%d weights for %d samples" % (len(weights), len(samples)))
        if any(w <= 0 for w in weights):
            problems.append("a weight is not positive")
        if any(not (0 <= i < nframes and i == int(i)) for s in samples for i in s):
            problems.append("a frame index is out of range")
        if sum(weights) != total:
            problems.append("weights add up to %d, smolder top says %d" % (sum(weights), total))
        if prof["endValue"] - prof["startValue"] != total:
            problems.append("endValue - startValue is %d, not %d" % (prof["endValue"] - prof["startValue"], total))
        if not doc.get("exporter", "").startswith("smolder "):
            problems.append("exporter is %r" % doc.get("exporter"))
        if total == 0 or not samples:
            problems.append("nothing exported (total %d)" % total)
    if problems:
        bad += 1
        print("FAIL - speedscope %s: %s" % (desc, "; ".join(problems)))
    else:
        print("ok   - speedscope %s: schema-valid, %d samples, %d frames, weights = top's %d %s"
              % (desc, len(samples), nframes, total, prof["unit"]))
sys.exit(1 if bad else 0)
EOF
python3 "$tmp/check_speedscope.py" "$schema" "$tmp/cases" > "$tmp/speedscope.out"
rc=$?
cat "$tmp/speedscope.out"
pass=$((pass + $(grep -c '^ok' "$tmp/speedscope.out")))
fail=$((fail + $(grep -c '^FAIL' "$tmp/speedscope.out")))
if [ "$rc" -ne 0 ] && ! grep -q '^FAIL' "$tmp/speedscope.out"; then
  echo "FAIL - the speedscope checker crashed"; fail=$((fail + 1))
fi
check "several profiles and sample types were exported to speedscope ($n)" test "$n" -ge 25

# the file's base name and sample type name it; invalid UTF-8 in names is repaired
"$smolder" export -f speedscope "$td/pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/invalid_utf8.pb.gz" -o "$tmp/u.json"
check "speedscope repairs a name of all 256 bytes (NUL and 0x80-0xff become U+FFFD)" python3 -c '
import json, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")  # strict
doc = json.loads(raw)
assert doc["name"] == "invalid_utf8.pb.gz (cpu)", doc["name"]
names = [f["name"] for f in doc["shared"]["frames"] if "ABC" in f["name"]]
want = "\ufffd" + "".join(map(chr, range(1, 0x80))) + "\ufffd" * 128
assert names == [want], names' "$tmp/u.json"

# --- SVG --------------------------------------------------------------------------------
for f in "$ex"/*.pb.gz "$td"/go/gencode3k-cpu.pb.gz \
    "$td"/pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/invalid_utf8.pb.gz; do
  b=$(basename "$f")
  if "$smolder" export --format svg "$f" -o "$tmp/$b.svg"; then
    check "svg of $b is well-formed XML" xmllint --noout "$tmp/$b.svg"
  else
    echo "FAIL - export --format svg $f"; fail=$((fail + 1))
  fi
done
"$smolder" export --format svg -i alloc_space --focus main "$ex/heapwork-heap.pb.gz" -o - > "$tmp/heap.svg"
check "svg to standard output, with filters, is well-formed" xmllint --noout "$tmp/heap.svg"
check "svg header names the sample type" grep -q '>Type: alloc_space   Total: ' "$tmp/heap.svg"

cat > "$tmp/frames.py" <<'EOF'
# frames.py SVG: prints "name<TAB>x<TAB>width<TAB>y" for every frame box, parsed as XML
import sys
import xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
for g in ET.parse(sys.argv[1]).getroot().iter(NS + "g"):
    if g.get("class") != "f":
        continue
    title, rect = g.find(NS + "title").text, g.find(NS + "rect")
    name = title[:title.rindex(" (")]
    print("\t".join([name.replace("\t", " "), rect.get("x"), rect.get("width"), rect.get("y")]))
EOF
printf 'a;b 3\na;c 1\n' > "$tmp/tiny.folded"
"$smolder" export --format svg "$tmp/tiny.folded" -o "$tmp/tiny.svg"
check "tiny svg is well-formed" xmllint --noout "$tmp/tiny.svg"
python3 "$tmp/frames.py" "$tmp/tiny.svg" > "$tmp/tiny.frames"
check "tiny svg has the frames all, a, b, c" test "$(cut -f1 "$tmp/tiny.frames" | tr '\n' ' ')" = "all a b c "
check "b and c are 3:1, side by side, filling a" python3 -c '
import sys
f = {l.split("\t")[0]: [float(v) for v in l.split("\t")[1:]] for l in open(sys.argv[1])}
(ax, aw, ay), (bx, bw, by), (cx, cw, cy) = f["a"], f["b"], f["c"]
assert abs(bw / cw - 3) < 1e-3, (bw, cw)
assert abs(bw + cw - aw) < 0.02 and abs(bx - ax) < 0.01 and abs(cx - (bx + bw)) < 0.02, f
assert f["all"][1] == aw == 1180 and by == cy < ay < f["all"][2], f  # root at the bottom
' "$tmp/tiny.frames"

# hostile names: markup, quotes, an escape sequence, invalid UTF-8, U+FFFF, a bell in the title
printf 'main;<script>alert(1)</script>&"'"'"'\033[31m;x\377\376y\357\277\277 5\n]]></g>--><!-- 2\n' > "$tmp/evil name<&>.folded"
if "$smolder" export --format svg "$tmp/evil name<&>.folded" -o "$tmp/evil.svg"; then
  check "svg with hostile names is well-formed XML" xmllint --noout "$tmp/evil.svg"
  check "no control characters in it but line breaks" python3 -c '
import sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")  # strict
assert not [b for b in raw if (b < 0x20 and b != 0x0a) or b == 0x7f]' "$tmp/evil.svg"
  check "no live <script> but the zoom script" test "$(grep -c '<script' "$tmp/evil.svg")" -eq 1
  python3 "$tmp/frames.py" "$tmp/evil.svg" > "$tmp/evil.frames"
  check "hostile names read back as text" grep -qF '<script>alert(1)</script>&"'"'"'\x1b[31m' "$tmp/evil.frames"
  check "invalid UTF-8 and U+FFFF read back as U+FFFD" grep -qF "x$(printf '\357\277\275\357\277\275')y$(printf '\357\277\275')" "$tmp/evil.frames"
  check "the title (a file name) is escaped" grep -qF 'evil name&lt;&amp;&gt;.folded</text>' "$tmp/evil.svg"
else
  echo "FAIL - export --format svg of hostile names"; fail=$((fail + 1))
fi

# --- pprof: the profile's comments, as go tool pprof -comments reads them ----------------
java=$td/pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_java
if command -v go > /dev/null && "$smolder" export "$java" -o "$tmp/java.pb.gz"; then
  check "go tool pprof -comments of the fixture says async-profiler" \
    test "$(HOME=$tmp go tool pprof -comments "$java" 2>/dev/null)" = async-profiler
  check "pprof export keeps the comments (go tool pprof -comments)" \
    test "$(HOME=$tmp go tool pprof -comments "$tmp/java.pb.gz" 2>/dev/null)" = async-profiler
else
  echo "FAIL - go is not installed, or export of $java failed"; fail=$((fail + 1))
fi

# --- a difference (pprof's -diff_base form): svg and speedscope get its new side ----------
new=$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz
if command -v go > /dev/null &&
    HOME=$tmp go tool pprof -proto -diff_base "$ex/cpuwork-cpu.pb.gz" "$new" > "$tmp/d.pb.gz" 2> /dev/null; then
  for f in svg speedscope; do
    "$smolder" export "$new" -f $f -o "$tmp/new.$f"
    "$smolder" export "$tmp/d.pb.gz" -f $f -o "$tmp/d.$f" 2> "$tmp/err"; rc=$?
    check "export -f $f of a difference: status 0, one line saying it has the new side only" \
      bash -c "[ $rc -eq 0 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q \"'d.pb.gz' is a difference (negative values): the $f file has its new side only\" '$tmp/err'"
  done
  check "... the svg's total is the new profile's" \
    test "$(grep -o 'Total: [^<]*' "$tmp/d.svg")" = "$(grep -o 'Total: [^<]*' "$tmp/new.svg")"
  check "... the speedscope weights add up to the new profile's" python3 -c '
import json, sys
w = [sum(p["weights"]) for f in sys.argv[1:] for p in json.load(open(f))["profiles"]]
assert w[0] == w[1] > 0, w' "$tmp/d.speedscope" "$tmp/new.speedscope"
  check "folded keeps the signed values, and says nothing" \
    bash -c "'$smolder' export '$tmp/d.pb.gz' -f folded -o - 2> '$tmp/err' | grep -q ' -[0-9]' && [ ! -s '$tmp/err' ]"
else
  echo "FAIL - go is not installed, or go tool pprof -proto -diff_base failed"; fail=$((fail + 1))
fi

# --- pprof at lines and files granularity: pprof's names, as go tool pprof -lines reads them -
# The frames were named by their keys ("main.scoreRecords cpuwork/main.go:146"): -list
# found no main.scoreRecords and -top -lines showed the place twice.  go tool pprof's
# -lines (-files) reports of the export are those of the profile it came from.
if command -v go > /dev/null; then
  spans=$td/pyroscope/grafana-pyroscope/pkg/pprof/testdata/single_group_with_optional_span_id.pb.gz
  for src in "$ex/cpuwork-cpu.pb.gz" "$spans"; do
    for g in lines files; do
      # pprof -files splits a file into rows by its functions' start lines, which spans has
      [ "$src" = "$spans" ] && [ $g = files ] && continue
      "$smolder" export "$src" --granularity $g -o "$tmp/g.pb.gz"
      check "export --granularity $g: go tool pprof -top -$g of it is that of $(basename "$src")" \
        test "$(HOME=$tmp go tool pprof -top -$g -nodecount=100000 "$tmp/g.pb.gz" 2>&1)" = \
             "$(HOME=$tmp go tool pprof -top -$g -nodecount=100000 "$src" 2>&1)"
    done
  done
  "$smolder" export "$ex/cpuwork-cpu.pb.gz" --granularity lines -o "$tmp/g.pb.gz"
  check "... and go tool pprof -list 'main\.scoreRecords\$' finds the routine, 1.55s" \
    bash -c "HOME='$tmp' go tool pprof -list 'main\.scoreRecords\$' '$tmp/g.pb.gz' 2>&1 |
      grep -A1 '^ROUTINE =* main.scoreRecords in cpuwork/main.go' |
      grep -q '^ *1.55s *1.55s (flat, cum)'"
  check "... folded at lines granularity keeps the frames' keys" \
    bash -c "'$smolder' export '$ex/cpuwork-cpu.pb.gz' --granularity lines -f folded -o - |
      grep -q ';main.scoreRecords cpuwork/main.go:146 [0-9]'"
else
  echo "FAIL - go is not installed"; fail=$((fail + 1))
fi

# --- nothing to write: a sample type that is 0 everywhere --------------------------------
# req_5.pprof's inuse_space (its default) is 0 in every sample: a folded or speedscope
# file of it would be empty, which no reader takes back (smolder's, flamegraph.pl's,
# speedscope's), so those exports are refused in one line and write nothing; pprof keeps
# the profile, and top reads it back as an empty table, as go tool pprof does.
r5=$td/pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/req_5.pprof
mkdir "$tmp/r5"
printf 'old 1\n' > "$tmp/r5/kept.folded"
errcheck "export -f folded of an all-zero sample type: refused in one line naming it" \
  "^smolder: nothing to write: sample type 'inuse_space' is 0 in every sample with frames, and an empty folded file would not read back" \
  export "$r5" -f folded -o "$tmp/r5/new.folded"
errcheck "export -f speedscope of it: refused the same way" \
  "^smolder: nothing to write: sample type 'inuse_space' is 0 or less in every sample, and a speedscope file without samples would not read back" \
  export "$r5" -f speedscope -o "$tmp/r5/new.speedscope"
errcheck "... over an existing file too" "nothing to write: sample type 'inuse_space'" \
  export "$r5" -f folded -o "$tmp/r5/kept.folded"
check "... which is left as it was, and nothing else is written" \
  bash -c "[ \"\$(cat '$tmp/r5/kept.folded')\" = 'old 1' ] && [ \"\$(ls -A '$tmp/r5')\" = kept.folded ]"
check "another sample type of it exports to folded and reads back" \
  bash -c "'$smolder' export '$r5' -i alloc_space -f folded -o '$tmp/r5/alloc.folded' && '$smolder' top '$tmp/r5/alloc.folded' > /dev/null"
check "a pprof export of it is written and top reads it back (an empty table)" \
  bash -c "'$smolder' export '$r5' -o '$tmp/r5/r5.pb.gz' && '$smolder' top '$tmp/r5/r5.pb.gz' | grep -q '^Type: inuse_space'"
check "an svg export of it is written as before" \
  bash -c "'$smolder' export '$r5' -f svg -o '$tmp/r5/r5.svg' && xmllint --noout '$tmp/r5/r5.svg'"

# --- writing: a failed write leaves an existing file whole and nothing behind -----------
# A file size limit (ulimit -f) fails write(2) as a full disk does: smolder ignores
# SIGXFSZ itself (the shell here does not), so it reports EFBIG and removes its temporary file.
cpu=$ex/cpuwork-cpu.pb.gz
mkdir "$tmp/w"
"$smolder" export "$cpu" -o "$tmp/w/old.pb.gz" && chmod 640 "$tmp/w/old.pb.gz"
cp -p "$tmp/w/old.pb.gz" "$tmp/keep.pb.gz"
(ulimit -f 1; exec "$smolder" export "$cpu" -f folded -o "$tmp/w/old.pb.gz") \
  > /dev/null 2> "$tmp/err"; rc=$?
check "export over a file whose write fails: status 1, one line naming it" \
  bash -c "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qF \"cannot write '$tmp/w/old.pb.gz': File too large\" '$tmp/err'"
check "... the old file is whole" cmp "$tmp/w/old.pb.gz" "$tmp/keep.pb.gz"
(ulimit -f 1; exec "$smolder" export "$cpu" -f folded -o "$tmp/w/new.folded") 2> /dev/null
check "... and no partial or temporary file is left (a new name fails the same way)" \
  test "$(ls -A "$tmp/w")" = old.pb.gz
"$smolder" export "$cpu" -f folded -o - > "$tmp/cpu.folded"
check "an export that succeeds replaces the file, keeping its mode" \
  bash -c "'$smolder' export '$cpu' -f folded -o '$tmp/w/old.pb.gz' && cmp '$tmp/w/old.pb.gz' '$tmp/cpu.folded' && [ \$(stat -c %a '$tmp/w/old.pb.gz') = 640 ]"
mkfifo "$tmp/w.fifo"
cat "$tmp/w.fifo" > "$tmp/fifo.out" & reader=$!
check "a FIFO is written as it is" timeout 10 "$smolder" export "$cpu" -f folded -o "$tmp/w.fifo"
wait $reader
check "... its reader gets the whole export" cmp "$tmp/fifo.out" "$tmp/cpu.folded"
check "a device (/dev/null) is written as it is" "$smolder" export "$cpu" -o /dev/null
check "-o /dev/stdout into a file is standard output" \
  bash -c "'$smolder' export '$cpu' -f folded -o /dev/stdout > '$tmp/so.folded' && cmp '$tmp/so.folded' '$tmp/cpu.folded'"

for o in - /dev/stdout; do
  "$smolder" export "$cpu" -f folded -o $o > /dev/full 2> "$tmp/err"; rc=$?
  check "export -o $o > /dev/full: status 1, one line" \
    bash -c "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qx 'smolder: cannot write standard output: No space left on device' '$tmp/err'"
done

# query profile --output pprof=FILE writes the same way (a profile of 1 MB: the store
# itself needs its 32 KiB -shm file under the limit)
"$smolder" ingest --db "$tmp/q.db" "$td/go/gencode3k-cpu.pb.gz" > /dev/null
qp=(query profile --db "$tmp/q.db" --from 0 --query '{service_name="gencode3k-cpu"}'
  --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds)
mkdir "$tmp/qw"
(ulimit -f 256; exec "$smolder" "${qp[@]}" --output "pprof=$tmp/qw/q.pb.gz") \
  2> "$tmp/err"; rc=$?
check "query profile pprof=F whose write fails: status 1, one line with the reason" \
  bash -c "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qF \"cannot write '$tmp/qw/q.pb.gz': File too large\" '$tmp/err'"
check "... no partial file is left" test -z "$(ls -A "$tmp/qw")"
check "... so the retry without --force writes it" "$smolder" "${qp[@]}" --output "pprof=$tmp/qw/q.pb.gz"
cp "$tmp/qw/q.pb.gz" "$tmp/q.keep"
errcheck "... and another one is refused" "cannot create '.*q.pb.gz': File exists \(--force overwrites it\)" \
  "${qp[@]}" --output "pprof=$tmp/qw/q.pb.gz"
"$smolder" "${qp[@]}" --output "pprof=$tmp/qw/q.pb.gz/x.pb.gz" 2> "$tmp/err"; rc=$?
check "pprof=FILE/x (FILE not a directory): status 1, one line with the reason, not 'exists'" \
  bash -c "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qF \"cannot create '$tmp/qw/q.pb.gz/x.pb.gz': Not a directory\" '$tmp/err'"
(ulimit -f 256; exec "$smolder" "${qp[@]}" --output "pprof=$tmp/qw/q.pb.gz" --force) \
  2> /dev/null
check "--force over it, the write failing: the old file is whole, nothing else left" \
  bash -c "cmp '$tmp/qw/q.pb.gz' '$tmp/q.keep' && [ \"\$(ls -A '$tmp/qw')\" = q.pb.gz ]"

# The file's own permission decides, as fopen("wb") did, not its directory's: a read-only
# file is refused, a writable one in a directory that is not is written over.  Run as
# another user when root (root may write anything).
other=()
if [ "$(id -u)" = 0 ]; then
  other=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  chmod 711 "$tmp"
fi
mkdir -p "$tmp/perm/locked"
printf 'old 1\n' > "$tmp/perm/ro.folded"
printf 'old 1\n' > "$tmp/perm/locked/w.folded"
chmod 444 "$tmp/perm/ro.folded"
chmod 644 "$tmp/perm/locked/w.folded"
[ ${#other[@]} -eq 0 ] || chown -R 65534:65534 "$tmp/perm"
chmod 555 "$tmp/perm/locked"
"${other[@]}" "$smolder" export "$cpu" -f folded -o "$tmp/perm/ro.folded" 2> "$tmp/err"; rc=$?
check "export over a read-only file: status 1, one line, Permission denied" \
  bash -c "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qF \"cannot create '$tmp/perm/ro.folded': Permission denied\" '$tmp/err'"
check "... the file is as it was" test "$(cat "$tmp/perm/ro.folded")" = "old 1"
check "export over a writable file in a read-only directory writes it" \
  "${other[@]}" "$smolder" export "$cpu" -f folded -o "$tmp/perm/locked/w.folded"
check "... with the export, nothing else left there" \
  bash -c "cmp '$tmp/perm/locked/w.folded' '$tmp/cpu.folded' && [ \"\$(ls -A '$tmp/perm/locked')\" = w.folded ]"
chmod 755 "$tmp/perm/locked"
# as root too: a file no one may write is kept (access(2) let root through, and the
# export replaced it)
printf 'old 1\n' > "$tmp/perm/ro2.folded"
chmod 444 "$tmp/perm/ro2.folded"
"$smolder" export "$cpu" -f folded -o "$tmp/perm/ro2.folded" 2> "$tmp/err"; rc=$?
check "export over a read-only file as $(id -un): status 1, one line, Permission denied, kept" \
  bash -c "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qF \"cannot create '$tmp/perm/ro2.folded': Permission denied\" '$tmp/err' && [ \"\$(cat '$tmp/perm/ro2.folded')\" = 'old 1' ]"

# A terminal named as the target (-o /dev/tty, -o /dev/stderr on one) is treated as -o -
# on a terminal: no pprof, escape sequences in names escaped.  Run on a pseudo-terminal,
# standard output elsewhere (/dev/null: not the target); what reaches the terminal is
# kept in $tmp/pty.out, the status in $tmp/pty.rc.
on_pty() {
  python3 - "$tmp/pty.out" "$tmp/pty.rc" "$@" <<'PY'
import os, pty, sys
out, rcf, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
_, st = os.waitpid(pid, 0)
open(out, "wb").write(data)
open(rcf, "w").write(str(os.waitstatus_to_exitcode(st)))
PY
}
printf 'main;\033]0;pwned\007;\033[31mred 5\n' > "$tmp/esc.folded"
for o in /dev/tty /dev/stderr; do
  on_pty bash -c 'exec "$@" > /dev/null' - "$smolder" export "$cpu" -o $o
  check "export -o $o on a terminal: pprof refused like -o -, status 2, nothing binary written" \
    bash -c "[ \$(cat '$tmp/pty.rc') = 2 ] && grep -q 'a pprof profile is binary: not written to a terminal' '$tmp/pty.out' && ! grep -q \$'\\x1f\\x8b' '$tmp/pty.out'"
  on_pty bash -c 'exec "$@" > /dev/null' - "$smolder" export "$tmp/esc.folded" -f folded -o $o
  check "export -o $o on a terminal: folded with its escape sequences escaped" \
    bash -c "[ \$(cat '$tmp/pty.rc') = 0 ] && grep -q 'red 5' '$tmp/pty.out' && ! grep -q \$'\\x1b' '$tmp/pty.out'"
done
on_pty bash -c 'exec "$@" > /dev/null' - "$smolder" "${qp[@]}" --output pprof=/dev/tty --force
check "query profile --output pprof=/dev/tty: refused as export's, status 2, nothing binary written" \
  bash -c "[ \$(cat '$tmp/pty.rc') = 2 ] && grep -q 'a pprof profile is binary: not written to a terminal' '$tmp/pty.out' && ! grep -q \$'\\x1f\\x8b' '$tmp/pty.out'"

check "export --help lists the new formats" bash -c "'$smolder' export --help | grep -q 'pprof (default), folded, speedscope or svg'"

check_done
