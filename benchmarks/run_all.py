"""Run every benchmark script in turn (``make benchmarks``); numbers go to RESULTS.md by hand.

Each script prints its own JSON/table; see the header of each script for what it measures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_sentences.py",
    "bench_vader.py",
    "bench_framing.py",
    "bench_sentiment_speed.py",
    "bench_pipeline.py",
]


def main() -> int:
    for name in SCRIPTS:
        path = HERE / name
        if not path.exists():
            print(f"skip {name}: not present")
            continue
        print(f"== {name}", flush=True)
        subprocess.run([sys.executable, str(path)], check=True, cwd=HERE.parent)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
