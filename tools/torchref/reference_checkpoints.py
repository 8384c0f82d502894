"""Write the fixtures of the reference-checkpoint reader (issue 13) with torch.save.

    /usr/bin/python3 tools/torchref/reference_checkpoints.py

checkpoints/testdata/torch_small.pt: a state dict in torch.save's zip format with every case
the Go reader handles: a real module's state dict (its _metadata attribute is pickled too),
the "_orig_mod.model." prefix, BF16, F16, F32 and I32 storages, two tensors sharing one storage
(one transposed, one at an offset), and a Parameter (_rebuild_parameter).
checkpoints/testdata/torch_small.json: the values the reader must return, by stripped name.
"""

import collections
import json
import os
import sys

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def small_state_dict():
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2)  # weight (2, 3), bias (2): a real state_dict with _metadata
    sd = lin.state_dict(prefix="_orig_mod.model.inner.lin.")
    sd["_orig_mod.model.inner.H_init"] = torch.tensor([1.0, -3.0, 0.5, float("-inf")], dtype=torch.bfloat16)
    w = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    sd["_orig_mod.model.inner.w"] = w
    sd["_orig_mod.model.inner.wt"] = w.t()  # the same storage, strided
    sd["_orig_mod.model.inner.row"] = w[1]  # the same storage, at an offset
    sd["_orig_mod.model.inner.h"] = torch.tensor([1.0, -2.0, 65504.0, 2.0 ** -24], dtype=torch.float16)
    sd["_orig_mod.model.inner.ids"] = torch.tensor([7, -1], dtype=torch.int32)
    sd["_orig_mod.model.inner.p"] = torch.nn.Parameter(torch.tensor([0.25]))
    return sd


def expected(sd):
    out = {}
    for name, t in sd.items():
        t = t.detach()
        vals = t.float() if t.is_floating_point() else t
        out[name.removeprefix("_orig_mod.model.")] = {
            "shape": list(t.shape), "dtype": str(t.dtype).removeprefix("torch."),
            "values": [v if v == v and abs(v) != float("inf") else str(v) for v in vals.flatten().tolist()]}
    return out


def main():
    out = os.path.join(ROOT, "checkpoints", "testdata")
    os.makedirs(out, exist_ok=True)
    sd = small_state_dict()
    torch.save(sd, os.path.join(out, "torch_small.pt"))
    with open(os.path.join(out, "torch_small.json"), "w") as f:
        json.dump(expected(sd), f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", out, file=sys.stderr)


if __name__ == "__main__":
    main()
