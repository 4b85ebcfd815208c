#!/usr/bin/env python3
"""make_ingest_corpus.py — (re)creates the seed corpus tests/fuzz/corpus/ingest.

Every seed is made here: small hand-encoded pprof profiles, folded / lines / speedscope
bodies and push.v1 messages, framed as fuzz_ingest.c splits its input:

    mode byte | query '\\n' | Content-Type '\\n' | body

mode: bit 0 push.v1 (else /ingest), bit 1 Content-Encoding gzip, bit 2 GET, bit 3 the
query line as decoded parameters (cut at '&' and '=', nothing unescaped), bit 4
Connect-Protocol-Version: 1.  Requests follow
what real clients send (the Go SDK's multipart, @pyroscope/nodejs's raw gzipped pprof,
pyroscope-rs's gzipped push) plus broken variants.  Deterministic output (gzip mtime 0).
Files named regress-* are inputs a fuzzer found (kept as regression tests) and are left
alone.

Usage: tests/fuzz/make_ingest_corpus.py
"""
import base64
import json
import os
import subprocess

from pbwire import field, gz, packed, varint

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "ingest")
B = b"f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4"


def pprof(types=((1, 2), (3, 4)), period=(3, 4), fid0=False, label=True, zero=False,
          strings=None):
    """A two-frame CPU profile (main.main → main.work) with a sample label."""
    st = strings or [b"", b"samples", b"count", b"cpu", b"nanoseconds", b"main.main",
                     b"main.work", b"main.go", b"/bin/app", b"endpoint", b"/checkout"]
    p = b""
    for t, u in types:
        p += field(1, field(1, t) + field(2, u))
    for locs, vals in (([2, 1], [3, 30000000]), ([1], [4, 40000000])):
        vals = [0] * len(vals) if zero else vals
        s = field(1, packed(locs)) + field(2, packed(vals[:len(types)]))
        if label:
            s += field(3, field(1, 9) + field(2, 10))
        p += field(2, s)
    for lid, fid in ((1, 1), (2, 2)):
        p += field(4, field(1, lid) + field(4, field(1, fid) + field(2, 10 * lid)))
    for fid, name in ((1, 5), (2, 6)):
        p += field(5, field(1, 0 if fid0 else fid) + field(2, name) + field(4, 7))
    for s in st:
        p += field(6, s)
    p += field(9, 1700000000000000000) + field(10, 10000000000)
    p += field(11, field(1, period[0]) + field(2, period[1])) + field(12, 10000000)
    return p


def part(name, filename, data, nl=b"\r\n"):
    h = b"--" + B + nl + b'Content-Disposition: form-data; name="' + name + b'"'
    if filename:
        h += b'; filename="' + filename + b'"'
    return h + nl + b"Content-Type: application/octet-stream" + nl + nl + data + nl


def end(nl=b"\r\n"):
    return b"--" + B + b"--" + nl


def req(mode, query, ctype, body):
    return bytes([mode]) + query + b"\n" + ctype + b"\n" + body


def push_proto(labels, profiles):
    s = b""
    for k, v in labels:
        s += field(1, field(1, k) + field(2, v))
    for p in profiles:
        s += field(2, field(1, p) + field(2, b"734FD599-6865-419E-9475-932762D8F469"))
    return field(1, s)


def push_json(labels, profiles):
    return json.dumps({"series": [{
        "labels": [{"name": k.decode(), "value": v.decode()} for k, v in labels],
        "samples": [{"rawProfile": base64.b64encode(p).decode(), "ID": "x"} for p in profiles],
    }]}, separators=(",", ":")).encode()


GO_QUERY = (b"name=app.cpu%7Benv%3Dprod%2C__session_id__%3D0123456789abcdef%7D"
            b"&from=1700000000000000000&until=1700000010000000000&spyName=gospy"
            b"&sampleRate=100&units=samples&aggregationType=sum")
MP = b"multipart/form-data; boundary=" + B
CONFIG = b'{"contentions":{"display-name":"mutex_count","units":"lock_samples"}}'
LABELS = [(b"__name__", b"process_cpu"), (b"service_name", b"svc"),
          (b"otel.scope.name", b"com.grafana.pyroscope/rust"), (b"__delta__", b"false")]
SPEEDSCOPE = json.dumps({
    "$schema": "https://www.speedscope.app/file-format-schema.json",
    "shared": {"frames": [{"name": "a"}, {"name": "b"}]},
    "profiles": [{"type": "evented", "name": "p", "unit": "milliseconds", "startValue": 0,
                  "endValue": 10, "events": [{"type": "O", "frame": 0, "at": 0},
                                             {"type": "O", "frame": 1, "at": 2},
                                             {"type": "C", "frame": 1, "at": 5},
                                             {"type": "C", "frame": 0, "at": 10}]}],
}).encode()


SPEEDSCOPE_SAMPLED = json.dumps({
    "$schema": "https://www.speedscope.app/file-format-schema.json",
    "shared": {"frames": [{"name": "main", "file": "main.go", "line": 3}, {"name": "work"}]},
    "profiles": [{"type": "sampled", "name": "p", "unit": "nanoseconds", "startValue": 0,
                  "endValue": 30, "samples": [[0, 1], [0], [0, 1, 1]],
                  "weights": [10, 5, 15]}],
}).encode()


def speedscope_nested(n):
    """n frames opened one inside the other, then closed: 2n - 1 samples, ~n^2 entries."""
    events = ([{"type": "O", "frame": i % 2, "at": i} for i in range(n)] +
              [{"type": "C", "frame": (2 * n - 1 - i) % 2, "at": i} for i in range(n, 2 * n)])
    return json.dumps({
        "$schema": "https://www.speedscope.app/file-format-schema.json",
        "shared": {"frames": [{"name": "f"}, {"name": "g"}]},
        "profiles": [{"type": "evented", "name": "p", "unit": "none", "startValue": 0,
                      "endValue": 2 * n, "events": events}],
    }, separators=(",", ":")).encode()


def zst(data):
    return subprocess.run(["zstd", "-q", "-c", "-19", "--no-check"], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


def part_2231(data):
    """A profile part named with RFC 2231's name*= (and a plain name that it overrides)."""
    return (b"--" + B + b"\r\nContent-Disposition: form-data; name=\"x\"; "
            b"name*=UTF-8''profile; filename*=utf-8'en'p%72ofile.pprof\r\n"
            b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n")


def seeds():
    cpu = pprof()
    yield "go-multipart", req(0, GO_QUERY, MP, part(b"profile", b"profile.pprof", gz(cpu)) + end())
    yield "go-multipart-config", req(0, GO_QUERY, MP,
                                     part(b"profile", b"profile.pprof", gz(cpu)) +
                                     part(b"sample_type_config", b"sample_type_config.json",
                                          CONFIG) + end())
    yield "multipart-lf", req(0, b"name=app", MP, part(b"profile", b"p", cpu, b"\n") + end(b"\n"))
    yield "multipart-prev", req(0, b"name=app", MP, part(b"profile", b"p", cpu) +
                                part(b"prev_profile", b"p", cpu) + end())
    yield "multipart-novalue", req(0, b"name=app", MP, part(b"profile", None, cpu) + end())
    yield "multipart-cut", req(0, b"name=app", MP, (part(b"profile", b"p", gz(cpu)) + end())[:150])
    yield "multipart-noboundary", req(0, b"name=app", b"multipart/form-data", cpu)
    yield "node-pprof", req(0, b"format=pprof&from=1795239140&name=nodecap-app%7Bregion%3Deu%7D"
                               b"&spyName=nodespy&until=1795239150&sampleRate=100",
                            b"application/octet-stream", gz(cpu))
    yield "pprof-zero", req(0, b"format=pprof&name=app", b"", pprof(zero=True))
    yield "dotnet", req(0, b"format=pprof&name=app&spyName=dotnetspy", b"",
                        pprof(fid0=True, strings=[b"", b"alloc-samples", b"count", b"cpu",
                                                  b"nanoseconds", b"f", b"g", b"x.cs", b"",
                                                  b"k", b"v"]))
    yield "pyspy", req(0, b"format=pprof&name=app&spyName=pyspy", b"", pprof())
    yield "folded", req(0, b"name=app.cpu%7Bk%3Dv%7D&sampleRate=100", b"text/plain",
                        b"main;work;slow 100\r\nmain;work;fast 200\nno-count\n;a;;b 1\n")
    yield "folded-gzip", req(2, b"name=app.alloc_space", b"", gz(b"a;b 1024\na;c 2048\n"))
    yield "folded-badcount", req(0, b"name=app", b"", b"a;b 1x\n")
    yield "folded-suffix", req(0, b"name=my.app", b"", b"a;b 1\n")
    yield "lines", req(0, b"name=app.itimer%7Bthread_name%3Dt1%7D&format=lines", b"",
                       b"a;b\na;b\na;c\n\n")
    yield "speedscope", req(0, b"name=app.wall&format=speedscope", b"application/json", SPEEDSCOPE)
    yield "jfr", req(0, b"name=app&format=jfr", b"", b"FLR\x00")
    # decoded parameters (mode bit 3): every one /ingest reads, a value with a NUL
    # (libmicrohttpd decodes %00), '%' left as it is
    yield "params", req(8, b"name=app{k=v,j=w}", b"", b"a;b 1\n")
    yield "params-all", req(8, b"name=app.cpu{k=v}&format=folded&from=1700000000&"
                            b"until=1700000010&spyName=gospy&sampleRate=100&units=samples&"
                            b"aggregationType=sum", b"", b"a;b 1\na;c 2\n")
    yield "params-speedscope", req(8, b"name=app.wall&format=speedscope&from=now-1h&until=now",
                                   b"application/json", SPEEDSCOPE)
    yield "params-heap", req(8, b"name=app&units=bytes&aggregationType=average&"
                             b"spyName=rbspy&sampleRate=0", b"", b"a;b 1024\n")
    yield "params-nul", req(8, b"name=app&sampleRate=1\x0000&from=1\x00", b"", b"a;b 1\n")
    yield "params-nul-name", req(8, b"name=app\x00x", b"", b"a;b 1\n")
    yield "params-nul-spy", req(8, b"name=app&spyName=go\x00spy", b"", b"a;b 1\n")
    yield "params-percent", req(8, b"name=app&format=lines&spyName=%67ospy&=x&name=second&&",
                                b"", b"a;b\n")
    yield "get", req(4, b"name=app", b"", b"")
    yield "push-proto", req(17, b"", b"application/proto", push_proto(LABELS, [gz(cpu)]))
    yield "push-proto-gzip", req(19, b"", b"application/proto", gz(push_proto(LABELS, [cpu, cpu])))
    yield "push-json", req(1, b"", b"application/json", push_json(LABELS, [gz(cpu)]))
    yield "push-json-gzip", req(3, b"", b"application/json; charset=utf-8",
                                gz(push_json(LABELS, [cpu])))
    yield "push-json-bad64", req(1, b"", b"application/json",
                                 b'{"series":[{"samples":[{"rawProfile":"Q!=="}]}]}')
    yield "push-noname", req(1, b"", b"application/proto",
                             push_proto([(b"service_name", b"svc")], [cpu]))
    yield "push-grpc", req(1, b"", b"application/grpc", b"\x00\x00\x00\x00\x00")
    yield "push-empty", req(1, b"", b"application/proto", b"")
    # paths the seeds above missed (measured with libFuzzer's -print_coverage)
    yield "speedscope-sampled", req(0, b"name=app.cpu&format=speedscope", b"application/json",
                                    SPEEDSCOPE_SAMPLED)
    yield "pprof-zstd", req(0, b"format=pprof&name=app", b"application/octet-stream", zst(cpu))
    yield "multipart-2231", req(0, b"name=app", MP, part_2231(gz(cpu)) + end())
    yield "pprof-cut", req(0, b"format=pprof&name=app", b"", cpu[:-7])
    yield "push-proto-cut", req(17, b"", b"application/proto", push_proto(LABELS, [cpu[:-5]]))
    # 9,000 nested frames: refused at the 16,001st sample, before any sample is made
    yield "speedscope-evented-deep", req(2, b"name=app.cpu&format=speedscope",
                                         b"application/json", gz(speedscope_nested(9000)))


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if not name.startswith("regress-"):
            os.remove(os.path.join(OUT, name))
    for name, data in seeds():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
