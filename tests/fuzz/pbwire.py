"""pbwire.py — the protobuf wire encoding and gzip framing the corpus makers share.

Seeds are encoded by hand (not with a protobuf library) so that each can break exactly
one rule: a lying length, a bad wire type, an id that points nowhere.
"""
import gzip
import os


def gz(data):
    """gzip with mtime 0, so the corpus is the same on every run."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def varint(x):
    out = bytearray()
    while True:
        b = x & 0x7F
        x >>= 7
        if x:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, value):
    """A protobuf field: int → varint, bytes → length-delimited."""
    if isinstance(value, int):
        return varint(num << 3) + varint(value & (2**64 - 1))
    return varint(num << 3 | 2) + varint(len(value)) + value


def packed(values):
    return b"".join(varint(v & (2**64 - 1)) for v in values)


def write_seeds(out, seeds):
    """Writes each seed (name -> bytes) as a file in out, made when missing."""
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seeds), out))
