"""A small safetensors writer and reader (standard library + torch), for the fixture files.

Layout: 8-byte little-endian header length, a JSON header (padded with spaces to a multiple of
8 bytes) mapping each tensor name to {"dtype", "shape", "data_offsets"}, plus "__metadata__"
(string to string), then the raw little-endian data of every tensor in header order.
"""

import json
import struct

import torch

_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32"}
_TORCH = {v: k for k, v in _DTYPES.items()}
_ITEM = {"F32": 4, "F64": 8, "I32": 4}
_FORMAT = {"F32": "f", "F64": "d", "I32": "i"}


def write(path, tensors, metadata):
    """Write `tensors` (name -> float32/float64/int32 tensor) sorted by name."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        if t.dtype not in _DTYPES:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        dtype = _DTYPES[t.dtype]
        values = t.reshape(-1).tolist()
        data = struct.pack("<%d%s" % (len(values), _FORMAT[dtype]), *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for c in chunks:
            f.write(c)


def read(path):
    """Read a file written by `write`: returns (name -> tensor, metadata)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        dtype = info["dtype"]
        start, end = info["data_offsets"]
        count = (end - start) // _ITEM[dtype]
        values = struct.unpack("<%d%s" % (count, _FORMAT[dtype]), blob[base + start:base + end])
        tensors[name] = torch.tensor(values, dtype=_TORCH[dtype]).reshape(info["shape"])
    return tensors, metadata
