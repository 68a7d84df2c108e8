"""Write a deterministic synthetic corpus (tests/support/synthetic/corpus.py describes it).

    python -m scripts.make_synthetic N OUT [--seed S] [--chinese-share 0.1]
        [--perturbed-share 0.3] [--per-file 5000] [--processes 1] [--shape synthetic|real]

Prints the manifest (also written to OUT/manifest.json), then the corpus's fingerprint in one
line (records, stubs, reference entries, Chinese files, digest): benchmark numbers of
different days compare only when their fingerprints agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.support.synthetic.corpus import SHAPES, fingerprint_line, generate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("records", type=int, metavar="N")
    parser.add_argument("out", type=Path, metavar="OUT")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chinese-share", type=float, default=0.1)
    parser.add_argument("--perturbed-share", type=float, default=0.3)
    parser.add_argument("--per-file", type=int, default=5000)
    parser.add_argument("--processes", type=int, default=1, help="worker processes")
    parser.add_argument("--shape", choices=SHAPES, default="synthetic", help="record size")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    manifest = generate(
        args.records,
        args.out,
        args.seed,
        args.chinese_share,
        args.perturbed_share,
        args.per_file,
        args.processes,
        args.shape,
    )
    print(json.dumps(manifest, indent=1))
    print(fingerprint_line(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
