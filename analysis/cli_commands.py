"""Sub-commands registered next to :mod:`analysis.cli` (each imports its module lazily)."""

from __future__ import annotations

import argparse


def _notebooks(sub, add_target_flags) -> None:
    p = sub.add_parser("notebooks", help="run the study notebooks headlessly (make figures)")
    p.add_argument("--corpus", default="allsides_techpolicy")
    p.add_argument("--sample", type=int, default=None, help="run on a seeded sample of N articles")
    p.add_argument("--output-dir", default=None, help="figures folder (default figures/[CORPUS])")
    p.add_argument("--only", nargs="*", default=None, help="substrings of notebook names to run")

    def run(args: argparse.Namespace) -> int:
        from .notebook_runner import run_notebooks

        done = run_notebooks(args.corpus, args.sample, args.output_dir, args.only, log_output=False)
        for d in done:
            print(f"executed {d}")
        return 0

    p.set_defaults(func=run)


REGISTRARS = [_notebooks]
