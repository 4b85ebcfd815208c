#!/usr/bin/env python3
"""pprof_zero_lines.py IN OUT [LINE]: a copy of the pprof file IN whose locations have no
line numbers (Line.line and Function.start_line removed, so 0), as a binary without debug
line information gives; with LINE, only the lines numbered LINE lose their number.  Files
and function names stay.  For the tests of `smolder list` and the source pane on profiles
without line information (what `go tool pprof -list` prints for them)."""
import gzip
import sys


def read_varint(b, i):
    v, shift = 0, 0
    while True:
        v |= (b[i] & 0x7F) << shift
        shift += 7
        i += 1
        if not b[i - 1] & 0x80:
            return v, i


def write_varint(v):
    out = bytearray()
    while True:
        out.append((v & 0x7F) | (0x80 if v > 0x7F else 0))
        v >>= 7
        if not v:
            return bytes(out)


def rewrite(msg, edit):
    """msg with each field passed through edit(field, wire, payload, value): the new
    payload, or None to drop the field."""
    out, i = bytearray(), 0
    while i < len(msg):
        key, i = read_varint(msg, i)
        field, wire = key >> 3, key & 7
        start = i
        if wire == 0:
            value, i = read_varint(msg, i)
            payload = msg[start:i]
        elif wire == 2:
            n, i = read_varint(msg, i)
            value, payload, i = None, msg[i:i + n], i + n
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
            value, payload = None, msg[start:i]
        else:
            sys.exit("unsupported wire type %d" % wire)
        payload = edit(field, wire, payload, value)
        if payload is not None:
            out += write_varint(key)
            out += write_varint(len(payload)) + payload if wire == 2 else payload
    return bytes(out)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    only = int(sys.argv[3]) if len(sys.argv) > 3 else None
    data = open(src, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)

    def line(f, w, p, v):  # Line: function_id 1, line 2
        return None if f == 2 and (only is None or v == only) else p

    def location(f, w, p, v):  # Location.line 4
        return rewrite(p, line) if f == 4 and w == 2 else p

    def function(f, w, p, v):  # Function.start_line 5
        return None if f == 5 and only is None else p

    def profile(f, w, p, v):  # Profile.location 4, Profile.function 5
        if w == 2 and f == 4:
            return rewrite(p, location)
        if w == 2 and f == 5:
            return rewrite(p, function)
        return p

    open(dst, "wb").write(gzip.compress(rewrite(data, profile)))


main()
