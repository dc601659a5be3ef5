"""Random Keccak-256 and ABI cases computed with eth-hash and eth-abi, for ButlerKit's tests.

Prints one JSON document: {"keccak": [{"input": hex, "digest": hex}],
"abi": [{"types": [...], "values": [...], "encoded": hex}]}. Values are written so the
test can rebuild them without eth-abi: integers as decimal strings, bytes and addresses as hex.
"""
import json, random, sys

from eth_abi import encode
from eth_hash.auto import keccak

rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)


def random_type(depth=0):
    roll = rng.random()
    if depth < 2 and roll < 0.15:
        return ("tuple", [random_type(depth + 1) for _ in range(rng.randint(1, 4))])
    if depth < 2 and roll < 0.25:
        return ("array", random_type(depth + 1), None)
    if depth < 2 and roll < 0.32:
        return ("array", random_type(depth + 1), rng.randint(1, 3))
    kind = rng.choice(["uint", "int", "address", "bool", "bytesN", "bytes", "string"])
    if kind in ("uint", "int"):
        return (kind, 8 * rng.randint(1, 32))
    if kind == "bytesN":
        return (kind, rng.randint(1, 32))
    return (kind,)


def name(t):
    if t[0] == "tuple":
        return "(" + ",".join(name(e) for e in t[1]) + ")"
    if t[0] == "array":
        return name(t[1]) + ("[]" if t[2] is None else "[%d]" % t[2])
    if t[0] in ("uint", "int"):
        return "%s%d" % t
    if t[0] == "bytesN":
        return "bytes%d" % t[1]
    return t[0]


def random_value(t):
    """Returns (value for eth-abi, value as JSON)."""
    kind = t[0]
    if kind == "uint":
        bits = rng.choice([t[1], rng.randint(0, t[1])])
        v = rng.getrandbits(bits) if bits else 0
        return v, str(v)
    if kind == "int":
        v = rng.randint(-(2 ** (t[1] - 1)), 2 ** (t[1] - 1) - 1)
        return v, str(v)
    if kind == "address":
        raw = bytes(rng.getrandbits(8) for _ in range(20))
        return "0x" + raw.hex(), "0x" + raw.hex()
    if kind == "bool":
        v = rng.random() < 0.5
        return v, v
    if kind == "bytesN":
        raw = bytes(rng.getrandbits(8) for _ in range(t[1]))
        return raw, "0x" + raw.hex()
    if kind == "bytes":
        raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 80)))
        return raw, "0x" + raw.hex()
    if kind == "string":
        text = "".join(rng.choice("abcxyz 019_€ü😀") for _ in range(rng.randint(0, 40)))
        return text, text
    if kind == "tuple":
        pairs = [random_value(e) for e in t[1]]
        return tuple(p[0] for p in pairs), [p[1] for p in pairs]
    count = t[2] if t[2] is not None else rng.randint(0, 4)
    pairs = [random_value(t[1]) for _ in range(count)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


cases = []
for _ in range(300):
    types = [random_type() for _ in range(rng.randint(1, 4))]
    pairs = [random_value(t) for t in types]
    encoded = encode([name(t) for t in types], [p[0] for p in pairs])
    cases.append({"types": [name(t) for t in types], "values": [p[1] for p in pairs], "encoded": "0x" + encoded.hex()})

hashes = []
for length in list(range(0, 300, 7)) + [135, 136, 137, 271, 272, 273, 1000]:
    data = bytes(rng.getrandbits(8) for _ in range(length))
    hashes.append({"input": "0x" + data.hex(), "digest": "0x" + keccak(data).hex()})

json.dump({"keccak": hashes, "abi": cases}, sys.stdout)
