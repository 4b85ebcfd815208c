#!/usr/bin/env python3
"""pprof_set_frames.py IN OUT DROP [KEEP]: a copy of the pprof file IN whose drop_frames
(and keep_frames) name the regexes DROP and KEEP, for comparing smolder's pruning with
`go tool pprof`'s (pprof_compare.sh).  The strings are appended to the string table and
the fields appended to the message: in protobuf a later scalar field wins."""
import gzip
import sys


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def enc_varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def main():
    src, dst, drop = sys.argv[1], sys.argv[2], sys.argv[3]
    keep = sys.argv[4] if len(sys.argv) > 4 else None
    data = open(src, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    nstrings, i = 0, 0
    while i < len(data):
        key, i = varint(data, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, i = varint(data, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            n, i = varint(data, i)
            i += n
            nstrings += field == 6
        else:
            sys.exit("unsupported wire type %d" % wire)
    out = bytearray(data)
    for field, text in ((7, drop), (8, keep)):
        if text is None:
            continue
        raw = text.encode()
        out += enc_varint(6 << 3 | 2) + enc_varint(len(raw)) + raw
        out += enc_varint(field << 3) + enc_varint(nstrings)
        nstrings += 1
    open(dst, "wb").write(gzip.compress(bytes(out)))


main()
