"""Write the engine's oracle fixtures (engine/testdata/*.safetensors) from hrm_ref.py.

    /usr/bin/python3 tools/torchref/make_fixtures.py           # write every fixture
    /usr/bin/python3 tools/torchref/make_fixtures.py --check   # also run the self-checks

The contents follow tools/torchref/FIXTURES.md. Everything is seeded: a rerun writes the same bytes
(with the same torch build).
"""

import argparse
import dataclasses
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hrm_ref as H  # noqa: E402
import safetensors_io  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "engine", "testdata")

LOGIT_MARGIN = 1e-3  # argmax decisions the Go side must reproduce are at least this far from a tie
Q_MARGIN = 1e-2  # halting decisions likewise

_COMMON = dict(vocab_size=7, seq_len=12, num_puzzle_identifiers=3, hidden_size=16, num_heads=4,
               expansion=4.0, H_cycles=2, L_cycles=2, halt_max_steps=4, halt_exploration_prob=0.0,
               batch_size=3, lr=1e-3, weight_decay=0.1, beta1=0.9, beta2=0.95, puzzle_emb_lr=1e-2,
               puzzle_emb_weight_decay=0.1)

FIXTURES = {
    "hrm_small": H.Config(arch="hrm", puzzle_emb_len=1, H_layers=2, L_layers=2, pos_encodings="rope",
                          token_mixer="attention", loss_type="stablemax", act_continue=True,
                          ema_rate=0.0, **_COMMON),
    "hrm_learned_softmax": H.Config(arch="hrm", puzzle_emb_len=1, H_layers=2, L_layers=2,
                                    pos_encodings="learned", token_mixer="attention",
                                    loss_type="softmax", act_continue=True, ema_rate=0.0,
                                    **dict(_COMMON, H_cycles=3, L_cycles=2)),
    "hrm_mlp": H.Config(arch="hrm", puzzle_emb_len=1, H_layers=1, L_layers=1, pos_encodings="none",
                        token_mixer="mlp", loss_type="stablemax", act_continue=True, ema_rate=0.0,
                        **dict(_COMMON, H_cycles=2, L_cycles=3)),
    "trm_small": H.Config(arch="trm", puzzle_emb_len=4, H_layers=0, L_layers=2, pos_encodings="rope",
                          token_mixer="attention", loss_type="stablemax", act_continue=False,
                          ema_rate=0.999, **dict(_COMMON, H_cycles=2, L_cycles=3)),
    "trm_mlp": H.Config(arch="trm", puzzle_emb_len=4, H_layers=0, L_layers=2, pos_encodings="none",
                        token_mixer="mlp", loss_type="stablemax", act_continue=False,
                        ema_rate=0.999, **dict(_COMMON, H_cycles=2, L_cycles=3)),
}
SEEDS = {"hrm_small": 100, "hrm_learned_softmax": 200, "hrm_mlp": 300, "trm_small": 400, "trm_mlp": 500}


def random_setup(cfg, gen):
    """Non-trivial weights (Q head and puzzle table random), a batch, a carry and a Q target."""
    params = H.init_params(cfg, gen)
    d, b = cfg.hidden_size, cfg.batch_size
    with torch.no_grad():
        params["inner.q_head.weight"].copy_(H.trunc_normal((2, d), 1 / math.sqrt(d), gen))
        params["inner.q_head.bias"].copy_(H.trunc_normal((2,), 0.5, gen))
        if cfg.puzzle_emb_len > 0:
            t = params["inner.puzzle_emb.weights"]
            t.copy_(H.trunc_normal(tuple(t.shape), 1 / math.sqrt(d), gen))
    labels = torch.randint(0, cfg.vocab_size, (b, cfg.seq_len), generator=gen)
    ignored = torch.rand(b, cfg.seq_len, generator=gen) < 0.25
    ignored[:, :2] = False  # every row keeps valid labels
    batch = {
        "inputs": torch.randint(0, cfg.vocab_size, (b, cfg.seq_len), generator=gen).int(),
        "labels": torch.where(ignored, torch.full_like(labels, H.IGNORE_LABEL), labels).int(),
        # the last id twice (gradient rows summed), id 0 once; ids in between untouched
        "puzzle_ids": torch.tensor([cfg.num_puzzle_identifiers - 1, 0] * b, dtype=torch.int32)[:b],
    }
    s = cfg.seq_total
    carry = (torch.randn(b, s, d, generator=gen), torch.randn(b, s, d, generator=gen))
    target = torch.rand(b, generator=gen)
    labels2 = torch.randint(0, cfg.vocab_size, (b, cfg.seq_len), generator=gen)
    ignored2 = torch.rand(b, cfg.seq_len, generator=gen) < 0.25
    ignored2[:, :2] = False
    batch["next"] = {  # the batch of a second training step (slots that halted take its rows)
        "inputs": torch.randint(0, cfg.vocab_size, (b, cfg.seq_len), generator=gen).int(),
        "labels": torch.where(ignored2, torch.full_like(labels2, H.IGNORE_LABEL), labels2).int(),
        "puzzle_ids": torch.tensor([1 % cfg.num_puzzle_identifiers] * (b - 1) + [0], dtype=torch.int32),
    }
    return params, batch, carry, target


def run_segment(params, cfg, batch, carry, rope):
    return H.segment(params, cfg, carry[0], carry[1], batch["inputs"], batch["puzzle_ids"], rope)


def run_act(params, cfg, batch, rope):
    carry = H.initial_carry(cfg, strip(batch), torch.float32)
    return H.act_step(params, cfg, carry, strip(batch), rope)


def strip(batch):
    return {k: batch[k] for k in ("inputs", "labels", "puzzle_ids")}


def run_two_steps(params, cfg, batch):
    """Two full training steps (Trainer) on a copy of the weights: `batch`, then `batch["next"]`.

    Returns the second step's (losses, output, extras) and the carry after it.
    """
    copy = {n: p.detach().clone().requires_grad_(p.requires_grad) for n, p in params.items()}
    trainer = H.Trainer(cfg, copy, None)
    trainer.step(strip(batch))
    second = trainer.step(batch["next"])
    return second, trainer.carry


def robust_correctness(logits, labels):
    """True when every row's exact-correct flag is at least LOGIT_MARGIN away from flipping."""
    for r in range(labels.shape[0]):
        valid = labels[r] != H.IGNORE_LABEL
        lg, lb = logits[r][valid], labels[r][valid].long()
        top = lg.max(-1).values
        gap = top - lg.gather(-1, lb[:, None]).squeeze(-1)  # 0 where the label is the argmax
        second = lg.topk(2, dim=-1).values
        right_margin = second[:, 0] - second[:, 1]
        if bool((gap == 0).all()):
            if float(right_margin.min()) < LOGIT_MARGIN:
                return False
        elif float(gap.max()) < LOGIT_MARGIN:
            return False
    return True


def q_margin(cfg, out):
    """Distance of the halting decisions from a tie (HRM: q_halt vs q_continue; TRM: q_halt vs 0)."""
    diff = out.q_halt - out.q_continue if cfg.act_continue else out.q_halt
    return float(diff.abs().min())


def choose_setup(cfg, seed):
    """Seeded setup whose discrete decisions (argmax, halting) are far from ties.

    Row 0's labels are set to the segment's own predictions and row 1's to the ACT step's, so that
    both exact-correct targets (0 and 1) of the Q-halt loss occur; the ACT step halts some slots
    and not others.
    """
    for attempt in range(200):
        gen = torch.Generator().manual_seed(seed + attempt)
        params, batch, carry, target = random_setup(cfg, gen)
        rope = H.make_rope(cfg, torch.float32)
        with torch.no_grad():
            seg = run_segment(params, cfg, batch, carry, rope)
            _, act, _, extra = run_act(params, cfg, batch, rope)
        labels = batch["labels"]
        for row, logits in ((0, seg.logits), (1, act.logits)):
            pred = logits[row].argmax(-1).int()
            labels[row] = torch.where(labels[row] == H.IGNORE_LABEL, labels[row], pred)
        (_, act2, _), carry2 = run_two_steps(params, cfg, batch)
        halted = extra["halted"]
        if (robust_correctness(seg.logits, labels) and robust_correctness(act.logits, labels)
                and robust_correctness(act2.logits, carry2.data["labels"])
                and q_margin(cfg, act) > Q_MARGIN and q_margin(cfg, act2) > Q_MARGIN
                and bool(halted.any()) and not bool(halted.all())):
            return params, batch, carry, target, attempt
    raise RuntimeError(f"no seed near {seed} gives decisions away from ties")


def grads_of(params, cfg):
    names = H.trainable_names(cfg) + (["inner.puzzle_emb.weights"] if cfg.puzzle_emb_len > 0 else [])
    return {n: params[n].grad.detach().clone() for n in names}


def zero_grads(params):
    for p in params.values():
        p.grad = None


def fixture_tensors(cfg, params, batch, carry, target):
    """Every tensor of one fixture file (FIXTURES.md), from the chosen setup."""
    b = cfg.batch_size
    rope = H.make_rope(cfg, torch.float32)
    out = {n: p.detach().clone() for n, p in params.items()}
    out.update({"batch.inputs": batch["inputs"], "batch.labels": batch["labels"],
                "batch.puzzle_identifiers": batch["puzzle_ids"],
                "carry.z_H": carry[0], "carry.z_L": carry[1]})
    if cfg.act_continue:
        out["batch.target_continue"] = target

    # one segment from the given carry
    zero_grads(params)
    seg = run_segment(params, cfg, batch, carry, rope)
    losses = H.segment_losses(seg, batch["labels"], cfg, target)
    (losses["loss"] / b).backward()
    out.update({"seg.logits": seg.logits.detach(), "seg.q_halt_logits": seg.q_halt.detach(),
                "seg.z_H": seg.z_h, "seg.z_L": seg.z_l})
    keys = ["loss", "lm_loss", "q_halt_loss"]
    if cfg.act_continue:
        out["seg.q_continue_logits"] = seg.q_continue.detach()
        keys.append("q_continue_loss")
    for k in keys:
        out["seg." + k] = (losses[k] / b).detach().double()
    grads = grads_of(params, cfg)
    out.update({"seg.grad." + n: g for n, g in grads.items()})

    # one optimizer step (t = 1) on a copy of the weights, then the EMA
    new = {n: p.detach().clone() for n, p in params.items()}
    names = H.trainable_names(cfg)
    H.AdamATan2(new, names).step(new, grads, cfg.lr, cfg.weight_decay, cfg.beta1, cfg.beta2)
    if cfg.puzzle_emb_len > 0:
        H.sign_sgd_puzzle(new["inner.puzzle_emb.weights"], grads["inner.puzzle_emb.weights"],
                          batch["puzzle_ids"], cfg.puzzle_emb_lr, cfg.puzzle_emb_weight_decay)
    out.update({"opt." + n: new[n] for n in names + (["inner.puzzle_emb.weights"]
                                                      if cfg.puzzle_emb_len > 0 else [])})
    if cfg.ema_rate > 0:
        ema = {n: params[n].detach().clone() for n in names}
        H.ema_update(ema, new, names, cfg.ema_rate)
        out.update({"ema." + n: ema[n] for n in names})

    # one full ACT step from the initial carry, with the original weights
    zero_grads(params)
    _, act, losses, extra = run_act(params, cfg, batch, rope)
    (losses["loss"] / b).backward()
    out.update({"act.q_halt_logits": act.q_halt.detach(), "act.halted": extra["halted"].int(),
                "act.loss": (losses["loss"] / b).detach().double()})
    if cfg.act_continue:
        out["act.q_continue_logits"] = act.q_continue.detach()
        out["act.target_continue"] = extra["target_continue"]
    out.update({"act.grad." + n: g for n, g in grads_of(params, cfg).items()})
    zero_grads(params)

    # a second training step after the first one's optimizer update (the carry streams on)
    (losses, act2, extra), carry2 = run_two_steps(params, cfg, batch)
    nxt = batch["next"]
    out.update({"batch2.inputs": nxt["inputs"], "batch2.labels": nxt["labels"],
                "batch2.puzzle_identifiers": nxt["puzzle_ids"],
                "act2.q_halt_logits": act2.q_halt.detach(), "act2.halted": extra["halted"].int(),
                "act2.steps": carry2.steps.int(), "act2.loss": (losses["loss"] / b).detach().double()})
    if cfg.act_continue:
        out["act2.q_continue_logits"] = act2.q_continue.detach()
        out["act2.target_continue"] = extra["target_continue"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="run the self-checks (finite differences etc.)")
    ap.add_argument("--out", default=OUT_DIR, help="output folder (default engine/testdata)")
    ap.add_argument("--only", default="", help="comma-separated fixture names (default all)")
    args = ap.parse_args()
    torch.set_num_threads(1)  # deterministic reductions
    os.makedirs(args.out, exist_ok=True)
    names = [n for n in FIXTURES if not args.only or n in args.only.split(",")]
    ok = True
    for name in names:
        cfg = FIXTURES[name]
        params, batch, carry, target, attempt = choose_setup(cfg, SEEDS[name])
        tensors = fixture_tensors(cfg, params, batch, carry, target)
        path = os.path.join(args.out, name + ".safetensors")
        meta = {"config": json.dumps(dataclasses.asdict(cfg), sort_keys=True),
                "generator": "tools/torchref/make_fixtures.py", "seed": str(SEEDS[name] + attempt)}
        safetensors_io.write(path, tensors, meta)
        print(f"{name}: {len(tensors)} tensors, {os.path.getsize(path)} bytes, seed {SEEDS[name] + attempt}, "
              f"halted {tensors['act.halted'].tolist()}")
        if args.check:
            import selfcheck
            ok &= selfcheck.check_fixture(name, cfg, params, batch, carry, target, path, tensors)
    if args.check:
        import selfcheck
        ok &= selfcheck.check_global()
        print("self-check:", "PASS" if ok else "FAIL")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
