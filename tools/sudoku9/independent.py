"""9x9 Sudoku puzzles from a generator that shares no code or method with tasks/.

Method:
  1. A full solution grid, by one of
       backtrack  (default) randomized backtracking: the solver below, started on an
                  empty grid, tries the digits of each branching cell in random order
                  and stops at the first complete grid
       pattern    the base pattern (3*(r%3) + r//3 + c) % 9 + 1, shuffled: digits
                  relabelled, bands, stacks, rows within each band and columns within
                  each stack permuted, then transposed with probability 1/2 (all such
                  grids are equivalent to a single grid; backtrack gives variety)
  2. Holes dug in 180-degree rotationally symmetric pairs: cell i and cell 80-i go
     together; the centre (cell 40) is its own mirror. The pairs are tried once each in
     a random order; a removal is kept only if the puzzle still has exactly one
     solution. Digging stops when the target givens count is reached, or when every
     pair has been tried (a pair that failed once cannot succeed later: fewer givens
     only add solutions). The centre decides the parity: an odd target keeps the
     centre, an even target removes it first. If the pass sticks above the target,
     up to --swaps exchange moves follow (put one dug pair back, dig the given pairs
     again; a move can keep the count, or lower it when two or more pairs come out);
     a grid still above the target after them is discarded and a new grid made for
     the same target. --swaps 0 is plain one-pass digging.
  3. Every puzzle is checked before it is written: the answer is a valid Sudoku, it
     agrees with every given, the givens are symmetric and within range, and the
     solver finds exactly one solution, equal to the answer.

The solver: a bitmask of candidates per cell; constraint propagation by naked singles
(a cell with one candidate removes it from its 20 peers) and hidden singles (a digit
with one place left in a row, column or box goes there); then branching on the cell
with the fewest candidates, counting solutions up to 2.

Writes question,answer CSV ('.' for blanks) for `hrmlab eval -data FILE` and
`hrmlab data show -set task.kind=sudoku -set task.size=9 -data FILE`.

    python3 tools/sudoku9/independent.py -n 256 --min-givens 26 --max-givens 29 --seed 2026 --stats > s.csv
"""
import argparse
import random
import sys
import time

ALL = 0x1FF  # digits 1..9 as bits 0..8
ROWS = [[r * 9 + c for c in range(9)] for r in range(9)]
COLS = [[r * 9 + c for r in range(9)] for c in range(9)]
BOXES = [[(br + i) * 9 + bc + j for i in range(3) for j in range(3)]
         for br in (0, 3, 6) for bc in (0, 3, 6)]
UNITS = ROWS + COLS + BOXES
PEERS = [sorted({p for u in UNITS if c in u for p in u} - {c}) for c in range(81)]
POP = [bin(m).count("1") for m in range(ALL + 1)]
BITS = [[1 << d for d in range(9) if m >> d & 1] for m in range(ALL + 1)]
DIGIT = {1 << d: d + 1 for d in range(9)}
CENTRE = 40
PAIRS = [(i, 80 - i) for i in range(40)]


# ---------------------------------------------------------------- solver

def _propagate(cand, queue):
    """Naked and hidden singles until nothing changes; False on a contradiction."""
    while True:
        while queue:
            c = queue.pop()
            bit = cand[c]
            for p in PEERS[c]:
                m = cand[p]
                if m & bit:
                    m ^= bit
                    if not m:
                        return False
                    cand[p] = m
                    if not m & (m - 1):
                        queue.append(p)
        for unit in UNITS:
            once = twice = 0
            for c in unit:
                m = cand[c]
                twice |= once & m
                once |= m
            if once != ALL:
                return False  # some digit has no place in this unit
            alone = once & ~twice
            if alone:
                for c in unit:
                    m = cand[c]
                    h = m & alone
                    if h and m & (m - 1):
                        if h & (h - 1):
                            return False  # one cell is the only place for two digits
                        cand[c] = h
                        queue.append(c)
        if not queue:
            return True


def _search(cand, queue, limit, found, rnd):
    if not _propagate(cand, queue):
        return
    best, best_n = -1, 10
    for c, m in enumerate(cand):
        if m & (m - 1):
            n = POP[m]
            if n < best_n:
                best, best_n = c, n
                if n == 2:
                    break
    if best < 0:
        found.append(cand)
        return
    bits = BITS[cand[best]]
    if rnd is not None:
        bits = bits[:]
        rnd.shuffle(bits)
    for bit in bits:
        child = cand[:]
        child[best] = bit
        _search(child, [best], limit, found, rnd)
        if len(found) >= limit:
            return


def solve(grid, limit=2, rnd=None):
    """grid: 81 ints, 0 blank. Returns up to `limit` solutions (lists of 81 ints)."""
    cand = [ALL] * 81
    queue = []
    for c, v in enumerate(grid):
        if v:
            cand[c] = 1 << (v - 1)
            queue.append(c)
    found = []
    _search(cand, queue, limit, found, rnd)
    return [[DIGIT[m] for m in s] for s in found]


def count_solutions(grid, limit=2):
    return len(solve(grid, limit))


def still_unique(puzzle, solution, blanks):
    """True if `puzzle` (whose givens agree with `solution`, and which had `solution` as its
    only solution before the cells in `blanks` were blanked) still has just that solution.
    Instead of counting to 2, look for any solution that differs from `solution` in a
    blanked cell: for each blank in turn, earlier blanks pinned to the solution, this one
    barred from it. Any other solution must differ in some blank, so one of these finds it."""
    cand = [ALL] * 81
    queue = []
    for c, v in enumerate(puzzle):
        if v:
            cand[c] = 1 << (v - 1)
            queue.append(c)
    if not _propagate(cand, queue):
        return False  # cannot happen when `solution` fits the givens
    for i, c in enumerate(blanks):
        trial = cand[:]
        more = []
        for e in blanks[:i]:
            trial[e] &= 1 << (solution[e] - 1)
            more.append(e)
        trial[c] &= ~(1 << (solution[c] - 1))
        if not trial[c] or any(not trial[e] for e in more):
            continue
        if not trial[c] & (trial[c] - 1):
            more.append(c)
        found = []
        _search(trial, more, 1, found, None)
        if found:
            return False
    return True


# ---------------------------------------------------------------- grids

def grid_backtrack(rnd):
    return solve([0] * 81, 1, rnd)[0]


def grid_pattern(rnd):
    digits = list(range(1, 10))
    rnd.shuffle(digits)

    def order():
        groups = [0, 1, 2]
        rnd.shuffle(groups)
        out = []
        for g in groups:
            inner = [0, 1, 2]
            rnd.shuffle(inner)
            out += [3 * g + i for i in inner]
        return out

    rows, cols = order(), order()
    transpose = rnd.random() < 0.5
    grid = []
    for r in range(9):
        for c in range(9):
            rr, cc = (cols[c], rows[r]) if transpose else (rows[r], cols[c])
            grid.append(digits[(3 * (rr % 3) + rr // 3 + cc) % 9])
    return grid


GRIDS = {"backtrack": grid_backtrack, "pattern": grid_pattern}


# ---------------------------------------------------------------- digging

def dig_pairs(puzzle, solution, pairs, givens, target):
    """Dig the pairs in order until `target` givens, keeping each removal that leaves the
    solution unique; returns the givens left."""
    for a, b in pairs:
        if givens <= target:
            break
        puzzle[a] = puzzle[b] = 0
        if still_unique(puzzle, solution, (a, b)):
            givens -= 2
        else:
            puzzle[a], puzzle[b] = solution[a], solution[b]
    return givens


def dig(solution, target, rnd, swaps=0):
    """Symmetric digging towards `target` givens; the puzzle, or None if stuck above it.

    First one pass over the 40 pairs in random order. If that sticks above the target and
    swaps > 0, up to `swaps` exchange moves: put one dug pair back, then dig the given
    pairs again in random order; if none comes out, the pair goes back out (no change),
    if one does the puzzle moved sideways, if two or more it lost givens."""
    puzzle = solution[:]
    givens = 81
    if target % 2 == 0:
        puzzle[CENTRE] = 0  # one blank in a full grid: still unique
        givens = 80
    pairs = PAIRS[:]
    rnd.shuffle(pairs)
    givens = dig_pairs(puzzle, solution, pairs, givens, target)
    for _ in range(swaps):
        if givens <= target:
            break
        ra, rb = rnd.choice([p for p in PAIRS if not puzzle[p[0]]])
        puzzle[ra], puzzle[rb] = solution[ra], solution[rb]
        givens += 2
        back = givens
        others = [p for p in PAIRS if puzzle[p[0]] and p != (ra, rb)]
        rnd.shuffle(others)
        givens = dig_pairs(puzzle, solution, others, givens, target)
        if givens == back:
            puzzle[ra] = puzzle[rb] = 0
            givens -= 2
    return puzzle if givens == target else None


# ---------------------------------------------------------------- checks

def valid_solution(g):
    return len(g) == 81 and all(sorted(g[c] for c in u) == list(range(1, 10)) for u in UNITS)


def check(puzzle, answer, lo, hi):
    """Reasons the pair is wrong; empty if it is fine."""
    bad = []
    if not valid_solution(answer):
        bad.append("answer is not a valid Sudoku")
    if any(p and p != a for p, a in zip(puzzle, answer)):
        bad.append("answer disagrees with a given")
    if any((puzzle[i] == 0) != (puzzle[80 - i] == 0) for i in range(81)):
        bad.append("givens are not 180-degree symmetric")
    n = sum(1 for v in puzzle if v)
    if not lo <= n <= hi:
        bad.append(f"{n} givens, outside [{lo},{hi}]")
    sols = solve(puzzle, 2)
    if len(sols) != 1:
        bad.append(f"{len(sols)} solutions (counted up to 2)")
    elif sols[0] != answer:
        bad.append("the unique solution is not the answer")
    return bad


def to_str(grid, blank="."):
    return "".join(str(v) if v else blank for v in grid)


def from_str(s):
    return [int(ch) if ch in "123456789" else 0 for ch in s]


# ---------------------------------------------------------------- self-test

def _naive_count(grid, limit=2):
    """A second solver for the self-test: plain cell-by-cell backtracking, no propagation."""
    g = grid[:]
    count = 0

    def ok(c, v):
        return all(g[p] != v for p in PEERS[c])

    def rec(i):
        nonlocal count
        while i < 81 and g[i]:
            i += 1
        if i == 81:
            count += 1
            return
        for v in range(1, 10):
            if ok(i, v):
                g[i] = v
                rec(i + 1)
                g[i] = 0
                if count >= limit:
                    return

    rec(0)
    return count


def self_test():
    fails = []

    def expect(name, cond):
        print(("ok   " if cond else "FAIL ") + name, file=sys.stderr)
        if not cond:
            fails.append(name)

    # A well-known puzzle (the example on Wikipedia's Sudoku page) and its solution.
    q = from_str("53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79")
    a = from_str("534678912672195348198342567859761423426853791713924856961537284287419635345286179")
    s = solve(q, 2)
    expect("known puzzle: one solution, the published one", len(s) == 1 and s[0] == a)
    expect("known solution is a valid Sudoku", valid_solution(a))
    expect("empty grid: more than one solution", count_solutions([0] * 81) == 2)
    bad = q[:]
    bad[2] = 5  # a second 5 in row 0
    expect("clashing givens: no solution", count_solutions(bad) == 0)
    # Blank a rectangle a1 b1 / b2 a2 over two boxes: the two digits can swap, 2 solutions.
    full = a[:]
    rect = None
    for r1 in range(9):
        for r2 in range(r1 + 1, 9):
            if r1 // 3 != r2 // 3:
                continue
            for c1 in range(9):
                for c2 in range(c1 + 1, 9):
                    x, y = a[r1 * 9 + c1], a[r1 * 9 + c2]
                    if a[r2 * 9 + c1] == y and a[r2 * 9 + c2] == x:
                        rect = (r1 * 9 + c1, r1 * 9 + c2, r2 * 9 + c1, r2 * 9 + c2)
    if rect:
        for c in rect:
            full[c] = 0
        expect("deadly rectangle blanked: exactly 2 solutions",
               count_solutions(full, 3) == 2 and _naive_count(full, 3) == 2)
    # Both grid builders give valid grids; dug puzzles agree with a naive solver.
    rnd = random.Random(7)
    for kind, make in GRIDS.items():
        for _ in range(5):
            expect(f"{kind} grid is a valid Sudoku", valid_solution(make(rnd)))
    for target in (36, 33, 30, 27):
        sol = grid_backtrack(rnd)
        p = None
        while p is None:
            p = dig(sol, target, rnd)
            if p is None:
                sol = grid_backtrack(rnd)
        expect(f"dug {target}: checks pass", not check(p, sol, target, target))
        expect(f"dug {target}: symmetric givens",
               all((p[i] == 0) == (p[80 - i] == 0) for i in range(81)))
        expect(f"dug {target}: naive solver also finds exactly 1", _naive_count(p, 2) == 1)
        # Blank one more symmetric pair of givens: the two solvers must agree on 1 vs 2+.
        pair = next((a_, b_) for a_, b_ in PAIRS if p[a_] and p[b_])
        p2 = p[:]
        p2[pair[0]] = p2[pair[1]] = 0
        expect(f"dug {target} minus a pair: solvers agree",
               min(count_solutions(p2), 2) == min(_naive_count(p2, 2), 2))
    # check() catches a broken pair.
    p = q[:]
    p[0] = 0  # the known puzzle is symmetric; drop one given of a mirrored pair
    expect("check() rejects an asymmetric puzzle", any("symmetric" in b for b in check(p, a, 0, 81)))
    wrong = a[:]
    wrong[0], wrong[1] = wrong[1], wrong[0]
    expect("check() rejects a wrong answer", check(q, wrong, 0, 81) != [])
    print(f"self-test: {len(fails)} failed" if fails else "self-test: all passed", file=sys.stderr)
    return not fails


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=256, help="puzzles to make")
    ap.add_argument("--min-givens", type=int, default=30)
    ap.add_argument("--max-givens", type=int, default=35)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--grid", choices=sorted(GRIDS), default="backtrack", help="how full grids are made")
    ap.add_argument("--out", help="CSV file (default: stdout)")
    ap.add_argument("--attempts", type=int, default=300,
                    help="grids tried per puzzle before its target is given up (default 300)")
    ap.add_argument("--swaps", type=int, default=40,
                    help="exchange moves per grid when one digging pass sticks above the target "
                         "(0: plain digging only; default 40)")
    ap.add_argument("--time-limit", type=float, default=0,
                    help="stop after this many seconds and keep what was made (0: no limit)")
    ap.add_argument("--stats", action="store_true", help="givens histogram and timing to stderr")
    ap.add_argument("--self-test", action="store_true", help="check the solver and digging, then exit")
    args = ap.parse_args()

    if args.self_test:
        sys.exit(0 if self_test() else 1)
    lo, hi = args.min_givens, args.max_givens
    if not 0 <= lo <= hi <= 81:
        sys.exit(f"independent.py: need 0 <= --min-givens <= --max-givens <= 81, got {lo}, {hi}")

    rnd = random.Random(args.seed)
    make_grid = GRIDS[args.grid]
    rows, hist = [], {}
    given_up = {}
    tries = 0
    t0 = time.perf_counter()
    stopped = False
    for _ in range(args.n):
        target = rnd.randint(lo, hi)
        for _ in range(args.attempts):
            if args.time_limit and time.perf_counter() - t0 > args.time_limit:
                stopped = True
                break
            tries += 1
            sol = make_grid(rnd)
            puzzle = dig(sol, target, rnd, args.swaps)
            if puzzle is None:
                continue
            bad = check(puzzle, sol, lo, hi)
            if bad:  # never expected; refuse to write it
                sys.exit(f"independent.py: internal error, {to_str(puzzle)}: {'; '.join(bad)}")
            rows.append((to_str(puzzle), to_str(sol)))
            hist[target] = hist.get(target, 0) + 1
            break
        else:
            given_up[target] = given_up.get(target, 0) + 1
        if stopped:
            break
    elapsed = time.perf_counter() - t0

    out = open(args.out, "w", newline="") if args.out else sys.stdout
    out.write("question,answer\n")
    for q, a in rows:
        out.write(f"{q},{a}\n")
    if args.out:
        out.close()

    made = len(rows)
    if args.stats:
        print(f"givens [{lo},{hi}], grid {args.grid}, seed {args.seed}: {made} puzzles, "
              f"{tries} grids dug ({tries - made} discarded), {elapsed:.1f}s", file=sys.stderr)
        if made:
            print(f"mean {elapsed / made * 1000:.1f} ms per puzzle, "
                  f"{elapsed / tries * 1000:.1f} ms per grid dug", file=sys.stderr)
        for g in range(lo, hi + 1):
            n = hist.get(g, 0)
            print(f"  {g:2d} givens: {n:4d} {'#' * ((n + 1) // 2)}", file=sys.stderr)
    if made < args.n:
        why = []
        if given_up:
            why.append("gave up after %d grids each on targets %s" % (
                args.attempts, ", ".join(f"{t} (x{k})" for t, k in sorted(given_up.items()))))
        if stopped:
            why.append(f"stopped at the time limit of {args.time_limit:g}s")
        print(f"independent.py: made {made} of {args.n} puzzles with {lo}-{hi} givens; "
              + "; ".join(why), file=sys.stderr)
        if made == 0:
            sys.exit(1)


if __name__ == "__main__":
    main()
