#!/usr/bin/env python3
"""pprof_units.py OUT TYPES PERIOD STACK=VALUES...: writes a small gzipped pprof to OUT
whose sample types and period type are given, for comparing smolder's diffs of profiles
in different units of one family (cpu/nanoseconds against cpu/microseconds) with
`go tool pprof -diff_base` (diff_units.sh).

  TYPES   sample types, comma-separated: cpu/nanoseconds,samples/count
  PERIOD  TYPE/UNIT/VALUE (cpu/microseconds/10000), or - for none
  STACK   frames root first, ';'-separated: main.main;main.work
  VALUES  one integer per sample type, comma-separated: 5,7

Every function is in f.go, one location (and line) per function."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz"))
from pbwire import field, gz, packed  # noqa: E402 (the encoder the corpus makers share)


def main():
    out, types, period = sys.argv[1], sys.argv[2], sys.argv[3]
    strings = [""]
    funcs = []

    def sid(s):
        if s not in strings:
            strings.append(s)
        return strings.index(s)

    def fid(name):
        if name not in funcs:
            funcs.append(name)
        return funcs.index(name) + 1

    p = b""
    for t in types.split(","):
        ty, unit = t.split("/")
        p += field(1, field(1, sid(ty)) + field(2, sid(unit)))
    samples = b""
    for arg in sys.argv[4:]:
        stack, values = arg.split("=")
        leaf_first = [fid(f) for f in reversed(stack.split(";"))]
        vals = [int(v) for v in values.split(",")]
        samples += field(2, field(1, packed(leaf_first)) + field(2, packed(vals)))
    p += samples
    p += field(3, field(1, 1))  # one mapping, no file
    for i, name in enumerate(funcs, 1):
        p += field(5, field(1, i) + field(2, sid(name)) + field(3, sid(name)) +
                   field(4, sid("f.go")))
        p += field(4, field(1, i) + field(2, 1) + field(4, field(1, i) + field(2, i)))
    if period != "-":
        ty, unit, value = period.split("/")
        p += field(11, field(1, sid(ty)) + field(2, sid(unit))) + field(12, int(value))
    for s in strings:
        p += field(6, s.encode())
    with open(out, "wb") as f:
        f.write(gz(p))


if __name__ == "__main__":
    main()
