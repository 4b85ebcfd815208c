#!/usr/bin/env python3
"""zero_profile.py OUT — a gzipped Go-style heap pprof (alloc_objects, alloc_space,
inuse_objects, inuse_space) whose inuse_* values are all zero: what a heap profile taken
right after everything was freed holds.  Its time is now.  Encoded with the fuzz
corpus makers' pbwire.py, so the test needs no protobuf library."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz"))
from pbwire import field, gz, packed  # noqa: E402  (the corpus makers' wire encoding)

strings = ["", "alloc_objects", "count", "alloc_space", "bytes", "inuse_objects",
           "inuse_space", "main.work", "main.main", "main.go", "space"]
p = b""
for t, u in ((1, 2), (3, 4), (5, 2), (6, 4)):
    p += field(1, field(1, t) + field(2, u))                     # sample_type
p += field(2, field(1, packed([1, 2])) + field(2, packed([3, 300, 0, 0])))
p += field(2, field(1, packed([2])) + field(2, packed([1, 100, 0, 0])))
for i in (1, 2):                                                 # location i: function i
    p += field(4, field(1, i) + field(4, field(1, i) + field(2, 10 * i)))
    p += field(5, field(1, i) + field(2, 6 + i) + field(3, 6 + i) + field(4, 9))
for s in strings:
    p += field(6, s.encode())
p += field(9, time.time_ns())                                    # time_nanos
p += field(11, field(1, 10) + field(2, 4)) + field(12, 512 * 1024)
with open(sys.argv[1], "wb") as f:
    f.write(gz(p))
