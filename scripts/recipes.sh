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
printf '%-18s %8s %7s %9s %9s %9s %9s\n' preset minutes steps n exact valid pass@2
for p in "${order[@]}"; do
  m=$(awk -v a="${budget[$p]}" -v s="$scale" 'BEGIN{print a*s}')
  rm -rf "${out:?}/$p"
  ./hrmlab train -preset "$p" -minutes "$m" -out "$out" -set run.name="$p" -json > "$out/$p.train.jsonl"
  ck=$(ls "$out/$p/checkpoints/"step-*.safetensors | tail -n 1)
  ./hrmlab eval -checkpoint "$ck" -json > "$out/$p.eval.json"
  python3 - "$p" "$m" "$ck" "$out/$p.eval.json" <<'PY'
import json, re, sys
p, m, ck, path = sys.argv[1:]
r = json.load(open(path))
step = int(re.search(r'step-(\d+)', ck).group(1))
p2 = r.get('pass_at_2')
print('%-18s %8s %7d %9d %9.4f %9.4f %9s' % (p, m, step, r['n'], r['exact_accuracy'], r['valid_accuracy'],
      '-' if p2 is None else '%.4f' % p2))
PY
done
go run ./tools/plot -out docs/img/recipes.png "$out"/*/metrics.jsonl
echo "curves: docs/img/recipes.png"
