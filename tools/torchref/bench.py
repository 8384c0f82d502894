"""Time one full training step of hrm_ref.py in PyTorch on this CPU (the baseline for the Go engine).

One step = one ACT step (segment, plus for HRM the no-grad bootstrap segment of the Q-continue
target), backward of loss / B, sparse sign-SGD on the puzzle table, AdamATan2 on every trainable
tensor (and the EMA update for TRM). float32 throughout, training mode, a fresh random batch every
step.

    /usr/bin/python3 tools/torchref/bench.py --threads 2                       # HRM, lab size
    /usr/bin/python3 tools/torchref/bench.py --threads 2 --size reference      # HRM, D 512, 4+4
    /usr/bin/python3 tools/torchref/bench.py --threads 2 --arch trm --mixer mlp
    /usr/bin/python3 tools/torchref/bench.py --threads 2 --all                 # all of the above

Prints one JSON object per configuration: {arch, size, mixer, threads, batch, params, step_seconds
(mean of the timed steps), steps_per_second, min_step_seconds (the fastest step: the better
figure on a machine shared with other work), ...}.
"""

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hrm_ref as H  # noqa: E402

# HRM sizes of the engine's benchmarks (issue 2): 81 cells + 1 puzzle position, vocab 11.
SIZES = {
    "lab": dict(hidden_size=128, num_heads=4, H_layers=2, L_layers=2, batch_size=64),
    "reference": dict(hidden_size=512, num_heads=8, H_layers=4, L_layers=4, batch_size=16),
}


def bench_config(arch, size, mixer, t_cycles, n_cycles, puzzle_len):
    """HRM: H/L cycles 2/2, P 1, Q-continue on. TRM: H_cycles = T, L_cycles = n, P 16 by default,
    no continue head, EMA 0.999. The "mlp" mixer runs without positional encoding."""
    common = dict(SIZES[size], vocab_size=11, seq_len=81, num_puzzle_identifiers=1, expansion=4.0,
                  halt_max_steps=16, halt_exploration_prob=0.1, token_mixer=mixer,
                  pos_encodings="none" if mixer == "mlp" else "rope", loss_type="stablemax",
                  lr=1e-4, weight_decay=1.0, puzzle_emb_lr=1e-4, puzzle_emb_weight_decay=1.0)
    if arch == "trm":
        return H.Config(arch="trm", puzzle_emb_len=16 if puzzle_len is None else puzzle_len,
                        H_cycles=t_cycles, L_cycles=n_cycles, act_continue=False, ema_rate=0.999,
                        **dict(common, H_layers=0, L_layers=2))
    return H.Config(arch="hrm", puzzle_emb_len=1 if puzzle_len is None else puzzle_len,
                    H_cycles=2, L_cycles=2, act_continue=True, ema_rate=0.0, **common)


def random_batch(cfg, gen):
    b, n = cfg.batch_size, cfg.seq_len
    return {"inputs": torch.randint(0, cfg.vocab_size, (b, n), generator=gen).int(),
            "labels": torch.randint(0, cfg.vocab_size, (b, n), generator=gen).int(),
            "puzzle_ids": torch.randint(0, cfg.num_puzzle_identifiers, (b,), generator=gen).int()}


def run(cfg, threads, warmup, steps, size):
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    trainer = H.Trainer(cfg, H.init_params(cfg, gen), gen)
    batches = [random_batch(cfg, gen) for _ in range(warmup + steps)]
    for b in batches[:warmup]:
        trainer.step(b)
    times = []
    for b in batches[warmup:]:
        start = time.perf_counter()
        trainer.step(b)
        times.append(time.perf_counter() - start)
    sec = sum(times) / steps
    return {"arch": cfg.arch, "size": size, "mixer": cfg.token_mixer, "threads": threads,
            "batch": cfg.batch_size, "hidden": cfg.hidden_size, "H_cycles": cfg.H_cycles,
            "L_cycles": cfg.L_cycles, "puzzle_emb_len": cfg.puzzle_emb_len,
            "params": H.num_trainable(cfg), "torch": torch.__version__, "steps": steps,
            "step_seconds": round(sec, 5), "steps_per_second": round(1.0 / sec, 4),
            "min_step_seconds": round(min(times), 5)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", choices=["hrm", "trm"], default="hrm")
    ap.add_argument("--size", choices=list(SIZES), default="lab", help="lab or reference (HRM)")
    ap.add_argument("--mixer", choices=["attention", "mlp"], default="attention")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5, help="timed steps")
    ap.add_argument("--T", type=int, default=2, help="TRM H_cycles (T)")
    ap.add_argument("--n", type=int, default=3, help="TRM L_cycles (n)")
    ap.add_argument("--puzzle-len", type=int, default=None, help="prefix positions (HRM 1, TRM 16)")
    ap.add_argument("--all", action="store_true",
                    help="HRM lab, HRM reference, TRM lab attention, TRM lab mlp, one JSON line each")
    args = ap.parse_args()
    if args.all:
        runs = [("hrm", "lab", "attention"), ("hrm", "reference", "attention"),
                ("trm", "lab", "attention"), ("trm", "lab", "mlp")]
    else:
        runs = [(args.arch, args.size, args.mixer)]
    for arch, size, mixer in runs:
        cfg = bench_config(arch, size, mixer, args.T, args.n, args.puzzle_len)
        print(json.dumps(run(cfg, args.threads, args.warmup, args.steps, size)), flush=True)


if __name__ == "__main__":
    main()
