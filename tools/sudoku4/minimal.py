"""Minimal 4x4 Sudoku from a generator that shares no code with tasks/.

Enumerates every valid 4x4 grid (288), then for each picks random hole-digging
orders and removes givens while the puzzle keeps exactly one solution (its own
backtracking counter), until no given can go: a minimal puzzle. Writes
question,answer CSV ('.' for a blank) for `hrmlab eval -data FILE`.

    python3 tools/sudoku4/minimal.py -n 476 -seed 1 > minimal4.csv
"""
import argparse
import itertools
import random
import sys


def grids():
    rows = list(itertools.permutations("1234"))
    for a in rows:
        for b in rows:
            for c in rows:
                for d in rows:
                    g = a + b + c + d
                    if valid_full(g):
                        yield "".join(g)


def units():
    for r in range(4):
        yield [4 * r + c for c in range(4)]
    for c in range(4):
        yield [4 * r + c for r in range(4)]
    for br in (0, 2):
        for bc in (0, 2):
            yield [4 * (br + r) + bc + c for r in range(2) for c in range(2)]


UNITS = list(units())


def valid_full(g):
    return all(len({g[i] for i in u}) == 4 for u in UNITS)


def count(p, limit=2):
    """Solutions of p (a list, '.' blank), stopping at limit."""
    try:
        i = p.index(".")
    except ValueError:
        return 1
    n = 0
    for v in "1234":
        if all(p[j] != v for u in UNITS if i in u for j in u):
            p[i] = v
            n += count(p, limit - n)
            p[i] = "."
            if n >= limit:
                break
    return n


def minimal(answer, rng):
    p = list(answer)
    order = list(range(16))
    rng.shuffle(order)
    for i in order:
        keep, p[i] = p[i], "."
        if count(p) != 1:
            p[i] = keep
    return "".join(p)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=476)
    ap.add_argument("-seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    all_grids = list(grids())
    seen = set()
    out = ["question,answer"]
    while len(out) - 1 < args.n:
        a = rng.choice(all_grids)
        q = minimal(a, rng)
        if q not in seen:
            seen.add(q)
            out.append(f"{q},{a}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
