"""Self-checks of hrm_ref.py, run by `make_fixtures.py --check`.

- finite differences in float64 of the graded segment's loss against autograd, for a few
  coordinates of every tensor (the no-grad region's result held fixed, as the 1-step / last-recursion
  gradient defines it);
- float32 (the fixture) against float64 of the same segment: the noise floor the Go tolerances sit on;
- the written file read back bit for bit;
- torch.autograd.gradcheck of attention, the "mlp" token-mixer block and the stablemax loss, the
  stablemax gradient against HRM.md §4.2's closed form, AdamATan2's first step against its closed
  form, and the reference parameter count (27,275,266).
"""

import math

import torch

import hrm_ref as H
import safetensors_io

FD_EPS = 1e-6
FD_TOL = 1e-5  # relative, float64 (a wrong gradient is off by O(1))
COORDS_PER_TENSOR = 3


def to64(params):
    return {n: p.detach().double().requires_grad_(p.requires_grad) for n, p in params.items()}


def fd_check(name, cfg, params, batch, carry, target):
    """Central differences of loss/B through the graded calls against autograd (float64)."""
    p64 = to64(params)
    rope = H.make_rope(cfg, torch.float64)
    zh, zl = carry[0].double(), carry[1].double()
    tgt = target.double()
    with torch.no_grad():
        x = H.input_embeddings(p64, cfg, batch["inputs"], batch["puzzle_ids"])
        prefix = H.recursion_prefix(p64, cfg, zh, zl, x, rope)

    def loss():
        out = H.segment(p64, cfg, zh, zl, batch["inputs"], batch["puzzle_ids"], rope, prefix=prefix)
        return H.segment_losses(out, batch["labels"], cfg, tgt)["loss"] / cfg.batch_size

    loss().backward()
    gen = torch.Generator().manual_seed(7)
    worst, checked = 0.0, 0
    for n, p in p64.items():
        if not p.requires_grad:
            continue
        flat, grad = p.data.view(-1), p.grad.view(-1)
        if n == "inner.puzzle_emb.weights":  # only rows in the batch can move the loss
            rows = torch.unique(batch["puzzle_ids"].long())
            width = p.shape[1]
            cand = torch.cat([torch.arange(r * width, (r + 1) * width) for r in rows.tolist()])
        else:
            cand = torch.arange(flat.numel())
        # the largest-gradient coordinate plus random ones
        picks = [int(cand[grad[cand].abs().argmax()])]
        picks += [int(cand[i]) for i in torch.randint(0, cand.numel(), (COORDS_PER_TENSOR - 1,), generator=gen)]
        for i in picks:
            orig = float(flat[i])
            with torch.no_grad():
                flat[i] = orig + FD_EPS
                up = float(loss())
                flat[i] = orig - FD_EPS
                down = float(loss())
                flat[i] = orig
            fd, ad = (up - down) / (2 * FD_EPS), float(grad[i])
            scale = max(abs(fd), abs(ad), float(grad.abs().max()) * 1e-3, 1e-10)
            worst = max(worst, abs(fd - ad) / scale)
            checked += 1
    ok = worst < FD_TOL
    print(f"  {name}: finite differences, {checked} coordinates, worst relative error {worst:.2e} "
          f"({'ok' if ok else 'FAIL'} < {FD_TOL:g})")
    return ok


def precision_check(name, cfg, params, batch, carry, target, tensors):
    """The float32 fixture against the same segment in float64."""
    p64 = to64(params)
    rope = H.make_rope(cfg, torch.float64)
    out = H.segment(p64, cfg, carry[0].double(), carry[1].double(), batch["inputs"],
                    batch["puzzle_ids"], rope)
    (H.segment_losses(out, batch["labels"], cfg, target.double())["loss"] / cfg.batch_size).backward()
    dlogit = float((out.logits.detach() - tensors["seg.logits"].double()).abs().max())
    worst, worst_name = 0.0, ""
    for n, p in p64.items():
        if p.grad is None:
            continue
        g32 = tensors["seg.grad." + n].double()
        rel = float((p.grad - g32).abs().max()) / max(float(p.grad.abs().max()), 1e-30)
        if rel > worst:
            worst, worst_name = rel, n
    ok = dlogit < 5e-5 and worst < 1e-4  # well inside the Go tolerances (1e-4, 1e-3)
    print(f"  {name}: float32 vs float64: logits max abs diff {dlogit:.1e}, gradients worst relative "
          f"diff {worst:.1e} ({worst_name}) ({'ok' if ok else 'FAIL'})")
    return ok


def roundtrip_check(name, path, tensors):
    back, meta = safetensors_io.read(path)
    same = set(back) == set(tensors) and all(
        back[n].dtype == tensors[n].dtype and torch.equal(back[n], tensors[n].detach()) for n in tensors)
    print(f"  {name}: file read back: {'ok' if same else 'FAIL'} ({len(back)} tensors, config in metadata: "
          f"{'config' in meta})")
    return same


def check_fixture(name, cfg, params, batch, carry, target, path, tensors):
    return (fd_check(name, cfg, params, batch, carry, target)
            & precision_check(name, cfg, params, batch, carry, target, tensors)
            & roundtrip_check(name, path, tensors))


def stablemax_closed_form():
    """HRM.md §4.2: dl/dz_k = s'(z_k)/Z - 1[k=y] s'(z_y)/s(z_y)."""
    gen = torch.Generator().manual_seed(3)
    z = (torch.randn(5, 6, generator=gen, dtype=torch.float64) * 2).requires_grad_()
    y = torch.randint(0, 6, (5,), generator=gen)
    loss, _ = H.token_losses(z, y, "stablemax")
    loss.sum().backward()
    zd = z.detach()
    s = torch.where(zd >= 0, zd + 1, 1 / (1 - zd))
    ds = torch.where(zd >= 0, torch.ones_like(zd), s * s)
    want = ds / s.sum(-1, keepdim=True)
    want[torch.arange(5), y] -= ds[torch.arange(5), y] / s[torch.arange(5), y]
    return float((z.grad - want).abs().max())


def adam_first_step():
    """At t = 1 from zero moments: p' = p (1 - lr wd) - lr/(1-b1) atan2((1-b1) g, |g|)."""
    p = {"w": torch.tensor([0.5, -1.0, 2.0, 0.0], dtype=torch.float64)}
    g = {"w": torch.tensor([0.3, -2.0, 0.0, 1e-3], dtype=torch.float64)}
    want = p["w"] * (1 - 1e-3 * 0.1) - 1e-3 / 0.1 * torch.atan2(0.1 * g["w"], g["w"].abs())
    H.AdamATan2(p, ["w"]).step(p, g, 1e-3, 0.1, 0.9, 0.95)
    return float((p["w"] - want).abs().max())


def hrm_schedule(n_cycles, t_cycles):
    """The order of module calls in one HRM segment: (no-grad calls, graded calls)."""
    cfg = H.Config(H_cycles=n_cycles, L_cycles=t_cycles)
    calls = []
    real = H.module
    H.module = lambda params, level, h, inj, cfg, rope: calls.append(level) or h
    try:
        H.recursion_prefix(None, cfg, 0, 0, 0, None)
        split = len(calls)
        H.recursion_graded(None, cfg, 0, 0, 0, None)
    finally:
        H.module = real
    return "".join(calls[:split]), "".join(calls[split:])


def check_global():
    print("global checks:")
    ok = True
    sched = hrm_schedule(2, 2), hrm_schedule(3, 2), hrm_schedule(2, 3)
    want = ("LLHL", "LH"), ("LLHLLHL", "LH"), ("LLLHLL", "LH")
    print(f"  HRM call order (no-grad, graded) for N/T 2/2, 3/2, 2/3: {sched} "
          f"({'ok' if sched == want else 'FAIL'})")
    ok &= sched == want
    n = H.num_trainable(H.Config(vocab_size=11, seq_len=81))
    print(f"  reference HRM trainable parameters: {n:,} ({'ok' if n == 27275266 else 'FAIL'})")
    ok &= n == 27275266
    err = stablemax_closed_form()
    print(f"  stablemax gradient vs closed form: max abs diff {err:.1e}")
    ok &= err < 1e-12
    err = adam_first_step()
    print(f"  AdamATan2 first step vs closed form: max abs diff {err:.1e}")
    ok &= err < 1e-15
    gen = torch.Generator().manual_seed(5)
    cfg = H.Config(vocab_size=5, seq_len=5, hidden_size=8, num_heads=2, H_layers=1, L_layers=1)
    params = to64(H.init_params(cfg, gen))
    rope = H.make_rope(cfg, torch.float64)
    h = torch.randn(2, cfg.seq_total, 8, dtype=torch.float64, generator=gen).requires_grad_()
    wq = params["inner.L_level.layers.0.self_attn.qkv_proj.weight"]
    wo = params["inner.L_level.layers.0.self_attn.o_proj.weight"]
    g1 = torch.autograd.gradcheck(lambda a, b, c: H.attention(a, b, c, cfg, rope), (h, wq, wo))
    mcfg = H.Config(vocab_size=5, seq_len=5, hidden_size=8, num_heads=2, H_layers=1, L_layers=1,
                    token_mixer="mlp", pos_encodings="none")
    mparams = to64(H.init_params(mcfg, gen))
    g2 = torch.autograd.gradcheck(lambda a: H.block(mparams, "inner.L_level.layers.0.", a, mcfg, None), (h,))
    z = torch.randn(3, 4, dtype=torch.float64, generator=gen).requires_grad_()
    y = torch.tensor([0, 3, H.IGNORE_LABEL])
    g3 = torch.autograd.gradcheck(lambda a: H.token_losses(a, y, "stablemax")[0], (z,))
    print(f"  gradcheck attention {g1}, mlp-mixer block {g2}, stablemax {g3}")
    return ok and g1 and g2 and g3 and not math.isnan(err)
