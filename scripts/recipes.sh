#!/usr/bin/env bash
# Trains every learning recipe from scratch for its time budget, evaluates the
# last checkpoint on the held-out test puzzles, prints a table, and draws the
# curves to docs/img/recipes.png.
#
#   scripts/recipes.sh                    all recipes (about 2.5 hours on 2 cores)
#   scripts/recipes.sh sudoku4-hrm        only the named ones
#   MINUTES_SCALE=0.1 scripts/recipes.sh  a quick smoke run
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A budget=([sudoku4-hrm]=3 [sudoku6-trm]=15 [maze-hrm]=20 [sudoku9-easy-trm]=60 [arc-mini]=60)
order=(sudoku4-hrm sudoku6-trm maze-hrm sudoku9-easy-trm arc-mini)
[ $# -gt 0 ] && order=("$@")
scale=${MINUTES_SCALE:-1}
out=${RECIPES_OUT:-runs/recipes}
tags=$(scripts/blas.sh)
go build -tags "$tags" -o hrmlab .
mkdir -p "$out" docs/img
field() { # the value of a top-level number field in the one-line eval JSON, or -
  sed -nE 's/.*"'"$1"'":([-0-9.e+]+).*/\1/p' "$out/$p.eval.json" | grep . || echo -
}
printf '%-18s %8s %7s %9s %9s %9s %9s\n' preset minutes steps n exact valid pass@2
for p in "${order[@]}"; do
  m=$(awk -v a="${budget[$p]}" -v s="$scale" 'BEGIN{print a*s}')
  rm -rf "${out:?}/$p"
  ./hrmlab train -preset "$p" -minutes "$m" -out "$out" -set run.name="$p" -json > "$out/$p.train.jsonl"
  ck=$(ls "$out/$p/checkpoints/"step-*.safetensors | tail -n 1)
  ./hrmlab eval -checkpoint "$ck" -json > "$out/$p.eval.json"
  printf '%-18s %8s %7s %9s %9s %9s %9s\n' "$p" "$m" "$(field step)" "$(field n)" \
    "$(field exact_accuracy)" "$(field valid_accuracy)" "$(field pass_at_2)"
done
dirs=()
for p in "${order[@]}"; do dirs+=("$out/$p"); done
./hrmlab compare -png docs/img/recipes.png "${dirs[@]}"
echo "curves: docs/img/recipes.png"
