#!/usr/bin/env python3
"""make_querier_corpus.py — (re)creates the seed corpus tests/fuzz/corpus/querier.

Every seed is written here by hand: a request to the query server as fuzz_querier.c
splits it — a mode byte (bit 0 JSON, bit 1 gzip, bits 2-3 route: 0 Connect, 2 render,
3 render-diff; bit 4 GET; bit 5 label-values), the method name or query string up to
'\\n', then the body — for every querier.v1 method in both codecs, the legacy endpoints,
and requests that each break one rule.

Usage: tests/fuzz/make_querier_corpus.py
"""
import json
import os
import struct

from pbwire import field, gz

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "querier")

T0_MS = 1700000000 * 1000
CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds"
HEAP = "memory:inuse_space:bytes:space:bytes"

JSON, GZIP, RENDER, DIFF, GET, LABELS = 1, 2, 8, 12, 16, 32


def s(num, text):
    return field(num, text.encode())


def dbl(num, x):
    return bytes([num << 3 | 1]) + struct.pack("<d", x)


def merge_pb(ptype=CPU, sel="{}", start=T0_MS - 60000, end=T0_MS + 60000, fmt=None,
             max_nodes=None, call_site=None, spans=None):
    m = s(1, ptype) + s(2, sel) + field(3, start) + field(4, end)
    if max_nodes is not None:
        m += field(5, max_nodes)
    if fmt is not None:
        m += field(6, fmt)
    if call_site:
        m += field(7, b"".join(field(1, s(1, n)) for n in call_site))
    for sp in spans or []:
        m += s(11, sp)
    return m


def merge_json(ptype=CPU, sel="{}", start=T0_MS - 60000, end=T0_MS + 60000, **kw):
    d = {"profileTypeID": ptype, "labelSelector": sel, "start": str(start), "end": str(end)}
    d.update(kw)
    return json.dumps(d).encode()


def seeds():
    # --- Connect, protobuf ---
    yield "pb-profile-types", 0, "ProfileTypes", field(1, T0_MS - 60000) + field(2, T0_MS + 60000)
    yield "pb-label-names", 0, "LabelNames", s(1, '{service_name="cpuwork"}') + field(2, 0)
    yield "pb-label-values", 0, "LabelValues", s(1, "region") + s(2, "{}")
    yield "pb-series", 0, "Series", s(1, "{}") + s(2, "service_name") + s(2, "region")
    yield "pb-merge", 0, "SelectMergeStacktraces", merge_pb()
    yield "pb-merge-tree", 0, "SelectMergeStacktraces", merge_pb(fmt=2, max_nodes=5)
    yield "pb-merge-pprof", 0, "SelectMergeStacktraces", merge_pb(fmt=4)
    yield "pb-merge-dot", 0, "SelectMergeStacktraces", merge_pb(fmt=3)
    yield "pb-merge-callsite", 0, "SelectMergeStacktraces", merge_pb(
        call_site=["main.main", "main.worker"])
    yield "pb-merge-span", 0, "SelectMergeStacktraces", merge_pb(spans=["00ff"])
    yield "pb-merge-heap", 0, "SelectMergeStacktraces", merge_pb(HEAP, '{region=~"e.*"}')
    yield "pb-merge-profile", 0, "SelectMergeProfile", merge_pb(max_nodes=3)
    yield "pb-select-series", 0, "SelectSeries", (
        s(1, CPU) + s(2, "{}") + field(3, T0_MS - 60000) + field(4, T0_MS + 60000) +
        s(5, "region") + dbl(6, 5.0) + field(7, 2) + field(9, 1))
    yield "pb-select-series-tiny-step", 0, "SelectSeries", (
        s(1, CPU) + s(2, "{}") + field(3, T0_MS - 60000) + field(4, 2**62) + dbl(6, 0.0005))
    yield "pb-diff", 0, "Diff", field(1, merge_pb(sel='{region="eu"}')) + field(
        2, merge_pb(sel='{region="us"}'))
    yield "pb-gzip", GZIP, "SelectMergeStacktraces", gz(merge_pb())
    # --- Connect, JSON ---
    yield "json-profile-types", JSON, "ProfileTypes", b'{"start":"0","end":"1800000000000"}'
    yield "json-label-values", JSON, "LabelValues", b'{"name":"service_name","matchers":["{}"]}'
    yield "json-series", JSON, "Series", b'{"matchers":["{}"],"labelNames":["region"]}'
    yield "json-merge", JSON, "SelectMergeStacktraces", merge_json(maxNodes="16")
    yield "json-merge-format", JSON, "SelectMergeStacktraces", merge_json(format="PROFILE_FORMAT_TREE")
    yield "json-merge-callsite", JSON, "SelectMergeStacktraces", merge_json(
        stackTraceSelector={"callSite": [{"name": "main.main"}]})
    yield "json-select-series", JSON, "SelectSeries", json.dumps({
        "profileTypeID": CPU, "labelSelector": "{}", "start": str(T0_MS - 60000),
        "end": str(T0_MS + 60000),
        "groupBy": ["region"], "step": 10, "aggregation": "TIME_SERIES_AGGREGATION_TYPE_AVERAGE",
        "limit": "5"}).encode()
    yield "json-diff", JSON, "Diff", json.dumps({"left": json.loads(merge_json()),
                                                 "right": json.loads(merge_json(HEAP))}).encode()
    yield "json-gzip", JSON | GZIP, "Series", gz(b'{"matchers":["{}"]}')
    # --- Connect, broken ---
    yield "bad-method", 0, "NoSuchMethod", b""
    yield "bad-get", GET, "ProfileTypes", b""
    yield "bad-unimplemented", 0, "SelectHeatmap", b""
    yield "bad-json", JSON, "Series", b'{"matchers":["{"'
    yield "bad-json-types", JSON, "SelectMergeStacktraces", b'{"start":{},"maxNodes":[1]}'
    yield "bad-pb-length", 0, "SelectMergeStacktraces", b"\x12\xff\xff\xff\x0f{}"
    yield "bad-selector", 0, "SelectMergeStacktraces", merge_pb(sel='{a=~"("}')
    yield "bad-range", 0, "SelectMergeStacktraces", merge_pb(start=T0_MS, end=T0_MS - 1)
    yield "bad-max-nodes", 0, "SelectMergeStacktraces", merge_pb(max_nodes=2**40)
    yield "bad-gzip", GZIP, "Series", b"\x1f\x8b\x08\x00garbage"
    # --- legacy endpoints ---
    frm, until = (T0_MS - 60000) // 1000, (T0_MS + 60000) // 1000
    yield "render", RENDER, f"query={CPU}%7Bservice_name%3D%22cpuwork%22%7D&from={frm}&until={until}&maxNodes=64", b""
    yield "render-groupby", RENDER, f"query={CPU}%7B%7D&from={frm}&until={until}&groupBy=region&aggregation=avg", b""
    yield "render-relative", RENDER, f"query={HEAP}%7B%7D&from=now-1h&until=now", b""
    yield "render-bad-query", RENDER, "query=%7Bunclosed&from=x&until=y", b""
    yield "render-diff", DIFF, (f"leftQuery={CPU}%7Bregion%3D%22eu%22%7D&leftFrom={frm}&leftUntil={until}"
                                f"&rightQuery={CPU}%7Bregion%3D%22us%22%7D&rightFrom={frm}&rightUntil={until}"), b""
    yield "render-diff-missing", DIFF, "leftQuery=x", b""
    yield "label-values", RENDER | LABELS, "label=region", b""
    yield "label-values-none", RENDER | LABELS, "", b""


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, mode, line, body in seeds():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(bytes([mode]) + line.encode() + b"\n" + body)


if __name__ == "__main__":
    main()
