#!/usr/bin/env python3
"""pprof_small.py NAME OUT: writes the small gzipped pprof NAME (below) to OUT, for
comparing smolder with `go tool pprof` on what the shared profiles do not have: names
that end in a newline, string labels that look like numbers, numeric labels without a
unit (pprof_compare_small.sh).  One sample type, samples/count; every function is in
f.go, one location (and line) per function."""
import gzip
import sys

# NAME: (function names, samples as (stack leaf first, value, labels)); a label is
# (key, "string") or (key, number, unit or "")
PROFILES = {
    # pprof's regexes are RE2's: '$' is the end of the text, never before a last '\n'
    "dollar": (["main.end\n", "main.root", "main.end"],
               [([1, 2], 7, []), ([3, 2], 3, [])]),
    # string labels: only [+-]?digits with an optional unit is a number to pprof
    "strlab": (["main.a", "main.b", "main.c"],
               [([1], 1, [("code", "200"), ("span", "1.5")]),
                ([2], 10, [("code", "404"), ("span", "x1kb")]),
                ([3], 100, [("code", "10ms")])]),
    "strlab2": (["main.a", "main.b", "main.c"],
                [([1], 1, [("version", "1.5")]),
                 ([2], 10, [("id", "0x1f")]),
                 ([3], 100, [("id", "1e3")])]),
    # numeric labels: with a unit, without one (pprof infers it from the key)
    "numlab": (["main.a", "main.b", "main.c"],
               [([1], 1, [("duration", 50000000, "nanoseconds"), ("latency", 5, ""),
                          ("ms", 3, ""), ("request", 100, ""), ("size", 2, "kilobytes")]),
                ([2], 10, [("duration", 2000000000, "nanoseconds"), ("latency", 50, ""),
                           ("ms", 300, ""), ("request", 5000, ""),
                           ("size", 2048, "kilobytes")]),
                ([3], 100, [("duration", 150000000, "nanoseconds"), ("latency", 500, ""),
                            ("ms", 30000, ""), ("request", 2000000, "")])]),
}


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def num(field, n):
    return varint(field << 3) + varint(n)


def msg(field, body):
    return varint((field << 3) | 2) + varint(len(body)) + body


def main():
    names, samples = PROFILES[sys.argv[1]]
    strings = [""]

    def sid(s):
        if s not in strings:
            strings.append(s)
        return strings.index(s)

    p = msg(1, num(1, sid("samples")) + num(2, sid("count")))
    p += msg(3, num(1, 1))  # one mapping, no file
    for i, name in enumerate(names, 1):
        p += msg(5, num(1, i) + num(2, sid(name)) + num(3, sid(name)) + num(4, sid("f.go")))
        p += msg(4, num(1, i) + num(2, 1) + msg(4, num(1, i) + num(2, i)))
    for stack, value, labels in samples:
        body = msg(1, b"".join(varint(x) for x in stack)) + msg(2, varint(value))
        for lab in labels:
            if isinstance(lab[1], str):
                body += msg(3, num(1, sid(lab[0])) + num(2, sid(lab[1])))
            else:
                unit = num(4, sid(lab[2])) if lab[2] else b""
                body += msg(3, num(1, sid(lab[0])) + num(3, lab[1]) + unit)
        p += msg(2, body)
    for s in strings:
        p += msg(6, s.encode())
    with open(sys.argv[2], "wb") as f:
        f.write(gzip.compress(p))


if __name__ == "__main__":
    main()
