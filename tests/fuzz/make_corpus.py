#!/usr/bin/env python3
"""make_corpus.py — (re)creates the seed corpus tests/fuzz/corpus/pprof.

Seeds come only from our own profiles (../shared/testdata/go, made by the programs in
testdata/go/src) and from inputs crafted here: truncations, bit flips and lying lengths
of those files, hand-encoded protobufs that break one rule each, and folded text.  Each
seed stays under 30 KB so the replay is quick even under ASan.  Deterministic output:
gzip with mtime 0, zstd from the `zstd` tool at a fixed level.

Usage: tests/fuzz/make_corpus.py [TESTDATA]   (default: ../shared/testdata from the repo)
"""
import gzip
import os
import subprocess
import sys

from pbwire import field, gz, packed, varint

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "pprof")
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared",
                                                           "testdata")
LIMIT = 30 * 1024


def go(name):
    with open(os.path.join(DATA, "go", name), "rb") as f:
        return f.read()


def zst(data):
    return subprocess.run(["zstd", "-q", "-c", "-19", "--no-check"], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


def profile(strings=(b"", b"samples", b"count", b"cpu", b"nanoseconds", b"main.main",
                     b"main.work", b"main.go", b"/bin/app", b"thread", b"worker"),
            samples=(([2, 1], [3, 30000000], True), ([1], [4, 40000000], False)),
            functions=((1, 5), (2, 6)), locations=((1, 1, 1), (2, 1, 2)), mappings=(1,),
            types=((1, 2), (3, 4)), default=3):
    """A small CPU profile main.main → main.work, with the parts given."""
    p = b""
    for t, u in types:
        p += field(1, field(1, t) + field(2, u))
    for locs, vals, label in samples:
        s = field(1, packed(locs)) + field(2, packed(vals))
        if label:
            s += field(3, field(1, 9) + field(2, 10))
            s += field(3, field(1, 9) + field(3, 4096) + field(4, 2))  # numeric label
        p += field(2, s)
    for mid in mappings:
        p += field(3, field(1, mid) + field(2, 0x1000) + field(3, 0x9000) + field(5, 8))
    for lid, mid, fid in locations:
        p += field(4, field(1, lid) + field(2, mid) + field(3, 0x1000 + 0x100 * lid) +
                   field(4, field(1, fid) + field(2, 10 * lid)))
    for fid, name in functions:
        p += field(5, field(1, fid) + field(2, name) + field(4, 7))
    for s in strings:
        p += field(6, s)
    p += field(11, field(1, 3) + field(2, 4)) + field(12, 10000000)
    p += field(14, default)
    return p


def flip(data, pos, bit):
    b = bytearray(data)
    b[pos] ^= 1 << bit
    return bytes(b)


def lie(data, at, length):
    """The length-delimited field at offset `at` re-encoded with a false length."""
    tag = data[at]
    assert tag & 7 == 2
    i = at + 1
    while data[i] & 0x80:
        i += 1
    return data[:at + 1] + varint(length) + data[i + 1:]


def main():
    mutex_gz, block_gz = go("contention-mutex.pb.gz"), go("contention-block.pb.gz")
    mutex, block = gzip.decompress(mutex_gz), gzip.decompress(block_gz)
    gor = gzip.decompress(go("goroutines-goroutine.pb.gz"))
    cpu = gzip.decompress(go("cpuwork-cpu.pb.gz"))
    heap = gzip.decompress(go("heapwork-heap.pb.gz"))
    with open(os.path.join(DATA, "folded", "cpuwork-cpu.folded"), "rb") as f:
        folded = f.read()
    folded_head = b"".join(folded.splitlines(keepends=True)[:40])

    seeds = {
        # our profiles as they are, and in other containers
        "go-mutex.pb.gz": mutex_gz,
        "go-block.pb.gz": block_gz,
        "go-goroutine.pb.gz": go("goroutines-goroutine.pb.gz"),
        "go-cpu.pb.gz": go("cpuwork-cpu.pb.gz"),
        "go-mutex.pb": mutex,
        "go-block.pb": block,
        "go-goroutine.pb": gor,
        "go-mutex.pb.zst": zst(mutex),
        "go-block-2members.pb.gz": gz(block[:900]) + gz(block[900:]),
        # cut and damaged copies
        "cut-mutex-100.pb": mutex[:100],
        "cut-mutex-700.pb": mutex[:700],
        "cut-mutex-1100.pb": mutex[:1100],
        "cut-mutex-400.pb.gz": mutex_gz[:400],
        "cut-cpu-28k.pb": cpu[:28000],
        "cut-heap-20k.pb": heap[:20000],
        "cut-mutex.pb.zst": zst(mutex)[:300],
        "flip-mutex-tag.pb": flip(mutex, 20, 3),
        "flip-mutex-location.pb": flip(mutex, 300, 0),
        "flip-mutex-string.pb": flip(mutex, 1000, 6),
        "flip-mutex-crc.pb.gz": flip(mutex_gz, len(mutex_gz) - 6, 2),
        "lie-mutex-first.pb": lie(mutex, 0, 2**32 - 1),
        "lie-mutex-huge.pb": lie(mutex, 0, 2**63),
        # hand-made protobufs that break one rule each (and one that breaks none)
        "synth-valid.pb": profile(),
        "synth-valid.pb.gz": gz(profile()),
        "synth-no-samples.pb": profile(samples=()),
        "synth-unknown-location.pb": profile(samples=(([99], [1, 1], False),)),
        "synth-unknown-function.pb": profile(locations=((1, 1, 42), (2, 1, 2))),
        "synth-string-index.pb": profile(functions=((1, 500), (2, 6))),
        "synth-function-id-0.pb": profile(functions=((0, 5), (2, 6))),
        "synth-duplicate-location.pb": profile(locations=((1, 1, 1), (1, 1, 2))),
        "synth-value-count.pb": profile(samples=(([1], [7], False),)),
        "synth-sparse-ids.pb": profile(
            samples=(([2**63, 2**40], [3, 30000000], True),),
            locations=((2**40, 7, 1), (2**63, 7, 2)), mappings=(7,)),
        "synth-nested-lie.pb": field(2, b"\x0a\xff\xff\xff\xff\x07"),
        # past PPROF_PAR_ITEMS samples: the decoder's second thread fills half of them
        "synth-16k-samples.pb.gz": gz(profile(samples=tuple(
            ([2, 1] if i % 3 else [1], [i % 7 + 1, 1000 * (i % 13)], i % 5 == 0)
            for i in range(16500)))),
        "empty": b"",
        "one-byte": b"\x0a",
        "gzip-empty": gz(b""),
        # folded text
        "folded-head.txt": folded_head,
        "folded-head.txt.gz": gz(folded_head),
        "folded-odd.txt": b"java.lang.Thread.run;Foo$Bar.<init> (inlined) 3\r\n"
                          b"\tmain;a b c\t4\n# comment\n\nmain;;x 2\nmain;a 1.9\nmain;neg -5\n",
        "folded-bad.txt": b"a;b 3\na;b notanumber\n;;; 5\na;b\n",
        "folded-recursion.txt": b"a;a;a 4\na;b;a;b 2\nb;a;a 3\n",
    }
    os.makedirs(OUT, exist_ok=True)
    # only this script's seeds are rewritten: hand-written ones (perf-*, speedscope-*,
    # export round-trips) live next to them and are kept
    for name, data in sorted(seeds.items()):
        assert len(data) < LIMIT, (name, len(data))
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(seeds)} seeds to {OUT}")


if __name__ == "__main__":
    main()
