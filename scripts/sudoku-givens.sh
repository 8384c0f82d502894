#!/usr/bin/env bash
# Scores a 9x9 Sudoku checkpoint by givens on held-out puzzles from three sources: our
# generator (tasks/, a seed no training uses), the independent generator
# (tools/sudoku9/independent.py, symmetric hole digging, no code shared with tasks/) and
# qqwing (Debian's package, when installed; its puzzles are bucketed by their givens).
# Prints a markdown table: exact accuracy after all segments and at the segment where
# the model halts, mean halting step, and with SAMPLES test-time samples.
#
#   scripts/sudoku-givens.sh runs/s9                   a run folder (its latest checkpoint) or a checkpoint
#   N=64 SAMPLES="8 32" scripts/sudoku-givens.sh runs/s9
#   RANGES="22-25 26-29" N=128 SAMPLES="8 32" scripts/sudoku-givens.sh runs/s9   some rows only
#   EVAL_FLAGS="-halt-threshold 0.9" scripts/sudoku-givens.sh runs/s9            flags for every eval
#
# The sets are made once into $SUDOKU_SETS (default runs/sudoku-sets) and reused. The
# independent generator takes seconds per puzzle below 26 givens: it stops after
# GEN_SECONDS (default 300) per range, and the table's n says how many it made.
set -euo pipefail
cd "$(dirname "$0")/.."
ck=${1:?usage: scripts/sudoku-givens.sh CHECKPOINT}
sets=${SUDOKU_SETS:-runs/sudoku-sets}
. scripts/lib/score.sh
mkdir -p "$sets"
ranges=()
for r in ${RANGES:-17-21 22-25 26-29 30-33 34-37 38-45}; do
  [[ "$r" =~ ^[0-9]+-[0-9]+$ ]] || { echo "sudoku-givens: RANGES wants LO-HI pairs, not '$r'" >&2; exit 2; }
  ranges+=("${r%-*} ${r#*-}")
done
header source givens -- "${ks[@]}"
for r in "${ranges[@]}"; do
  set -- $r
  f="$sets/ours-$1-$2.csv"
  [ -s "$f" ] || "$hrmlab" data generate -set task.kind=sudoku -set task.size=9 -set task.difficulty=any \
    -set task.min_givens="$1" -set task.max_givens="$2" -set run.seed=101 -split test -n "$n" -out "$f" >/dev/null 2>&1 ||
    { echo "| ours | $1-$2 | 0 | (our generator does not reach $1-$2 givens) |"; rm -f "$f"; continue; }
  score "$f" "${ks[@]}" -- ours "$1-$2"
done
for r in "${ranges[@]}"; do
  set -- $r
  f="$sets/independent-$1-$2.csv"
  [ -s "$f" ] || python3 tools/sudoku9/independent.py -n "$n" --min-givens "$1" --max-givens "$2" --seed 2026 \
    --time-limit "${GEN_SECONDS:-300}" --out "$f" 2>/dev/null || true
  if [ "$(($(wc -l <"$f" 2>/dev/null || echo 0) - 1))" -lt 1 ]; then
    echo "| independent | $1-$2 | 0 | (the generator does not reach $1-$2 givens) |"; rm -f "$f"; continue
  fi
  score "$f" "${ks[@]}" -- independent "$1-$2"
done
command -v qqwing >/dev/null || { echo "(qqwing is not installed: apt-get install qqwing adds its rows)"; exit 0; }
pool="$sets/qqwing-pool.csv"
[ -s "$pool" ] || qqwing --generate "$((8 * n))" --csv --solution --difficulty any | awk -F, 'NR > 1 && NF >= 2 {print $1 "," $2}' >"$pool"
for r in "${ranges[@]}"; do
  set -- $r
  f="$sets/qqwing-$1-$2.csv"
  if [ ! -s "$f" ]; then
    { echo question,answer; awk -F, -v lo="$1" -v hi="$2" -v n="$n" \
      '{ q = $1; g = gsub(/[1-9]/, "", q) } g >= lo && g <= hi && c < n { print; c++ }' "$pool"; } >"$f"
  fi
  if [ "$(($(wc -l <"$f") - 1))" -lt 1 ]; then
    echo "| qqwing | $1-$2 | 0 | (none of its $((8 * n)) puzzles has $1-$2 givens) |"; continue
  fi
  score "$f" "${ks[@]}" -- qqwing "$1-$2"
done
