"""Build an ARC dataset folder with sapientinc/HRM's own dataset/build_arc_dataset.py.

    /usr/bin/python3 tools/torchref/reference_arc_dataset.py --ref /path/to/HRM \
        --arc ../shared/data/arc-agi-1 --out DIR --num-aug 8

Its convert_dataset runs as it is, imported from the checkout (not modified): the tasks of every
sub-folder of --arc (training/, evaluation/: the test pairs of evaluation/'s tasks make the test
split), each with --num-aug augmentations named "<task>_t<dihedral>_<colour map>" in
identifiers.json, on the reference's 30x30 canvas (hrmlab's task.size = 30). Shims, for what Debian
lacks: argdantic (its command-line parser, not used here) and pydantic 2's model_dump (Debian has
pydantic 1.10, whose dict() is the same).
"""

import argparse
import os
import sys

import pydantic

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_roundtrip import install_shims  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", required=True, help="checkout of sapientinc/HRM")
    ap.add_argument("--arc", required=True, help="ARC-AGI folder with training/ and evaluation/ of task JSON files")
    ap.add_argument("--out", required=True, help="dataset folder to write")
    ap.add_argument("--num-aug", type=int, default=8, help="augmentations per task (the reference's default is 1000)")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    install_shims()
    if not hasattr(pydantic.BaseModel, "model_dump"):
        pydantic.BaseModel.model_dump = pydantic.BaseModel.dict
    sys.path.insert(0, os.path.join(os.path.abspath(args.ref), "dataset"))
    import build_arc_dataset as b
    b.convert_dataset(b.DataProcessConfig(dataset_dirs=[args.arc], output_dir=args.out, seed=args.seed, num_aug=args.num_aug))


if __name__ == "__main__":
    main()
