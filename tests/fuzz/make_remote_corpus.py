#!/usr/bin/env python3
"""make_remote_corpus.py — (re)creates the seed corpus tests/fuzz/corpus/remote.

Every seed is written here by hand (no third-party fixture is copied): the answers of a
Pyroscope server's query API that are not flame graphs, in Connect JSON and in protobuf,
each well-formed or breaking one rule.  The first byte of a seed picks the decoder and
the codec for fuzz_remote.c: its value modulo 8 the decoder (0 pprof, 1 profile types,
2 names, 3 series, 4 timeline, 5 error body, 6 timeline of one step), bit 3 JSON.

Usage: tests/fuzz/make_remote_corpus.py
"""
import json
import os
import struct

from pbwire import field, gz, packed, varint, write_seeds

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "remote")

PPROF, TYPES, NAMES, SERIES, TIMELINE, ERROR, TIMELINE1 = range(7)
T0 = 1700000000000  # fuzz_remote.c's grid: 12 steps of 10 s from here (ms)


def head(kind, js):
    return bytes([kind | (8 if js else 0)])


def js(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def double(num, v):
    return varint(num << 3 | 1) + struct.pack("<d", v)


# ---- SelectMergeProfile: google.v1.Profile ----

STRINGS = ["", "cpu", "nanoseconds", "main", "work", "main.go"]


def pprof_pb(strings=STRINGS, loc_ids=(2, 1), func_of_loc=None):
    m = field(1, field(1, 1) + field(2, 2))
    m += field(2, field(1, packed(loc_ids)) + field(2, packed([70])))
    m += field(2, field(1, packed([1])) + field(2, packed([30])))
    for lid, fid in (func_of_loc or {1: 1, 2: 2}).items():
        m += field(4, field(1, lid) + field(4, field(1, fid) + field(2, 10 + lid)))
    m += field(5, field(1, 1) + field(2, 3) + field(4, 5))
    m += field(5, field(1, 2) + field(2, 4) + field(4, 5))
    m += b"".join(field(6, s.encode()) for s in strings)
    m += field(12, 10000000) + field(11, field(1, 1) + field(2, 2))
    return m


PPROF_JSON = {
    "sampleType": [{"type": "1", "unit": "2"}],
    "sample": [{"locationId": ["2", "1"], "value": ["70"]},
               {"locationId": ["1"], "value": [30]}],
    "location": [{"id": "1", "line": [{"functionId": "1", "line": "11"}]},
                 {"id": "2", "line": [{"functionId": "2", "line": "12"}]}],
    "function": [{"id": "1", "name": "3", "filename": "5"},
                 {"id": "2", "name": "4", "filename": "5"}],
    "stringTable": STRINGS,
    "period": "10000000",
}

# ---- ProfileTypes, LabelNames / LabelValues, Series ----

TYPE_ID = "process_cpu:cpu:nanoseconds:cpu:nanoseconds"


def profile_type_pb(tid=TYPE_ID):
    parts = tid.split(":") + [""] * 5
    m = field(1, tid.encode()) + field(2, parts[0].encode())
    for num, part in zip((4, 5, 6, 7), parts[1:5]):
        m += field(num, part.encode())
    return field(1, m)


def pair_pb(name, value):
    return field(1, name.encode() if isinstance(name, str) else name) + \
        field(2, value.encode() if isinstance(value, str) else value)


def labels_pb(pairs):
    return b"".join(field(1, pair_pb(n, v)) for n, v in pairs)


# ---- SelectSeries ----

def point_pb(value, ts):
    return double(1, value) + field(2, ts)


def series_pb(pairs, points):
    return field(1, labels_pb(pairs) + b"".join(field(2, point_pb(v, t)) for v, t in points))


def seeds():
    s = {}
    # pprof
    s["pprof-proto"] = head(PPROF, False) + pprof_pb()
    s["pprof-proto-gzip"] = head(PPROF, False) + gz(pprof_pb())
    s["pprof-proto-empty"] = head(PPROF, False)
    s["pprof-json"] = head(PPROF, True) + js(PPROF_JSON)
    s["pprof-json-empty"] = head(PPROF, True) + b"{}"
    s["pprof-proto-bad-string"] = head(PPROF, False) + pprof_pb(strings=["", "cpu"])
    s["pprof-proto-dangling-location"] = head(PPROF, False) + pprof_pb(loc_ids=(9, 1))
    s["pprof-proto-truncated"] = (head(PPROF, False) + pprof_pb())[:40]
    # the only label has just a key (not kept, as pprof drops it), past the string table:
    # found by libFuzzer (clang's UBSan: NULL + 0 in sample_fill)
    s["pprof-proto-labels-none-kept"] = head(PPROF, False) + bytes.fromhex(
        "0a04080110021207" "1a02080612011e" "3200" "3203636c75" "320b6e6d652080" "80ade2187002")
    s["pprof-json-wrong-types"] = head(PPROF, True) + b'{"sample":"x","stringTable":[1]}'
    # profile types
    types = {"profileTypes": [{"ID": TYPE_ID, "name": "process_cpu", "sampleType": "cpu",
                               "sampleUnit": "nanoseconds", "periodType": "cpu",
                               "periodUnit": "nanoseconds"},
                              {"ID": "not-a-type"}]}
    s["types-json"] = head(TYPES, True) + js(types)
    s["types-proto"] = head(TYPES, False) + profile_type_pb() + profile_type_pb("bad")
    s["types-json-empty"] = head(TYPES, True) + b"{}"
    s["types-json-null"] = head(TYPES, True) + b'{"profileTypes":[null,5]}'
    # names
    s["names-json"] = head(NAMES, True) + js({"names": ["__name__", "service_name", "ünï"]})
    s["names-proto"] = head(NAMES, False) + field(1, b"__name__") + field(1, b"region")
    s["names-proto-nul"] = head(NAMES, False) + field(1, b"a\0b")
    s["names-json-nul"] = head(NAMES, True) + b'{"names":["a\\u0000b"]}'
    s["names-json-not-strings"] = head(NAMES, True) + b'{"names":[1,{},null]}'
    # series
    pairs = [("__name__", "process_cpu"), ("service_name", "api")]
    s["series-json"] = head(SERIES, True) + js(
        {"labelsSet": [{"labels": [{"name": n, "value": v} for n, v in pairs]}]})
    s["series-proto"] = head(SERIES, False) + field(2, labels_pb(pairs))
    s["series-proto-escapes"] = head(SERIES, False) + field(2, labels_pb(
        [("service_name", "\x1b[31mred\x1b[0m"), ("region", "\u202eevil")]))
    s["series-proto-long-value"] = head(SERIES, False) + field(2, labels_pb(
        [("service_name", "x" * 70000)]))
    # timelines (T0 is the range's start: its points are dropped)
    pts = [(1.5, T0 + 10000), (2.0, T0 + 20000), (4.0, T0 + 120000), (9.0, T0)]
    s["timeline-proto"] = head(TIMELINE, False) + series_pb(pairs, pts) + \
        series_pb([("region", "eu")], [(3.0, T0 + 30000)])
    s["timeline-json"] = head(TIMELINE, True) + js({"series": [
        {"labels": [{"name": n, "value": v} for n, v in pairs],
         "points": [{"value": v, "timestamp": str(t)} for v, t in pts]}]})
    s["timeline-proto-nan"] = head(TIMELINE, False) + series_pb(pairs, [
        (float("nan"), T0 + 10000), (float("inf"), T0 + 20000), (-1.0, T0 + 30000)])
    s["timeline-proto-outside"] = head(TIMELINE, False) + series_pb(pairs, [
        (1.0, T0 - 10000), (1.0, T0 + 10 ** 9), (1.0, -(2 ** 63)), (1.0, 2 ** 63 - 1)])
    s["timeline-one-step"] = head(TIMELINE1, False) + series_pb(pairs, [(1.0, T0 + 10000)])
    s["timeline-json-points-null"] = head(TIMELINE, True) + b'{"series":[{"points":null}]}'
    s["timeline-proto-many-series"] = head(TIMELINE, False) + b"".join(
        series_pb([("pod", "p%d" % i)], [(1.0, T0 + 10000)]) for i in range(64))
    # error bodies
    s["error-connect"] = head(ERROR, True) + js({"code": "invalid_argument",
                                                 "message": "parse error: bad selector"})
    s["error-html"] = head(ERROR, False) + b"<html><body>502 Bad Gateway</body></html>"
    s["error-multiline"] = head(ERROR, False) + b"first line\nsecond line\n"
    s["error-escapes"] = head(ERROR, True) + js({"message": "\x1b]52;c;Zm9v\x07 \u202e\u0000x"})
    s["error-long"] = head(ERROR, False) + "é".encode() * 700
    s["error-empty"] = head(ERROR, False)
    return s


def main():
    write_seeds(OUT, seeds())


if __name__ == "__main__":
    main()
