"""Write the fixtures of the reference-checkpoint reader (issue 13) with torch.save.

    /usr/bin/python3 tools/torchref/reference_checkpoints.py

lab/testdata/reference/<name>/: an HRM and a TRM checkpoint as the reference's pretrain.py writes
them (torch.save of the state dict of the torch.compile'd loss head, so every name starts with
"_orig_mod.model.", H_init and L_init in bfloat16, the puzzle table puzzle_emb_ndim wide), the
all_config.yaml beside it, and expected.json: for the first test puzzles of the dataset folder
data/ beside them (written by `hrmlab data export`, see DATA; the HRM one then rewritten here with
uint8 tokens as the reference's build_sudoku_dataset.py writes them), every evaluation segment's predicted tokens and
q logits, computed by hrm_ref.py (this folder's independent implementation) in float32 from a
fresh carry, as the reference evaluates: all halt_max_steps segments, no halting.

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

import math

import numpy as np
import torch
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hrm_ref as H  # noqa: E402

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


# name: (hrm_ref config, the all_config.yaml arch section, seed, uint8 tokens)
REFERENCE = {
    "hrm_sudoku4": (
        H.Config(arch="hrm", vocab_size=6, seq_len=16, num_puzzle_identifiers=1, puzzle_emb_len=1,
                 hidden_size=16, num_heads=2, expansion=4.0, H_layers=2, L_layers=1, H_cycles=2,
                 L_cycles=3, halt_max_steps=4, pos_encodings="rope", token_mixer="attention",
                 loss_type="stablemax", act_continue=True),
        dict(name="hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1",
             loss=dict(name="losses@ACTLossHead", loss_type="stablemax_cross_entropy"),
             H_cycles=2, L_cycles=3, H_layers=2, L_layers=1, hidden_size=16, num_heads=2, expansion=4,
             puzzle_emb_ndim=16, pos_encodings="rope", halt_max_steps=4, halt_exploration_prob=0.1),
        11, True),
    "trm_maze5": (
        H.Config(arch="trm", vocab_size=6, seq_len=25, num_puzzle_identifiers=1, puzzle_emb_len=4,
                 hidden_size=16, num_heads=2, expansion=4.0, H_layers=0, L_layers=2, H_cycles=2,
                 L_cycles=2, halt_max_steps=3, pos_encodings="none", token_mixer="mlp",
                 loss_type="softmax", act_continue=False),
        dict(name="recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1",
             loss=dict(name="losses@ACTLossHead", loss_type="softmax_cross_entropy"),
             H_cycles=2, L_cycles=2, H_layers=0, L_layers=2, hidden_size=16, num_heads=2, expansion=4,
             puzzle_emb_ndim=16, puzzle_emb_len=4, pos_encodings="none", halt_max_steps=3,
             halt_exploration_prob=0.1, forward_dtype="bfloat16", mlp_t=True, no_ACT_continue=True),
        12, False),
}
# The commands that wrote each fixture's data/ (from the repository root).
DATA = {
    "hrm_sudoku4": "hrmlab data export -set task.kind=sudoku -set task.size=4 -set task.train_count=2 "
                   "-set task.num_aug=1 -set task.test_count=3 -set run.seed=5 -out lab/testdata/reference/hrm_sudoku4/data",
    "trm_maze5": "hrmlab data export -set task.kind=maze -set task.size=5 -set task.train_count=2 "
                 "-set task.num_aug=1 -set task.test_count=3 -set run.seed=6 -out lab/testdata/reference/trm_maze5/data",
}
EXAMPLES = 3  # test puzzles with expected segments
LOGIT_MARGIN = 1e-3  # every argmax the Go side must reproduce is at least this far from a tie


def bf16(t):
    return t.to(torch.bfloat16).float()


def reference_params(cfg, ndim, seed):
    """hrm_ref's initialisation, made non-trivial where the reference's is zero (Q head, puzzle
    table), with H_init/L_init rounded to bfloat16 as the reference keeps them."""
    gen = torch.Generator().manual_seed(seed)
    params = {k: v.detach() for k, v in H.init_params(cfg, gen).items()}
    d = cfg.hidden_size
    params["inner.q_head.weight"] = H.trunc_normal((2, d), 1 / math.sqrt(d), gen)
    params["inner.q_head.bias"] = H.trunc_normal((2,), 0.5, gen)
    table = torch.zeros(cfg.num_puzzle_identifiers, cfg.puzzle_emb_len * d)
    table[:, :ndim] = H.trunc_normal((cfg.num_puzzle_identifiers, ndim), 1.0, gen)
    params["inner.puzzle_emb.weights"] = table
    for n in ("inner.H_init", "inner.L_init"):
        params[n] = bf16(params[n])
    return params


def evaluate(params, cfg, inputs, puzzle_ids):
    """Every segment of the reference's evaluation from a fresh carry: tokens and q logits."""
    rope = H.make_rope(cfg, torch.float32)
    b, s = inputs.shape[0], cfg.seq_total
    z_h = params["inner.H_init"].expand(b, s, -1).clone()
    z_l = params["inner.L_init"].expand(b, s, -1).clone()
    segs, margin = [], float("inf")
    with torch.no_grad():
        for _ in range(cfg.halt_max_steps):
            out = H.segment(params, cfg, z_h, z_l, inputs, puzzle_ids, rope)
            z_h, z_l = out.z_h, out.z_l
            top2 = out.logits.topk(2, dim=-1).values
            margin = min(margin, (top2[..., 0] - top2[..., 1]).min().item())
            segs.append(dict(tokens=out.logits.argmax(-1).tolist(), q_halt_logit=out.q_halt.tolist(),
                             q_continue_logit=out.q_continue.tolist()))
    return segs, margin


def write_reference(name, out_root):
    cfg, arch, seed, as_uint8 = REFERENCE[name]
    out = os.path.join(out_root, name)
    if not os.path.isdir(os.path.join(out, "data")):
        sys.exit(f"{name}: no {out}/data: write it with {DATA[name]}")
    if as_uint8:  # the reference's sudoku builder writes uint8 tokens
        for split in ("train", "test"):
            for arr in ("inputs", "labels"):
                p = os.path.join(out, "data", split, f"all__{arr}.npy")
                np.save(p, np.load(p).astype(np.uint8))
    test = os.path.join(out, "data", "test")
    inputs = torch.from_numpy(np.load(os.path.join(test, "all__inputs.npy")).astype(np.int64))[:EXAMPLES]
    pids = torch.from_numpy(np.load(os.path.join(test, "all__puzzle_identifiers.npy")).astype(np.int64))
    pidx = np.load(os.path.join(test, "all__puzzle_indices.npy"))
    example_pids = torch.tensor([pids[np.searchsorted(pidx, i, side="right") - 1] for i in range(EXAMPLES)])
    params = reference_params(cfg, arch["puzzle_emb_ndim"], seed)
    segs, margin = evaluate(params, cfg, inputs, example_pids)
    if margin < LOGIT_MARGIN:
        sys.exit(f"{name}: an argmax is {margin} from a tie; choose another seed")
    sd = collections.OrderedDict()
    for k, v in params.items():
        if k == "inner.puzzle_emb.weights":
            v = v[:, :arch["puzzle_emb_ndim"]]
        if k in ("inner.H_init", "inner.L_init"):
            v = v.to(torch.bfloat16)
        sd["_orig_mod.model." + k] = v.contiguous()
    torch.save(sd, os.path.join(out, "step_40"))
    config = dict(arch=arch, data_path="data", global_batch_size=8, epochs=100, eval_interval=10,
                  lr=1e-4, lr_min_ratio=1.0, lr_warmup_steps=5, weight_decay=0.1, beta1=0.9, beta2=0.95,
                  puzzle_emb_lr=1e-2, puzzle_emb_weight_decay=0.1, seed=0, project_name="fixture",
                  run_name=name, checkpoint_path="checkpoints/fixture/" + name, checkpoint_every_eval=True,
                  eval_save_outputs=[])
    with open(os.path.join(out, "all_config.yaml"), "w") as f:
        yaml.dump(config, f)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(dict(examples=EXAMPLES, margin=margin, segments=segs), f)
        f.write("\n")


def main():
    for name in REFERENCE:
        write_reference(name, os.path.join(ROOT, "lab", "testdata", "reference"))
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
