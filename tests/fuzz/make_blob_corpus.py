#!/usr/bin/env python3
"""make_blob_corpus.py — (re)creates the seed corpus tests/fuzz/corpus/blob.

Every seed is a stored profile blob (src/store/blob.c) encoded here by hand, framed as
fuzz_blob.c splits its input:

    flags (bit 0: a labelsets row follows) | blob length (2 bytes, LE) | blob | row

Blobs are 'R' + raw bytes or 'Z' + a zstd frame (made by the zstd command, which records
the content size), version 1 (sets inline) or 2 (sets in the labelsets row), plus broken
variants: a row missing or with another set count, truncated columns, a bad set index,
values that overflow.  Deterministic output.  Files named regress-* are inputs a fuzzer
found (kept as regression tests) and are left alone.

Usage: tests/fuzz/make_blob_corpus.py
"""
import os
import subprocess
import tempfile

from pbwire import varint

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "blob")


def zz(x):
    """zigzag, as the blob's signed varints."""
    return (x << 1) ^ (x >> 63) if x >= 0 else ((-x) << 1) - 1


def label(key, val=b"", num=0, unit=b""):
    return (varint(len(key)) + key + varint(len(val)) + val + varint(zz(num)) +
            varint(len(unit)) + unit)


def labelset(*labels):
    return varint(len(labels)) + b"".join(labels)


def columns(entries, nsets, gcd=1):
    """n, gcd, stack deltas, set indices (when nsets > 1), values / gcd."""
    out = varint(len(entries)) + varint(gcd)
    prev = 0
    for stack, _, _ in entries:
        out += varint(stack - prev)
        prev = stack
    if nsets > 1:
        out += b"".join(varint(s) for _, s, _ in entries)
    return out + b"".join(varint(zz(v // gcd)) for _, _, v in entries)


def blob(sets, entries, period=10000000, ext=False, gcd=1):
    head = varint(2 if ext else 1) + varint(zz(period)) + varint(len(sets))
    return head + (b"" if ext else b"".join(sets)) + columns(entries, len(sets), gcd)


def row(sets):
    return varint(1) + varint(len(sets)) + b"".join(sets)


def zstd(raw):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "raw")
        with open(src, "wb") as f:
            f.write(raw)
        return subprocess.run(["zstd", "-q", "-c", "-1", src], check=True,
                              stdout=subprocess.PIPE).stdout


def frame(b, sets_row=None):
    flags = 1 if sets_row is not None else 0
    return bytes([flags]) + len(b).to_bytes(2, "little") + b + (sets_row or b"")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if not name.startswith("regress-"):
            os.remove(os.path.join(OUT, name))
    spans = [labelset(label(b"profile_id", b"%016x" % (0x9e3779b97f4a7c15 * i % 2**64)),
                      label(b"function", b"slow" if i % 3 == 0 else b"fast"))
             for i in range(24)]
    entries = [(1 + i // 2, i, (i + 1) * 10000000) for i in range(24)]
    plain = [(1, 0, 3), (2, 0, 5), (7, 0, 1), (40000, 0, 2)]
    many = [(s * 3, 0, s % 7 + 1) for s in range(1, 60)]
    two = [labelset(label(b"endpoint", b"/checkout")),
           labelset(label(b"endpoint", b"/home"), label(b"bytes", num=512, unit=b"bytes"))]
    seeds = {
        "v1-no-labels-raw": frame(b"R" + blob([], plain, period=1)),
        "v1-no-labels-zstd": frame(b"Z" + zstd(blob([], many))),
        "v1-two-sets": frame(b"R" + blob(two, [(1, 0, 7), (1, 1, 3), (4, 1, -2)])),
        "v1-gcd": frame(b"R" + blob(two, [(3, 0, 20000000), (5, 1, 40000000)], gcd=10000000)),
        "v1-spans-zstd": frame(b"Z" + zstd(blob(spans, entries))),
        "v1-given-a-row": frame(b"R" + blob(two, [(1, 1, 1)]), b"R" + row(two)),
        "v2-spans-raw": frame(b"R" + blob(spans, entries, ext=True), b"R" + row(spans)),
        "v2-spans-zstd": frame(b"Z" + zstd(blob(spans, entries, ext=True)),
                               b"Z" + zstd(row(spans))),
        "v2-row-missing": frame(b"R" + blob(spans, entries, ext=True)),
        "v2-row-other-count": frame(b"R" + blob(spans, entries, ext=True),
                                    b"R" + row(spans[:23])),
        "v2-row-truncated": frame(b"R" + blob(spans, entries, ext=True),
                                  (b"R" + row(spans))[:100]),
        "v2-row-bad-version": frame(b"R" + blob(two, [(1, 1, 1)], ext=True),
                                    b"R" + varint(9) + row(two)[1:]),
        "v2-row-huge-count": frame(b"R" + varint(2) + varint(0) + varint(2**27) + columns([], 0),
                                   b"R" + varint(1) + varint(2**27) + b"\x00" * 8),
        "bad-set-index": frame(b"R" + blob(two, [(1, 2, 1)])),
        "bad-version": frame(b"R" + varint(3) + blob(two, [(1, 0, 1)])[1:]),
        "bad-encoding": frame(b"X" + blob([], plain)),
        "truncated-columns": frame((b"R" + blob(two, [(1, 0, 7), (2, 1, 3)]))[:-2]),
        "trailing-bytes": frame(b"R" + blob([], plain) + b"\x00"),
        "value-overflow": frame(b"R" + blob([], [(1, 0, 2**62), (2, 0, 2**62)], gcd=2**62)),
        "stack-past-2^32": frame(b"R" + blob([], [(2**32 + 5, 0, 1)])),
        "empty": frame(b""),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
