#!/usr/bin/env python3
"""make_flamegraph_corpus.py — (re)creates the seed corpus tests/fuzz/corpus/flamegraph.

Every seed is written here by hand (no third-party fixture is copied): querier.v1
SelectMergeStacktracesResponse bodies in Connect JSON and in protobuf, each well-formed
or breaking one rule.  The first byte of a seed picks the codec for fuzz_flamegraph.c:
'J' JSON, anything else protobuf (the seeds use 'P'); the second the max_nodes asked
for, by its value modulo 8 (the seeds use the digits: '0' none, '1'-'3', '6' the
explorer's 16384).

Usage: tests/fuzz/make_flamegraph_corpus.py
"""
import json
import os

from pbwire import varint, write_seeds

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "flamegraph")


def uvarint(v):
    return varint(v & ((1 << 64) - 1))


def field(num, wire, payload):
    tag = uvarint(num << 3 | wire)
    if wire == 0:
        return tag + uvarint(payload)
    return tag + uvarint(len(payload)) + payload


def level(values, packed=True):
    if not packed:
        return b"".join(field(1, 0, v) for v in values)
    payload = b"".join(uvarint(v) for v in values)
    return field(1, 2, payload) if payload else b""


def flamegraph_pb(names, levels, total, max_self, packed=True):
    fg = b"".join(field(1, 2, n.encode()) for n in names)
    fg += b"".join(field(2, 2, level(l, packed)) for l in levels)
    fg += field(3, 0, total) + field(4, 0, max_self)
    return field(1, 2, fg)


def flamegraph_json(names, levels, total, max_self, as_strings=True):
    conv = (lambda v: str(v)) if as_strings else (lambda v: v)
    return json.dumps({"flamegraph": {
        "names": names,
        "levels": [{"values": [conv(v) for v in l]} for l in levels],
        "total": conv(total), "maxSelf": conv(max_self)}}, separators=(",", ":")).encode()


# main (self 10) calls work (60) and idle (30); x delta-encoded per level
BASIC = (["total", "main", "work", "idle"],
         [[0, 100, 0, 0], [0, 100, 10, 1], [10, 60, 60, 2, 0, 30, 30, 3]], 100, 60)
# max_nodes folded two children of main into "other"
OTHER = (["total", "main", "work", "other"],
         [[0, 100, 0, 0], [0, 100, 0, 1], [0, 70, 70, 2, 0, 30, 30, 3]], 100, 70)
# two roots and a deeper chain
DEEP_NAMES = ["total"] + ["f%d" % i for i in range(40)]
DEEP = (DEEP_NAMES, [[0, 50, 0, 0]] + [[0, 50, 1 if i == 39 else 0, i + 1] for i in range(39)] +
        [[0, 50, 50, 40]], 50, 50)


def seeds():
    s = bodies()
    # as the explorer asks (max_nodes 16384), and one of each well-formed answer with
    # no max_nodes, as a merge over a split range asks
    for name in list(s):
        if name.startswith(("json-basic", "json-other", "json-deep", "proto-basic",
                            "proto-other", "proto-deep")):
            s[name + "-nodes0"] = s[name][:1] + b"0" + s[name][1:]
        s[name] = s[name][:1] + b"6" + s[name][1:]
    # folded as asked or not: BASIC has 2 nodes above its smallest total (30), OTHER 1
    # ("other" is not counted), so max_nodes 2 and 1 refuse them and 3 and 2 keep them
    for codec, enc in ((b"J", flamegraph_json), (b"P", flamegraph_pb)):
        kind = "json" if codec == b"J" else "proto"
        s[kind + "-basic-unfolded"] = codec + b"2" + enc(*BASIC)
        s[kind + "-basic-folded"] = codec + b"3" + enc(*BASIC)
        s[kind + "-other-unfolded"] = codec + b"1" + enc(*OTHER)
        s[kind + "-other-folded"] = codec + b"2" + enc(*OTHER)
    return s


def bodies():
    """The answers, each after its codec byte."""
    s = {}
    for name, fg in (("basic", BASIC), ("other", OTHER)):
        s["json-" + name] = b"J" + flamegraph_json(*fg)
        s["json-" + name + "-numbers"] = b"J" + flamegraph_json(*fg, as_strings=False)
        s["proto-" + name] = b"P" + flamegraph_pb(*fg)
        s["proto-" + name + "-unpacked"] = b"P" + flamegraph_pb(*fg, packed=False)
    # a chain 41 frames deep, all of its value at the leaf
    s["json-deep"] = b"J" + flamegraph_json(*DEEP)
    s["proto-deep"] = b"P" + flamegraph_pb(*DEEP)
    s["json-empty"] = b"J{}"
    s["json-null-flamegraph"] = b'J{"flamegraph":null}'
    s["proto-empty"] = b"P"
    # broken ones: each should be an error, not a crash
    names, levels, total, ms = BASIC
    s["json-outside-parent"] = b"J" + flamegraph_json(names, [levels[0], [500, 10, 10, 1]], total, ms)
    s["json-name-index"] = b"J" + flamegraph_json(names, [levels[0], [0, 100, 100, 99]], total, ms)
    s["json-negative"] = b"J" + flamegraph_json(names, [levels[0], [0, -5, 0, 1]], total, ms)
    s["json-self-over-total"] = b"J" + flamegraph_json(names, [levels[0], [0, 10, 20, 1]], total, ms)
    s["json-ragged-level"] = b"J" + flamegraph_json(names, [levels[0], [0, 100, 10]], total, ms)
    s["json-overflow"] = b"J" + flamegraph_json(
        names, [[0, 9223372036854775807, 0, 0], [9223372036854775807, 9223372036854775807, 1, 1]],
        total, ms)
    s["json-wrong-types"] = b'J{"flamegraph":{"names":5,"levels":"x"}}'
    s["json-name-null"] = b'J{"flamegraph":{"names":[null],"levels":[]}}'
    s["json-truncated"] = (b"J" + flamegraph_json(*BASIC))[:60]
    s["json-big-number"] = b'J{"flamegraph":{"names":["total"],"levels":[{"values":["0","99999999999999999999","0","0"]}]}}'
    s["proto-truncated"] = (b"P" + flamegraph_pb(*BASIC))[:25]
    s["proto-lying-length"] = b"P" + b"\x0a\xff\xff\xff\x0f" + flamegraph_pb(*BASIC)[2:]
    s["proto-huge-varint"] = b"P" + field(1, 2, field(2, 2, field(1, 2, b"\xff" * 10 + b"\x01")))
    return s


def main():
    write_seeds(OUT, seeds())


if __name__ == "__main__":
    main()
