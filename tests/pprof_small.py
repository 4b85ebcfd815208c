#!/usr/bin/env python3
"""pprof_small.py NAME OUT: writes the small gzipped pprof NAME (below) to OUT, for
comparing smolder with `go tool pprof` on what the shared profiles do not have: names
that end in a newline, string labels that look like numbers, numeric labels without a
unit (pprof_compare_small.sh).  One sample type, samples/count; every function is in
f.go, one location (and line) per function."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz"))
from pbwire import field, gz, packed  # noqa: E402 (the encoder the corpus makers share)

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


def main():
    names, samples = PROFILES[sys.argv[1]]
    strings = [""]

    def sid(s):
        if s not in strings:
            strings.append(s)
        return strings.index(s)

    p = field(1, field(1, sid("samples")) + field(2, sid("count")))
    p += field(3, field(1, 1))  # one mapping, no file
    for i, name in enumerate(names, 1):
        p += field(5, field(1, i) + field(2, sid(name)) + field(3, sid(name)) +
                   field(4, sid("f.go")))
        p += field(4, field(1, i) + field(2, 1) + field(4, field(1, i) + field(2, i)))
    for stack, value, labels in samples:
        body = field(1, packed(stack)) + field(2, packed([value]))
        for lab in labels:
            if isinstance(lab[1], str):
                body += field(3, field(1, sid(lab[0])) + field(2, sid(lab[1])))
            else:
                unit = field(4, sid(lab[2])) if lab[2] else b""
                body += field(3, field(1, sid(lab[0])) + field(3, lab[1]) + unit)
        p += field(2, body)
    for s in strings:
        p += field(6, s.encode())
    with open(sys.argv[2], "wb") as f:
        f.write(gz(p))


if __name__ == "__main__":
    main()
