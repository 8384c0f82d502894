#!/usr/bin/env bash
# Scores a maze checkpoint on held-out 11x11 mazes by carver and path length: our generator's
# four carvers (tasks/maze_carve.go, a seed the training never used) and the independent
# generator's (tools/maze/independent.py, no code shared with tasks/), 256 mazes each, no
# loops; then mazes with loops (scored as any shortest path). Prints a markdown table with
# the exact accuracy after all segments, at the segment where the model halts, and the
# valid accuracy (a shortest path, not necessarily the label's).
#
#   scripts/maze-carvers.sh runs/maze                 a run folder (its latest checkpoint) or a checkpoint
#   N=64 scripts/maze-carvers.sh runs/maze            the first 64 mazes of each set
#   N=128 SAMPLES=8 scripts/maze-carvers.sh runs/maze  and with 8 test-time samples (the dihedral maps)
#   EVAL_FLAGS="-halt-threshold 0.9" ...                flags for every eval
set -euo pipefail
cd "$(dirname "$0")/.."
ck=${1:?usage: scripts/maze-carvers.sh CHECKPOINT}
sets=${MAZE_SETS:-runs/maze-sets}
mkdir -p "$sets"
ranges=("1 9" "10 19" "20 29" "30 48")
. scripts/lib/score.sh
ours() { # carver lo hi loops file
  [ -s "$5" ] || "$hrmlab" data generate -set task.kind=maze -set task.size=11 -set task.carver="$1" \
    -set task.min_path="$2" -set task.max_path="$3" -set task.loops="$4" -set task.test_count="$n" \
    -set run.seed=101 -split test -out "$5" >/dev/null
}
theirs() { # carver lo hi loops file
  [ -s "$5" ] || python3 tools/maze/independent.py --carver "$1" -n "$n" --min-path "$2" --max-path "$3" \
    --loops "$4" --seed 101 >"$5"
}
header generator carver path -- "${ks[@]}"
for c in dfs kruskal prim wilson; do
  for r in "${ranges[@]}"; do
    set -- $r
    f="$sets/ours-$c-$1-$2.csv"
    ours "$c" "$1" "$2" -1 "$f"
    score "$f" "${ks[@]}" -- ours "$c" "$1-$2"
  done
done
for c in kruskal aldous-broder hunt-and-kill recursive-division sidewinder binary-tree; do
  for r in "${ranges[@]}"; do
    set -- $r
    f="$sets/independent-$c-$1-$2.csv"
    theirs "$c" "$1" "$2" 0 "$f"
    score "$f" "${ks[@]}" -- independent "$c" "$1-$2"
  done
done
for lo in 10 20; do # the issue's outside measurement: Kruskal, path >= 10 and >= 20
  f="$sets/independent-kruskal-$lo-48.csv"
  theirs kruskal "$lo" 48 0 "$f"
  score "$f" "${ks[@]}" -- independent kruskal "$lo-48"
done
f="$sets/ours-mix-loops.csv"
ours mix 1 48 0.25 "$f"
score "$f" "${ks[@]}" -- ours "mix, loops 0.25" 1-48
f="$sets/independent-kruskal-loops.csv"
theirs kruskal 1 48 0.25 "$f"
score "$f" "${ks[@]}" -- independent "kruskal, loops 0.25" 1-48
