"""Mazes with their shortest S-G path, from a generator that shares no code with tasks/.

The grid is (2k+1) x (2k+1): '#' wall, ' ' free, 'S' start, 'G' goal, 'o' the path.
Rooms sit on the odd cells; a carver removes the wall between two rooms. Carvers:

  kruskal             random order of all walls, remove one when it joins two sets
  aldous-broder       random walk over the rooms, entering each new room opens a wall
                      (a uniform spanning tree, by a different algorithm than Wilson's)
  hunt-and-kill       random walk until stuck, then hunt row by row for an unvisited room
                      next to a visited one
  recursive-division  start open and add walls: split each chamber by a wall with one gap
  sidewinder          row by row: runs of east passages, each run opens north once
  binary-tree         every room opens north or east (a strong diagonal bias)

S is a random free cell; G a random free cell whose shortest distance from S lies in
[--min-path, --max-path], by breadth-first search; a maze without such a cell is dropped
and another carved. --loops F removes that fraction of the walls left between rooms.
Writes source,question,answer,rating CSV (rating: the path length) for
`hrmlab eval -data FILE`.

    python3 tools/maze/independent.py --carver kruskal -n 256 --min-path 10 --seed 1 > k.csv
"""
import argparse
import csv
import random
import sys
from collections import deque

CARVERS = ["kruskal", "aldous-broder", "hunt-and-kill", "recursive-division", "sidewinder", "binary-tree"]


class Rooms:
    """k x k rooms; open_between(a, b) removes the wall between two adjacent rooms."""

    def __init__(self, k):
        self.k = k
        self.side = 2 * k + 1
        self.cells = [["#"] * self.side for _ in range(self.side)]
        for r in range(k):
            for c in range(k):
                self.cells[2 * r + 1][2 * c + 1] = " "

    def open_between(self, a, b):
        (r1, c1), (r2, c2) = a, b
        self.cells[r1 + r2 + 1][c1 + c2 + 1] = " "

    def close_between(self, a, b):
        (r1, c1), (r2, c2) = a, b
        self.cells[r1 + r2 + 1][c1 + c2 + 1] = "#"

    def next_to(self, room):
        r, c = room
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            if 0 <= r + dr < self.k and 0 <= c + dc < self.k:
                yield (r + dr, c + dc)


def kruskal(rooms, rnd):
    k = rooms.k
    owner = {(r, c): (r, c) for r in range(k) for c in range(k)}

    def root(x):
        while owner[x] != x:
            x = owner[x]
        return x

    walls = [((r, c), (r, c + 1)) for r in range(k) for c in range(k - 1)]
    walls += [((r, c), (r + 1, c)) for r in range(k - 1) for c in range(k)]
    rnd.shuffle(walls)
    for a, b in walls:
        ra, rb = root(a), root(b)
        if ra != rb:
            owner[ra] = rb
            rooms.open_between(a, b)


def aldous_broder(rooms, rnd):
    k = rooms.k
    here = (rnd.randrange(k), rnd.randrange(k))
    visited = {here}
    while len(visited) < k * k:
        there = rnd.choice(list(rooms.next_to(here)))
        if there not in visited:
            visited.add(there)
            rooms.open_between(here, there)
        here = there


def hunt_and_kill(rooms, rnd):
    k = rooms.k
    here = (rnd.randrange(k), rnd.randrange(k))
    visited = {here}
    while here is not None:
        fresh = [x for x in rooms.next_to(here) if x not in visited]
        if fresh:
            there = rnd.choice(fresh)
            rooms.open_between(here, there)
            visited.add(there)
            here = there
            continue
        here = None
        for r in range(k):
            for c in range(k):
                if (r, c) in visited:
                    continue
                old = [x for x in rooms.next_to((r, c)) if x in visited]
                if old:
                    rooms.open_between((r, c), rnd.choice(old))
                    visited.add((r, c))
                    here = (r, c)
                    break
            if here is not None:
                break


def recursive_division(rooms, rnd):
    k = rooms.k
    for r in range(k):
        for c in range(k):
            for x in rooms.next_to((r, c)):
                rooms.open_between((r, c), x)
    chambers = [(0, 0, k, k)]  # top, left, height, width in rooms
    while chambers:
        top, left, h, w = chambers.pop()
        if h < 2 or w < 2:
            continue
        horizontal = h > w or (h == w and rnd.random() < 0.5)
        if horizontal:
            cut = top + rnd.randrange(h - 1)  # wall below room row `cut`
            gap = left + rnd.randrange(w)
            for c in range(left, left + w):
                if c != gap:
                    rooms.close_between((cut, c), (cut + 1, c))
            chambers += [(top, left, cut - top + 1, w), (cut + 1, left, top + h - cut - 1, w)]
        else:
            cut = left + rnd.randrange(w - 1)
            gap = top + rnd.randrange(h)
            for r in range(top, top + h):
                if r != gap:
                    rooms.close_between((r, cut), (r, cut + 1))
            chambers += [(top, left, h, cut - left + 1), (top, cut + 1, h, left + w - cut - 1)]


def sidewinder(rooms, rnd):
    k = rooms.k
    for r in range(k):
        run = []
        for c in range(k):
            run.append((r, c))
            east = c < k - 1 and (r == 0 or rnd.random() < 0.5)
            if east:
                rooms.open_between((r, c), (r, c + 1))
            elif r > 0:
                up = rnd.choice(run)
                rooms.open_between(up, (up[0] - 1, up[1]))
                run = []
            else:
                run = []


def binary_tree(rooms, rnd):
    k = rooms.k
    for r in range(k):
        for c in range(k):
            choices = []
            if r > 0:
                choices.append((r - 1, c))
            if c < k - 1:
                choices.append((r, c + 1))
            if choices:
                rooms.open_between((r, c), rnd.choice(choices))


CARVE = {
    "kruskal": kruskal,
    "aldous-broder": aldous_broder,
    "hunt-and-kill": hunt_and_kill,
    "recursive-division": recursive_division,
    "sidewinder": sidewinder,
    "binary-tree": binary_tree,
}


def knock_loops(rooms, frac, rnd):
    side = rooms.side
    walls = [(r, c) for r in range(1, side - 1) for c in range(1, side - 1)
             if (r + c) % 2 == 1 and rooms.cells[r][c] == "#"]
    rnd.shuffle(walls)
    for r, c in walls[: int(frac * len(walls))]:
        rooms.cells[r][c] = " "


def bfs(cells, start):
    side = len(cells)
    dist = {start: 0}
    todo = deque([start])
    while todo:
        r, c = todo.popleft()
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < side and 0 <= nc < side and cells[nr][nc] != "#" and (nr, nc) not in dist:
                dist[(nr, nc)] = dist[(r, c)] + 1
                todo.append((nr, nc))
    return dist


def one_maze(k, carver, lo, hi, loops, rnd):
    for _ in range(100000):
        rooms = Rooms(k)
        CARVE[carver](rooms, rnd)
        if loops > 0:
            knock_loops(rooms, loops, rnd)
        cells = rooms.cells
        free = [(r, c) for r in range(rooms.side) for c in range(rooms.side) if cells[r][c] == " "]
        s = rnd.choice(free)
        dist = bfs(cells, s)
        goals = [x for x, d in dist.items() if lo <= d <= hi]
        if not goals:
            continue
        g = rnd.choice(goals)
        # Walk back from G along strictly decreasing distances: a shortest path.
        back = bfs(cells, g)
        path, here = [], s
        while here != g:
            r, c = here
            steps = [(nr, nc) for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
                     if back.get((nr, nc), -1) == back[here] - 1]
            here = rnd.choice(steps)
            path.append(here)
        question = [row[:] for row in cells]
        question[s[0]][s[1]], question[g[0]][g[1]] = "S", "G"
        answer = [row[:] for row in question]
        for r, c in path[:-1]:
            answer[r][c] = "o"
        return "".join(map("".join, question)), "".join(map("".join, answer)), dist[g]
    sys.exit(f"independent.py: no {carver} maze of side {2 * k + 1} has a path of {lo} to {hi} steps")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--carver", action="append", choices=CARVERS + ["all"],
                    help="carver (repeat for several; 'all' for every one); default kruskal")
    ap.add_argument("-n", type=int, default=256, help="mazes per carver")
    ap.add_argument("--size", type=int, default=11, help="grid side, odd (11: 5x5 rooms)")
    ap.add_argument("--min-path", type=int, default=1)
    ap.add_argument("--max-path", type=int, default=10**6)
    ap.add_argument("--loops", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.size < 5 or a.size % 2 == 0:
        ap.error("--size must be odd and at least 5")
    if a.min_path < 1 or a.max_path < a.min_path:
        ap.error("want 1 <= --min-path <= --max-path")
    carvers = a.carver or ["kruskal"]
    if "all" in carvers:
        carvers = CARVERS
    rnd = random.Random(a.seed)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["source", "question", "answer", "rating"])
    for carver in carvers:
        for _ in range(a.n):
            q, ans, steps = one_maze(a.size // 2, carver, a.min_path, a.max_path, a.loops, rnd)
            out.writerow(["independent-" + carver, q, ans, steps])


if __name__ == "__main__":
    main()
