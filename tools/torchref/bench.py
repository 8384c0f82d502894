"""Time one full training step of hrm_ref.py in PyTorch on this CPU (the baseline for the Go engine).

One step = one ACT step (segment, plus for HRM the no-grad bootstrap segment of the Q-continue
target), backward of loss / B, sparse sign-SGD on the puzzle table, AdamATan2 on every trainable
tensor (and the EMA update when the EMA rate is set). float32 throughout, training mode, a fresh
random batch every step.

    /usr/bin/python3 tools/torchref/bench.py --threads 2                       # HRM, lab size
    /usr/bin/python3 tools/torchref/bench.py --threads 2 --size reference      # HRM, D 512, 4+4
    /usr/bin/python3 tools/torchref/bench.py --threads 2 --size default        # the lab's default experiment
    /usr/bin/python3 tools/torchref/bench.py --threads 2 --arch trm --mixer mlp
    /usr/bin/python3 tools/torchref/bench.py --threads 2 --all                 # HRM and TRM, lab and reference
    hrmlab bench -json > go.json && /usr/bin/python3 tools/torchref/bench.py --like go.json > torch.json
    hrmlab bench -compare torch.json                                           # the ratio

Prints one JSON object per configuration: the model under hrmlab's `bench -json` names (arch,
hidden, heads, expansion, h_layers, l_layers, h_cycles, l_cycles, puzzle_emb_len, puzzle_ids,
token_mixer, pos_encodings, loss, vocab, grid_cells = the puzzle's cells, seq_len = puzzle_emb_len
+ grid_cells, batch_size, act_continue, halt_max_steps, halt_exploration_prob, ema), then size,
threads, torch, blas_core (the OpenBLAS kernels torch runs), params, steps, step_seconds (mean of
the timed steps), steps_per_second, median_step_seconds (hrmlab bench's step_seconds is a median:
compare the two) and min_step_seconds (the fastest step: the better figure on a
machine shared with other work).
"""

import argparse
import ctypes
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

# The lab's embedded default experiment (lab.toml, the sudoku4-hrm preset): 4x4 Sudoku, 16 cells
# + 1 puzzle position, vocab 6 (PAD, blank, digits 1-4: tasks/sudoku.go), one puzzle id (puzzles
# are generated), HRM D 64 with 4 heads, 2+2 layers, cycles 2/2, EMA 0.995.
DEFAULT = H.Config(arch="hrm", vocab_size=6, seq_len=16, num_puzzle_identifiers=1, puzzle_emb_len=1,
                   hidden_size=64, num_heads=4, expansion=4.0, H_layers=2, L_layers=2, H_cycles=2,
                   L_cycles=2, halt_max_steps=6, halt_exploration_prob=0.1, pos_encodings="rope",
                   token_mixer="attention", loss_type="stablemax", act_continue=True, batch_size=64,
                   lr=3e-3, weight_decay=1.0, puzzle_emb_lr=1e-2, puzzle_emb_weight_decay=0.1,
                   ema_rate=0.995)

# hrmlab's `bench -json` names of the model fields and the hrm_ref.Config field of each: --like
# reads them, and every result writes them, so that `hrmlab bench -compare` can match the two.
LIKE = [("arch", "arch"), ("hidden", "hidden_size"), ("heads", "num_heads"), ("expansion", "expansion"),
        ("h_layers", "H_layers"), ("l_layers", "L_layers"), ("h_cycles", "H_cycles"),
        ("l_cycles", "L_cycles"), ("puzzle_emb_len", "puzzle_emb_len"),
        ("puzzle_ids", "num_puzzle_identifiers"), ("token_mixer", "token_mixer"),
        ("pos_encodings", "pos_encodings"), ("loss", "loss_type"), ("vocab", "vocab_size"),
        ("grid_cells", "seq_len"), ("batch_size", "batch_size"), ("act_continue", "act_continue"),
        ("halt_max_steps", "halt_max_steps"), ("halt_exploration_prob", "halt_exploration_prob"),
        ("ema", "ema_rate")]

# OpenBLAS cores whose kernels use SSE only (openblas_get_corename's names; engine/cores.go).
SSE_CORES = {"Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn",
             "Dunnington", "Nehalem", "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Bobcat"}


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


def like_config(path):
    """The model of an `hrmlab bench -json` output, with bench.py's optimizer settings."""
    try:
        with open(path) as f:
            go = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"bench.py: --like {path}: {e}")
    if not isinstance(go, dict):
        sys.exit(f"bench.py: --like {path}: want the JSON object of `hrmlab bench -json`")
    missing = [k for k, _ in LIKE if k not in go]
    if missing:
        sys.exit(f"bench.py: --like {path}: no {', '.join(missing)}: want the output of a current `hrmlab bench -json`")
    return H.Config(**{field: go[k] for k, field in LIKE})


def model_fields(cfg):
    """The model under hrmlab's names; seq_len is S = P + L as hrmlab reports it."""
    out = {k: getattr(cfg, field) for k, field in LIKE}
    out["seq_len"] = cfg.seq_total
    return out


def openblas_core():
    """The OpenBLAS kernels torch runs, or None. Debian's torch links libopenblas.so.0 (and
    libblas.so.3, the same build), so the already loaded library answers."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode().strip()
    except (OSError, AttributeError):
        return None


def cpu_flags():
    """The first processor's flags in /proc/cpuinfo (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def warn_weak_kernels(core):
    """OpenBLAS too old for the CPU picks SSE kernels (Debian 12's on Sapphire Rapids: Prescott),
    a quarter of the speed hrmlab gets there by choosing its kernels: say so, or the comparison
    measures the library's CPU detection rather than the two implementations."""
    flags = cpu_flags()
    if core not in SSE_CORES or "avx2" not in flags:
        return
    better = "SkylakeX (or Haswell)" if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags else "Haswell"
    print(f"bench.py: torch runs OpenBLAS {core} kernels; set OPENBLAS_CORETYPE={better} "
          "for a fair comparison", file=sys.stderr)


def random_batch(cfg, gen):
    b, n = cfg.batch_size, cfg.seq_len
    return {"inputs": torch.randint(0, cfg.vocab_size, (b, n), generator=gen).int(),
            "labels": torch.randint(0, cfg.vocab_size, (b, n), generator=gen).int(),
            "puzzle_ids": torch.randint(0, cfg.num_puzzle_identifiers, (b,), generator=gen).int()}


def run(cfg, threads, warmup, steps, size, core):
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
    median = sorted(times)[len(times) // 2]
    return dict(model_fields(cfg), size=size, threads=threads, torch=torch.__version__, blas_core=core,
                params=H.num_trainable(cfg), steps=steps, step_seconds=round(sec, 5),
                steps_per_second=round(1.0 / sec, 4), min_step_seconds=round(min(times), 5),
                median_step_seconds=round(median, 5))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", choices=["hrm", "trm"], default="hrm")
    ap.add_argument("--size", choices=list(SIZES) + ["default"], default="lab",
                    help="lab or reference (HRM or TRM), or default: the lab's default experiment (HRM)")
    ap.add_argument("--like", metavar="FILE.json",
                    help="time the model of an `hrmlab bench -json` output instead (overrides the model flags)")
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
    if args.size == "default" and (args.arch, args.mixer) != ("hrm", "attention"):
        ap.error("--size default is the lab's default experiment, an HRM with attention: "
                 "drop --arch/--mixer, or use --like with an `hrmlab bench -json` of the model")
    if args.like:
        runs = [("like", like_config(args.like))]
    elif args.all:
        runs = [(size, bench_config(arch, size, mixer, args.T, args.n, args.puzzle_len))
                for arch, size, mixer in [("hrm", "lab", "attention"), ("hrm", "reference", "attention"),
                                          ("trm", "lab", "attention"), ("trm", "lab", "mlp")]]
    elif args.size == "default":
        runs = [("default", DEFAULT)]
    else:
        runs = [(args.size, bench_config(args.arch, args.size, args.mixer, args.T, args.n, args.puzzle_len))]
    core = openblas_core()
    warn_weak_kernels(core)
    for size, cfg in runs:
        print(json.dumps(run(cfg, args.threads, args.warmup, args.steps, size, core)), flush=True)


if __name__ == "__main__":
    main()
