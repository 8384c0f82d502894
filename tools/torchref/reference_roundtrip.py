"""Round trip through the reference's own code (issue 13's done-when).

    /usr/bin/python3 tools/torchref/reference_roundtrip.py --ref /path/to/HRM --data DIR --out OUT

DIR is a dataset folder written by `hrmlab data export -reference-config` (its reference_train.sh
holds the Hydra overrides); --ref is a checkout of sapientinc/HRM or TinyRecursiveModels, the one
reference_train.sh names. Nothing of the reference is copied here: its config files, its dataset
loader (puzzle_dataset.py), its model and loss-head classes (models/, found by arch.name as
utils/functions.py's load_model_class finds them), its sparse-embedding optimizer and, for TRM,
its EMA helper are imported from the checkout at run time. What pretrain.py itself does around
them is redone here in a few lines (its config composition, create_model, train_batch,
save_train_state and the evaluate loop), because pretrain.py cannot run on this machine: it needs
Hydra, wandb and coolname (not packaged by Debian), pydantic 2 (Debian has 1.10), CUDA, and
torch.compile (torch >= 2). Each step names the pretrain.py function it follows.

The script
  1. composes the config as Hydra would from the checkout's config/cfg_pretrain.yaml, the arch
     group file and the overrides of DIR/reference_train.sh (struct mode: an override of a key the
     config lacks fails as it does under Hydra), and fills PretrainConfig's defaults, read from
     pretrain.py's source;
  2. builds the arch class wrapped in its loss head (ACTLossHead) and under a stand-in for
     torch.compile's module, so the state-dict names are "_orig_mod.model.inner...." as
     pretrain.py's are;
  3. trains it for the config's epochs with the reference's PuzzleDataset on DIR/train, its
     sparse sign-SGD for the puzzle table and AdamATan2 (a stand-in, below), in the reference's
     forward dtype (bfloat16), keeping TRM's EMA when the config asks for it;
  4. writes OUT/step_N (torch.save of the state dict, the EMA copy's for an EMA run, as
     pretrain.py saves) and OUT/all_config.yaml (yaml.dump of the config, as pretrain.py dumps it);
  5. loads OUT/step_N back into fresh models and runs the reference's evaluation forward pass
     (eval mode, its carry and ACT loop, halt_max_steps segments) on the first --examples test
     puzzles, twice: as trained (forward_dtype bfloat16) and with forward_dtype float32, the
     arithmetic hrmlab does; OUT/expected.json has every segment's predicted tokens and q logits
     for both, and the smallest gap between the two largest logits of a predicted token.

Shims, for what the reference needs that torch 1.13 on a CPU lacks (none changes the model's
arithmetic beyond what the replaced kernel does; the checkout is not modified):
  - flash_attn (HRM) and torch.nn.functional.scaled_dot_product_attention (TRM): plain
    non-causal softmax attention, computed in float32 and cast back to the input dtype as
    FlashAttention accumulates;
  - einops.rearrange (TRM): the axis permutations its attention uses;
  - nn.Buffer (torch >= 2.5): assigning one registers a buffer with its persistent flag;
  - torch.no_grad used bare as a decorator (torch >= 2.1), torch.optim.optimizer.ParamsT;
  - indexing with int32 tensors (torch >= 2; the puzzle identifiers are int32): as int64;
  - argdantic (TRM's puzzle_dataset.py and the dataset builders import it; not used here);
  - adam_atan2.AdamATan2 (a CUDA extension): AdamATan2 as this folder's hrm_ref.py implements it.
"""

import argparse
import ast
import json
import math
import os
import shlex
import sys
import types
import typing

import torch
import torch.nn.functional as F
import yaml
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hrm_ref  # noqa: E402  (this folder's AdamATan2)


# ---------------------------------------------------------------- shims

def plain_attention(q, k, v):
    """Non-causal softmax attention over [..., S, D] tensors, in float32, cast back."""
    qf, kf, vf = q.float(), k.float(), v.float()
    w = torch.softmax(qf @ kf.transpose(-1, -2) / math.sqrt(q.shape[-1]), dim=-1)
    return (w @ vf).to(q.dtype)


def flash_attn_func(q, k, v, causal=False):
    """flash_attn's signature: q, k, v as [batch, seq, heads, head_dim]."""
    assert not causal
    return plain_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)).transpose(1, 2).contiguous()


def scaled_dot_product_attention(query, key, value, is_causal=False):
    """torch's signature: [batch, heads, seq, head_dim]; the result laid out in memory as
    [batch, seq, heads, head_dim], as torch's kernels lay it out for TRM's permuted query (its
    caller permutes it back and views it)."""
    assert not is_causal
    return plain_attention(query, key, value).transpose(1, 2).contiguous().transpose(1, 2)


def rearrange(t, pattern):
    """einops.rearrange for permutations of named axes ("B S H D -> B H S D")."""
    src, dst = (side.split() for side in pattern.split("->"))
    return t.permute(*[src.index(a) for a in dst])


class ArgParser:
    """argdantic's parser, never run: its command decorator leaves the function as it is."""

    def command(self, *args, **kwargs):
        return lambda func: func


class Buffer:
    """nn.Buffer: a tensor that registers as a buffer when assigned to a module."""

    def __init__(self, data, persistent=True):
        self.data, self.persistent = data, persistent


def _module_setattr(self, name, value, _orig=nn.Module.__setattr__):
    if isinstance(value, Buffer):
        self.register_buffer(name, value.data, persistent=value.persistent)
    else:
        _orig(self, name, value)


class no_grad(torch.no_grad):
    """torch.no_grad that also decorates when used bare (@torch.no_grad)."""

    def __new__(cls, func=None):
        ctx = super().__new__(cls)
        if func is None:
            return ctx
        ctx.__init__()
        return ctx(func)

    def __init__(self, func=None):
        super().__init__()


class AdamATan2(torch.optim.Optimizer):
    """adam_atan2.AdamATan2's interface over hrm_ref.AdamATan2's update (no eps, atan2)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), weight_decay=1e-2):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))
        self.params = {str(i): p for i, p in enumerate(p for g in self.param_groups for p in g["params"])}
        self.inner = hrm_ref.AdamATan2(self.params, self.params.keys())

    @torch.no_grad()
    def step(self, closure=None):
        g = self.param_groups[0]
        grads = {n: p.grad if p.grad is not None else torch.zeros_like(p) for n, p in self.params.items()}
        self.inner.step(self.params, grads, g["lr"], g["weight_decay"], g["betas"][0], g["betas"][1])


def _long_index(i):
    if isinstance(i, torch.Tensor) and i.dtype == torch.int32:
        return i.long()
    return tuple(_long_index(x) for x in i) if isinstance(i, tuple) else i


def install_shims():
    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m

    module("flash_attn", flash_attn_func=flash_attn_func)
    module("einops", rearrange=rearrange)
    module("argdantic", ArgParser=ArgParser)
    module("adam_atan2", AdamATan2=AdamATan2)
    if not hasattr(F, "scaled_dot_product_attention"):
        F.scaled_dot_product_attention = scaled_dot_product_attention
    if not hasattr(nn, "Buffer"):
        nn.Buffer = Buffer
        nn.Module.__setattr__ = _module_setattr
    try:
        torch.no_grad(lambda: None)
    except TypeError:
        torch.no_grad = no_grad
    try:
        torch.zeros(1)[torch.zeros(1, dtype=torch.int32)]
    except IndexError:
        get, put = torch.Tensor.__getitem__, torch.Tensor.__setitem__
        torch.Tensor.__getitem__ = lambda t, i: get(t, _long_index(i))
        torch.Tensor.__setitem__ = lambda t, i, v: put(t, _long_index(i), v)
    import torch.optim.optimizer as optimizer
    if not hasattr(optimizer, "ParamsT"):
        optimizer.ParamsT = typing.Any


# ---------------------------------------------------------------- config (Hydra, PretrainConfig)

def hydra_value(text):
    """An override's value as Hydra's grammar reads the ones reference_train.sh writes."""
    if text.startswith("[") and text.endswith("]"):
        return [hydra_value(v.strip()) for v in text[1:-1].split(",") if v.strip()]
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def overrides_of(script):
    """The pretrain.py arguments of reference_train.sh's command line."""
    with open(script) as f:
        words = shlex.split(f.read().replace("\\\n", " "), comments=True)
    return words[words.index("pretrain.py") + 1:]


def compose(ref, overrides):
    """cfg_pretrain.yaml with its arch group and the overrides, as Hydra composes them."""
    from omegaconf import OmegaConf, open_dict
    root = OmegaConf.load(os.path.join(ref, "config", "cfg_pretrain.yaml"))
    defaults = OmegaConf.to_container(root.pop("defaults"))
    arch = next(d["arch"] for d in defaults if isinstance(d, dict) and "arch" in d)
    root.pop("hydra", None)
    rest = []
    for o in overrides:
        key, value = o.split("=", 1)
        if key == "arch":
            arch = value
        else:
            rest.append((key, value))
    root.arch = OmegaConf.load(os.path.join(ref, "config", "arch", arch + ".yaml"))
    OmegaConf.set_struct(root, True)
    for key, value in rest:
        if key.startswith("+"):
            with open_dict(root):
                if not key.startswith("++") and OmegaConf.select(root, key.lstrip("+"), default=KeyError) is not KeyError:
                    raise SystemExit(f"Could not append to config. An item is already at '{key[1:]}' (Hydra's error: use {key[1:]}={value})")
                OmegaConf.update(root, key.lstrip("+"), hydra_value(value), merge=True)
        elif OmegaConf.select(root, key, default=KeyError) is KeyError:
            raise SystemExit(f"Could not override '{key}'. To append to your config use +{key}={value} "
                             "(Hydra's error: the config has no such key)")
        else:
            OmegaConf.update(root, key, hydra_value(value), merge=True)
    return OmegaConf.to_container(root, resolve=True)


def pretrain_defaults(ref):
    """PretrainConfig's fields with defaults, read from pretrain.py's source (not run)."""
    tree = ast.parse(open(os.path.join(ref, "pretrain.py")).read())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "PretrainConfig")
    return {s.target.id: ast.literal_eval(s.value) for s in cls.body
            if isinstance(s, ast.AnnAssign) and s.value is not None}


def pretrain_config(ref, data, out):
    """The config as pretrain.py's load_synced_config leaves it, checkpoint_path set to out."""
    cfg = {**pretrain_defaults(ref), **compose(ref, overrides_of(os.path.join(data, "reference_train.sh")))}
    paths = cfg.get("data_paths") or [cfg.get("data_path")]
    if os.path.abspath(paths[0]) != os.path.abspath(data):
        raise SystemExit(f"reference_train.sh trains on {paths[0]}, not on --data {data}")
    sep = "-" if "data_paths" in cfg else " "  # TinyRecursiveModels' name has a dash
    cfg["project_name"] = cfg["project_name"] or os.path.basename(paths[0]).capitalize() + sep + "ACT-torch"
    cfg["run_name"] = cfg["run_name"] or cfg["arch"]["name"].split("@")[-1] + " roundtrip"
    cfg["checkpoint_path"] = out
    return cfg


# ---------------------------------------------------------------- pretrain.py, redone on a CPU

class CompiledStandIn(nn.Module):
    """What torch.compile returns, for its state-dict names: the module under _orig_mod."""

    def __init__(self, mod):
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args, **kwargs):
        return self._orig_mod(*args, **kwargs)

    def initial_carry(self, batch):
        return self._orig_mod.initial_carry(batch)


def dataset(cfg, data, split, test_set_mode, epochs_per_iter):
    """The reference's PuzzleDataset (create_dataloader, without the DataLoader around it)."""
    from puzzle_dataset import PuzzleDataset, PuzzleDatasetConfig
    # sapientinc/HRM's config has dataset_path, TinyRecursiveModels' a list, dataset_paths
    where = {"dataset_paths": [data]} if "dataset_paths" in PuzzleDatasetConfig.__fields__ else {"dataset_path": data}
    return PuzzleDataset(PuzzleDatasetConfig(seed=cfg["seed"], global_batch_size=cfg["global_batch_size"],
                                             test_set_mode=test_set_mode, epochs_per_iter=epochs_per_iter,
                                             rank=0, num_replicas=1, **where), split=split)


def create_model(cfg, meta, forward_dtype=None):
    """pretrain.py's create_model: the arch class in its loss head, compiled (the stand-in)."""
    from utils.functions import load_model_class
    arch = {k: v for k, v in cfg["arch"].items() if k not in ("name", "loss")}
    if forward_dtype:
        arch["forward_dtype"] = forward_dtype
    model_cfg = dict(**arch, batch_size=cfg["global_batch_size"], vocab_size=meta.vocab_size,
                     seq_len=meta.seq_len, num_puzzle_identifiers=meta.num_puzzle_identifiers, causal=False)
    model = load_model_class(cfg["arch"]["name"])(model_cfg)
    loss = {k: v for k, v in cfg["arch"]["loss"].items() if k != "name"}
    return CompiledStandIn(load_model_class(cfg["arch"]["loss"]["name"])(model, **loss))


def optimizers(cfg, model):
    from models.sparse_embedding import CastedSparseEmbeddingSignSGD_Distributed
    opts = [(AdamATan2(model.parameters(), lr=0, weight_decay=cfg["weight_decay"],
                       betas=(cfg["beta1"], cfg["beta2"])), cfg["lr"])]
    if cfg["arch"].get("puzzle_emb_ndim", 0) > 0:
        opts.insert(0, (CastedSparseEmbeddingSignSGD_Distributed(
            model._orig_mod.model.puzzle_emb.buffers(), lr=0, weight_decay=cfg["puzzle_emb_weight_decay"],
            world_size=1), cfg["puzzle_emb_lr"]))
    return opts


def lr_at(step, base_lr, cfg, total_steps):
    """pretrain.py's cosine_schedule_with_warmup_lr_lambda (num_cycles 0.5)."""
    warmup = round(cfg["lr_warmup_steps"])
    if step < warmup:
        return base_lr * step / max(1, warmup)
    progress = (step - warmup) / max(1, total_steps - warmup)
    return base_lr * (cfg["lr_min_ratio"] + max(0.0, (1 - cfg["lr_min_ratio"]) * 0.5 * (1.0 + math.cos(math.pi * progress))))


def train(cfg, data):
    """pretrain.py's launch and train_batch on one process: returns the model it would save."""
    torch.random.manual_seed(cfg["seed"])
    per_iter = cfg["eval_interval"] or cfg["epochs"]
    assert cfg["epochs"] % per_iter == 0, "Eval interval must be a divisor of total epochs."
    ds = dataset(cfg, data, "train", False, per_iter)
    meta = ds.metadata
    total_steps = int(cfg["epochs"] * meta.total_groups * meta.mean_puzzle_examples / cfg["global_batch_size"])
    model = create_model(cfg, meta)
    opts = optimizers(cfg, model)
    ema = None
    if cfg.get("ema"):
        from models.ema import EMAHelper
        ema = EMAHelper(mu=cfg["ema_rate"])
        ema.register(model)
    step, carry = 0, None
    print(f"training {cfg['arch']['name']}: {total_steps} steps of {cfg['global_batch_size']}", file=sys.stderr)
    for _ in range(cfg["epochs"] // per_iter):
        model.train()
        for _set, batch, batch_size in ds:
            step += 1
            if step > total_steps:
                continue
            if carry is None:
                carry = model.initial_carry(batch)
            carry, loss, metrics, _, _ = model(carry=carry, batch=batch, return_keys=[])
            ((1 / batch_size) * loss).backward()
            for opt, base_lr in opts:
                for g in opt.param_groups:
                    g["lr"] = lr_at(step, base_lr, cfg, total_steps)
                opt.step()
                opt.zero_grad()
            if ema is not None:
                ema.update(model)
            if step % 50 == 0 or step == total_steps:
                count = max(metrics["count"].item(), 1)
                print(f"  step {step}: lm_loss {metrics['lm_loss'].item() / batch_size:.4f} "
                      f"accuracy {metrics['accuracy'].item() / count:.3f} exact {metrics['exact_accuracy'].item() / count:.3f}",
                      file=sys.stderr)
    return (ema.ema_copy(model) if ema is not None else model), step, meta


def segments(cfg, meta, state, data, n, forward_dtype):
    """pretrain.py's evaluate on the first n test puzzles: a fresh model from the saved state
    dict, eval mode, the loss head's forward until every puzzle has halted."""
    model = create_model(cfg, meta, forward_dtype)
    model.load_state_dict(state)
    model.eval()
    _set, batch, _ = next(iter(dataset(cfg, data, "test", True, 1)))
    out, margin = [], math.inf
    with torch.inference_mode():
        carry = model.initial_carry(batch)
        while True:
            carry, _, _, preds, finished = model(carry=carry, batch=batch,
                                                 return_keys=["logits", "q_halt_logits", "q_continue_logits"])
            logits = preds["logits"][:n].float()
            top2 = logits.topk(2, dim=-1).values
            margin = min(margin, (top2[..., 0] - top2[..., 1]).min().item())
            out.append({"tokens": logits.argmax(-1).tolist(),
                        "q_halt_logit": preds["q_halt_logits"][:n].tolist(),
                        "q_continue_logit": preds["q_continue_logits"][:n].tolist()})
            if finished:
                break
    assert len(out) == cfg["arch"]["halt_max_steps"], (len(out), "segments: eval mode runs them all")
    return {"margin": margin, "segments": out}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", required=True, help="checkout of sapientinc/HRM or TinyRecursiveModels")
    ap.add_argument("--data", required=True, help="folder written by hrmlab data export -reference-config")
    ap.add_argument("--out", required=True, help="folder for step_N, all_config.yaml and expected.json")
    ap.add_argument("--examples", type=int, default=4, help="test puzzles whose segments are recorded")
    args = ap.parse_args()
    ref, data, out = os.path.abspath(args.ref), args.data, args.out  # the config keeps the paths as given
    install_shims()
    sys.path.insert(0, ref)
    torch.set_num_threads(min(2, torch.get_num_threads()))

    cfg = pretrain_config(ref, data, out)
    model, step, meta = train(cfg, data)
    os.makedirs(out, exist_ok=True)
    ckpt = os.path.join(out, f"step_{step}")
    torch.save(model.state_dict(), ckpt)  # save_train_state
    with open(os.path.join(out, "all_config.yaml"), "wt") as f:  # save_code_and_config
        yaml.dump(cfg, f)

    state = torch.load(ckpt, map_location="cpu")
    expected = {"checkpoint": os.path.basename(ckpt), "examples": args.examples,
                "forward": {dt: segments(cfg, meta, state, data, args.examples, dt) for dt in ("bfloat16", "float32")}}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)
    print(f"wrote {ckpt}, all_config.yaml and expected.json "
          "(margins: " + ", ".join(f"{dt} {v['margin']:.4g}" for dt, v in expected["forward"].items()) + ")", file=sys.stderr)


if __name__ == "__main__":
    main()
