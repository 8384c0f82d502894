"""Independent PyTorch reference implementation of HRM and TRM (the oracle for the Go engine).

Written from the lab's specification only: ../../../shared/design/HRM.md sections 1-5 and TRM.md
section 1 (section numbers are cited in the comments). It favours plain, readable tensor code over
speed: every parameter lives in one dict keyed by the reference state-dict names (without the
wrapper prefix), and every function below is a pure function of that dict and its inputs, so the
same code runs in float32 (fixtures, benchmark) and float64 (finite-difference checks).

Run with Debian's interpreter and torch 1.13: /usr/bin/python3 (apt-get install -y python3-torch).
"""

import dataclasses
import math

import torch
import torch.nn.functional as F

IGNORE_LABEL = -100
LEARNED_POS_SCALE = 0.707106781  # HRM.md §1.2 step 3: 1/sqrt(2) as the constant the reference uses


@dataclasses.dataclass
class Config:
    """Every setting of a model and of its training step (the fixture's `config` metadata)."""

    arch: str = "hrm"  # "hrm" | "trm"
    vocab_size: int = 11
    seq_len: int = 81  # L, grid cells
    num_puzzle_identifiers: int = 1
    puzzle_emb_len: int = 1  # P prefix positions
    hidden_size: int = 512  # D
    num_heads: int = 8
    expansion: float = 4.0
    H_layers: int = 4  # TRM ignores it
    L_layers: int = 4  # TRM: layers of its single net
    H_cycles: int = 2  # HRM N / TRM T
    L_cycles: int = 2  # HRM T / TRM n
    halt_max_steps: int = 16
    halt_exploration_prob: float = 0.0
    pos_encodings: str = "rope"  # "rope" | "learned" | "none"
    token_mixer: str = "attention"  # "attention" | "mlp"
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5
    loss_type: str = "stablemax"  # "stablemax" | "softmax"
    act_continue: bool = True
    batch_size: int = 16
    lr: float = 1e-4
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    puzzle_emb_lr: float = 1e-2
    puzzle_emb_weight_decay: float = 0.1
    ema_rate: float = 0.0

    @property
    def seq_total(self):
        """S = P + L, the length of every hidden-state sequence."""
        return self.puzzle_emb_len + self.seq_len

    @property
    def head_dim(self):
        return self.hidden_size // self.num_heads

    def levels(self):
        """(level name, depth) of every stack: HRM has H and L, TRM one net named L."""
        if self.arch == "trm":
            return [("L", self.L_layers)]
        return [("H", self.H_layers), ("L", self.L_layers)]


def swiglu_width(expansion, width):
    """Inner size of a SwiGLU of the given input width: ceil_256(round(expansion*width*2/3)) (§1.1).

    Python's round() (ties to even) as the reference; with expansion 4 no tie can occur.
    """
    inner = round(expansion * width * 2 / 3)
    return -(-inner // 256) * 256


# ------------------------------------------------------------------------------------------------
# Parameters and initialisation (HRM.md §1.9)


def trunc_normal(shape, std, gen, dtype=torch.float32):
    """JAX-style truncated normal whose realised standard deviation is `std` (§1.9).

    c = std / sqrt(1 - 4 phi(2) / erf(sqrt 2)); u ~ U(-erf(sqrt 2), erf(sqrt 2));
    value = sqrt(2) c erfinv(u), clipped to [-2c, 2c].
    """
    if std == 0:
        return torch.zeros(shape, dtype=dtype)
    z = math.erf(math.sqrt(2.0))
    phi2 = math.exp(-2.0) / math.sqrt(2.0 * math.pi)
    c = std / math.sqrt(1.0 - 4.0 * phi2 / z)
    u = torch.rand(shape, generator=gen, dtype=torch.float64) * (2 * z) - z
    v = torch.erfinv(u) * (math.sqrt(2.0) * c)
    return v.clamp(-2 * c, 2 * c).to(dtype)


def param_specs(cfg):
    """(name, shape, init std, kind) of every tensor, kind in trainable | puzzle | buffer.

    Stable order: embeddings, heads, initial states, then each level's layers.
    """
    d, s, v = cfg.hidden_size, cfg.seq_total, cfg.vocab_size
    inner = swiglu_width(cfg.expansion, d)
    specs = [("inner.embed_tokens.embedding_weight", (v, d), 1 / math.sqrt(d), "trainable")]
    if cfg.pos_encodings == "learned":
        specs.append(("inner.embed_pos.embedding_weight", (s, d), 1 / math.sqrt(d), "trainable"))
    if cfg.puzzle_emb_len > 0:
        specs.append(("inner.puzzle_emb.weights",
                      (cfg.num_puzzle_identifiers, cfg.puzzle_emb_len * d), 0.0, "puzzle"))
    specs += [
        ("inner.lm_head.weight", (v, d), 1 / math.sqrt(d), "trainable"),
        ("inner.q_head.weight", (2, d), 0.0, "trainable"),  # §1.8: weight 0, bias -5
        ("inner.q_head.bias", (2,), None, "trainable"),
        ("inner.H_init", (d,), 1.0, "buffer"),
        ("inner.L_init", (d,), 1.0, "buffer"),
    ]
    for level, depth in cfg.levels():
        for i in range(depth):
            p = f"inner.{level}_level.layers.{i}."
            if cfg.token_mixer == "mlp":
                j = swiglu_width(cfg.expansion, s)
                specs += [(p + "mlp_t.gate_up_proj.weight", (2 * j, s), 1 / math.sqrt(s), "trainable"),
                          (p + "mlp_t.down_proj.weight", (s, j), 1 / math.sqrt(j), "trainable")]
            else:
                specs += [(p + "self_attn.qkv_proj.weight", (3 * d, d), 1 / math.sqrt(d), "trainable"),
                          (p + "self_attn.o_proj.weight", (d, d), 1 / math.sqrt(d), "trainable")]
            specs += [(p + "mlp.gate_up_proj.weight", (2 * inner, d), 1 / math.sqrt(d), "trainable"),
                      (p + "mlp.down_proj.weight", (d, inner), 1 / math.sqrt(inner), "trainable")]
    return specs


def init_params(cfg, gen, dtype=torch.float32):
    """Reference initialisation (§1.9). Trainable tensors and the puzzle table require grad."""
    params = {}
    for name, shape, std, kind in param_specs(cfg):
        if std is None:  # the Q-head bias
            t = torch.full(shape, -5.0, dtype=dtype)
        else:
            t = trunc_normal(shape, std, gen, dtype)
        params[name] = t.requires_grad_(kind != "buffer")
    return params


def trainable_names(cfg):
    return [n for n, _, _, k in param_specs(cfg) if k == "trainable"]


def num_trainable(cfg):
    return sum(math.prod(shape) for _, shape, _, k in param_specs(cfg) if k == "trainable")


# ------------------------------------------------------------------------------------------------
# Layers (HRM.md §1.2-1.5, TRM.md §1.4)


def rope_tables(cfg, dtype):
    """cos, sin of shape (S, head_dim), half-split layout (§1.3); computed in float64."""
    dh = cfg.head_dim
    k = torch.arange(dh // 2, dtype=torch.float64)
    freq = cfg.rope_theta ** (-2.0 * k / dh)
    ang = torch.outer(torch.arange(cfg.seq_total, dtype=torch.float64), freq)
    ang = torch.cat([ang, ang], dim=-1)
    return torch.cos(ang).to(dtype), torch.sin(ang).to(dtype)


def rotate_half(x):
    """[v1, v2] -> [-v2, v1] on the last axis."""
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def apply_rope(x, rope):
    """x (B, S, heads, dh); q' = q*cos + rot(q)*sin per position."""
    cos, sin = rope
    return x * cos[None, :, None, :] + rotate_half(x) * sin[None, :, None, :]


def rms_norm(x, eps):
    """RMSNorm without gain over the last axis."""
    return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)


def attention(h, w_qkv, w_o, cfg, rope):
    """Non-causal multi-head attention with a fused qkv projection (§1.4).

    The 3D outputs of W_qkv are 3*heads chunks of head_dim: queries, then keys, then values.
    """
    b, s, d = h.shape
    nh, dh = cfg.num_heads, cfg.head_dim
    qkv = (h @ w_qkv.t()).view(b, s, 3 * nh, dh)
    q, k, v = qkv[:, :, :nh], qkv[:, :, nh:2 * nh], qkv[:, :, 2 * nh:]
    if rope is not None:
        q, k = apply_rope(q, rope), apply_rope(k, rope)
    q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # (B, heads, S, dh)
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
    out = torch.softmax(scores, dim=-1) @ v
    return out.transpose(1, 2).reshape(b, s, d) @ w_o.t()


def swiglu(x, w_gate_up, w_down):
    """SwiGLU on the last axis: gate = first half of W_gu's outputs, up = second half."""
    gate, up = (x @ w_gate_up.t()).chunk(2, dim=-1)
    return (F.silu(gate) * up) @ w_down.t()


def block(params, prefix, h, cfg, rope):
    """Post-norm block: token mixing, residual, RMSNorm; SwiGLU, residual, RMSNorm (§1.4).

    The "mlp" token mixer (TRM.md §1.4) works on the transposed state (B, D, S): a SwiGLU across
    the sequence axis, the residual, and the RMSNorm over the sequence axis (the last axis of the
    transposed state), then transposed back.
    """
    eps = cfg.rms_norm_eps
    if cfg.token_mixer == "mlp":
        t = h.transpose(1, 2)
        t = rms_norm(t + swiglu(t, params[prefix + "mlp_t.gate_up_proj.weight"],
                                params[prefix + "mlp_t.down_proj.weight"]), eps)
        h = t.transpose(1, 2)
    else:
        h = rms_norm(h + attention(h, params[prefix + "self_attn.qkv_proj.weight"],
                                   params[prefix + "self_attn.o_proj.weight"], cfg, rope), eps)
    return rms_norm(h + swiglu(h, params[prefix + "mlp.gate_up_proj.weight"],
                               params[prefix + "mlp.down_proj.weight"]), eps)


def module(params, level, h, injection, cfg, rope):
    """Reasoning module with input injection: Blocks(h + injection) (§1.5)."""
    depth = dict(cfg.levels())[level]
    h = h + injection
    for i in range(depth):
        h = block(params, f"inner.{level}_level.layers.{i}.", h, cfg, rope)
    return h


def input_embeddings(params, cfg, inputs, puzzle_ids):
    """x = sqrt(D) * [puzzle prefix; token embeddings] (+ learned positions) (§1.2).

    The puzzle table row (P*D values) is reshaped into P prefix positions.
    """
    seq = params["inner.embed_tokens.embedding_weight"][inputs.long()]
    b, _, d = seq.shape
    if cfg.puzzle_emb_len > 0:
        prefix = params["inner.puzzle_emb.weights"][puzzle_ids.long()].view(b, cfg.puzzle_emb_len, d)
        seq = torch.cat([prefix, seq], dim=1)
    if cfg.pos_encodings == "learned":
        seq = LEARNED_POS_SCALE * (seq + params["inner.embed_pos.embedding_weight"])
    return math.sqrt(d) * seq


def heads(params, cfg, z_h):
    """LM head on grid positions P..S-1, Q head on position 0 (§1.8). Returns logits, q_halt, q_cont."""
    logits = z_h[:, cfg.puzzle_emb_len:] @ params["inner.lm_head.weight"].t()
    q = z_h[:, 0] @ params["inner.q_head.weight"].t() + params["inner.q_head.bias"]
    return logits, q[:, 0], q[:, 1]


# ------------------------------------------------------------------------------------------------
# One segment (HRM.md §1.7, TRM.md §1.2)


def recursion_prefix(params, cfg, z_h, z_l, x, rope):
    """The module calls that run without gradient, in order. Call under torch.no_grad()."""
    n_cycles, t_cycles = cfg.H_cycles, cfg.L_cycles
    if cfg.arch == "trm":  # T-1 full recursions: n latent updates then one answer update
        for _ in range(n_cycles - 1):
            for _ in range(t_cycles):
                z_l = module(params, "L", z_l, z_h + x, cfg, rope)
            z_h = module(params, "L", z_h, z_l, cfg, rope)
        return z_h, z_l
    for i in range(n_cycles):  # HRM: every call but the last L and the last H
        for j in range(t_cycles):
            if not (i == n_cycles - 1 and j == t_cycles - 1):
                z_l = module(params, "L", z_l, z_h + x, cfg, rope)
        if i != n_cycles - 1:
            z_h = module(params, "H", z_h, z_l, cfg, rope)
    return z_h, z_l


def recursion_graded(params, cfg, z_h, z_l, x, rope):
    """The module calls in the autograd graph: HRM one L and one H call (1-step gradient);
    TRM the whole last recursion (n latent updates and the answer update)."""
    if cfg.arch == "trm":
        for _ in range(cfg.L_cycles):
            z_l = module(params, "L", z_l, z_h + x, cfg, rope)
        return module(params, "L", z_h, z_l, cfg, rope), z_l
    z_l = module(params, "L", z_l, z_h + x, cfg, rope)
    return module(params, "H", z_h, z_l, cfg, rope), z_l


@dataclasses.dataclass
class SegmentOut:
    logits: torch.Tensor  # (B, L, V)
    q_halt: torch.Tensor  # (B)
    q_continue: torch.Tensor  # (B)
    z_h: torch.Tensor  # new carry, detached
    z_l: torch.Tensor
    prefix: tuple  # (z_H, z_L) entering the graded calls (for finite-difference checks)


def segment(params, cfg, z_h, z_l, inputs, puzzle_ids, rope, prefix=None):
    """One segment from a detached carry. `prefix` replaces the no-grad region's result."""
    x = input_embeddings(params, cfg, inputs, puzzle_ids)
    if prefix is None:
        with torch.no_grad():
            prefix = recursion_prefix(params, cfg, z_h, z_l, x, rope)
    z_h, z_l = recursion_graded(params, cfg, prefix[0], prefix[1], x, rope)
    logits, q_halt, q_cont = heads(params, cfg, z_h)
    return SegmentOut(logits, q_halt, q_cont, z_h.detach(), z_l.detach(), prefix)


def make_rope(cfg, dtype):
    return rope_tables(cfg, dtype) if cfg.pos_encodings == "rope" else None


# ------------------------------------------------------------------------------------------------
# Losses (HRM.md §3)


def token_losses(logits, labels, loss_type):
    """Per-position cross-entropy in float64, 0 at ignored positions; also the valid mask."""
    mask = labels != IGNORE_LABEL
    safe = torch.where(mask, labels, torch.zeros_like(labels)).long()
    z = logits.double()
    if loss_type == "stablemax":  # §3.1: s(z) = z+1 (z >= 0), 1/(1-z) (z < 0)
        s = torch.where(z >= 0, z + 1, 1.0 / (1.0 - z.clamp(max=0.0) + 1e-30))
        logp = torch.log(s / s.sum(dim=-1, keepdim=True))
    else:
        logp = torch.log_softmax(z, dim=-1)
    picked = logp.gather(-1, safe.unsqueeze(-1)).squeeze(-1)
    return -torch.where(mask, picked, torch.zeros_like(picked)), mask


def seq_correct(logits, labels):
    """1 where every valid position's argmax equals its label (no gradient)."""
    mask = labels != IGNORE_LABEL
    right = mask & (logits.argmax(dim=-1) == labels)
    return right.sum(-1) == mask.sum(-1)


def segment_losses(out, labels, cfg, target_continue):
    """LM, Q-halt and Q-continue losses summed over the batch (not yet divided by B), float64.

    total = LM + 0.5 (BCE_halt + BCE_continue); the continue term only with act_continue.
    """
    tok, mask = token_losses(out.logits, labels, cfg.loss_type)
    lm = (tok.sum(-1) / mask.sum(-1).clamp(min=1).double()).sum()
    correct = seq_correct(out.logits.detach(), labels)
    q_halt = F.binary_cross_entropy_with_logits(out.q_halt.double(), correct.double(), reduction="sum")
    q_cont = torch.zeros((), dtype=torch.float64)
    if cfg.act_continue:
        q_cont = F.binary_cross_entropy_with_logits(out.q_continue.double(), target_continue.double(),
                                                    reduction="sum")
    return {"loss": lm + 0.5 * (q_halt + q_cont), "lm_loss": lm, "q_halt_loss": q_halt,
            "q_continue_loss": q_cont, "seq_correct": correct}


# ------------------------------------------------------------------------------------------------
# ACT step (HRM.md §2.2, TRM.md §1.3)


@dataclasses.dataclass
class Carry:
    """What persists between training steps for every batch slot (§2.1)."""

    z_h: torch.Tensor
    z_l: torch.Tensor
    steps: torch.Tensor  # int64 (B)
    halted: torch.Tensor  # bool (B)
    data: dict  # inputs, labels, puzzle_ids of the example in each slot


def initial_carry(cfg, batch, dtype):
    b, s, d = batch["inputs"].shape[0], cfg.seq_total, cfg.hidden_size
    return Carry(torch.zeros(b, s, d, dtype=dtype), torch.zeros(b, s, d, dtype=dtype),
                 torch.zeros(b, dtype=torch.long), torch.ones(b, dtype=torch.bool),
                 {k: torch.zeros_like(v) for k, v in batch.items()})


def act_step(params, cfg, carry, batch, rope, gen=None, training=True):
    """One ACT step: reset halted slots, one segment, halting, bootstrap target, losses.

    Returns (new carry, segment output, losses dict, extras dict with target_continue/halted).
    """
    reset = carry.halted
    z_h = torch.where(reset[:, None, None], params["inner.H_init"].detach(), carry.z_h)
    z_l = torch.where(reset[:, None, None], params["inner.L_init"].detach(), carry.z_l)
    steps = torch.where(reset, torch.zeros_like(carry.steps), carry.steps)
    data = {k: torch.where(reset.view((-1,) + (1,) * (v.dim() - 1)), batch[k], v)
            for k, v in carry.data.items()}
    out = segment(params, cfg, z_h, z_l, data["inputs"], data["puzzle_ids"], rope)
    target = None
    with torch.no_grad():
        steps = steps + 1
        is_last = steps >= cfg.halt_max_steps
        halted = is_last
        if training and cfg.halt_max_steps > 1:
            if cfg.act_continue:
                halted = halted | (out.q_halt > out.q_continue)
            else:
                halted = halted | (out.q_halt > 0)
            if cfg.halt_exploration_prob > 0:
                explore = torch.rand(steps.shape, generator=gen) < cfg.halt_exploration_prob
                low = torch.randint(2, cfg.halt_max_steps + 1, steps.shape, generator=gen)
                halted = halted & (steps >= explore.long() * low)
            if cfg.act_continue:  # bootstrap from one more segment, same weights (§2.2)
                nxt = segment(params, cfg, out.z_h, out.z_l, data["inputs"], data["puzzle_ids"], rope)
                target = torch.sigmoid(torch.where(is_last, nxt.q_halt,
                                                   torch.maximum(nxt.q_halt, nxt.q_continue)))
    losses = segment_losses(out, data["labels"], cfg, target)
    new_carry = Carry(out.z_h, out.z_l, steps, halted, data)
    return new_carry, out, losses, {"target_continue": target, "halted": halted}


# ------------------------------------------------------------------------------------------------
# Optimizers (HRM.md §5.1, §5.2) and EMA (TRM.md §1.5)


class AdamATan2:
    """AdamATan2 over the named tensors: decay, then moments, then the atan2 update. No eps."""

    def __init__(self, params, names):
        self.names = list(names)
        self.m = {n: torch.zeros_like(params[n]) for n in self.names}
        self.v = {n: torch.zeros_like(params[n]) for n in self.names}
        self.t = 0

    @torch.no_grad()
    def step(self, params, grads, lr, weight_decay, beta1, beta2):
        self.t += 1
        bc1 = 1.0 - beta1 ** self.t
        bc2_sqrt = math.sqrt(1.0 - beta2 ** self.t)
        for n in self.names:
            p, g, m, v = params[n], grads[n], self.m[n], self.v[n]
            p.mul_(1.0 - lr * weight_decay)
            m.add_((g - m) * (1.0 - beta1))
            v.add_((g * g - v) * (1.0 - beta2))
            p.sub_(torch.atan2(m, v.sqrt() / bc2_sqrt) * (lr / bc1))


@torch.no_grad()
def sign_sgd_puzzle(table, grad, puzzle_ids, lr, weight_decay):
    """Sparse sign-SGD: for every id present in the batch, w <- w (1 - lr wd) - lr sign(sum g).

    `grad` is the full-table gradient (rows already summed per id); untouched rows stay as they are.
    """
    ids = torch.unique(puzzle_ids.long())
    table[ids] = table[ids] * (1.0 - lr * weight_decay) - lr * torch.sign(grad[ids])


@torch.no_grad()
def ema_update(ema, params, names, rate):
    """ema <- rate * ema + (1 - rate) * weights, for the trainable tensors."""
    for n in names:
        ema[n].mul_(rate).add_(params[n] * (1.0 - rate))


class Trainer:
    """A full training step as HRM.md §2.3: ACT step, backward of loss / B, sign-SGD, AdamATan2, EMA."""

    def __init__(self, cfg, params, gen):
        self.cfg, self.params, self.gen = cfg, params, gen
        self.names = trainable_names(cfg)
        self.opt = AdamATan2(params, self.names)
        self.rope = make_rope(cfg, params["inner.lm_head.weight"].dtype)
        self.carry = None
        self.ema = ({n: params[n].detach().clone() for n in self.names} if cfg.ema_rate > 0 else None)

    def step(self, batch):
        """One training step; returns (losses, segment output, extras) of its ACT step."""
        cfg, params = self.cfg, self.params
        if self.carry is None:
            self.carry = initial_carry(cfg, batch, params["inner.lm_head.weight"].dtype)
        self.carry, out, losses, extra = act_step(params, cfg, self.carry, batch, self.rope, self.gen)
        b = batch["inputs"].shape[0]
        (losses["loss"] / b).backward()
        grads = {n: params[n].grad for n in self.names}
        if cfg.puzzle_emb_len > 0:
            t = params["inner.puzzle_emb.weights"]
            sign_sgd_puzzle(t, t.grad, self.carry.data["puzzle_ids"], cfg.puzzle_emb_lr,
                            cfg.puzzle_emb_weight_decay)
        self.opt.step(params, grads, cfg.lr, cfg.weight_decay, cfg.beta1, cfg.beta2)
        if self.ema is not None:
            ema_update(self.ema, params, self.names, cfg.ema_rate)
        for p in params.values():
            p.grad = None
        return losses, out, extra
