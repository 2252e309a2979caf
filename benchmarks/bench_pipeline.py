"""Speed and memory of the scoring pipeline against a plain vaderSentiment loop.

Run from the repository root:  ``.venv/bin/python benchmarks/bench_pipeline.py [--runs 3]``
Peak memory of the 100k-article streaming run is the summed resident memory of the command's
whole process tree (parent and workers), sampled from /proc every 0.2 s.

Measures, in one run (median of ``--runs`` repetitions where it says so):
* reference: ``SentimentIntensityAnalyzer().polarity_scores`` over every sentence of the pool
  (sentences split once with the project splitter), one core;
* cold: ``score_corpus`` of the whole pool, 2 jobs, empty cache;
* frames: the frame-lexicon pass alone (all shipped lexicons) over the pool's sentence table;
* warm: ``python -m analysis score allsides_techpolicy --out DIR --jobs 2`` run again with
  nothing changed (a fresh interpreter, start-up included);
* 100k: a SYNTHETIC corpus of 100,000 articles built by resampling sentences of the real pool,
  scored with ``--stream``; peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_avg_at_start": os.getloadavg()[0],
    }


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (kB), read from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(
                next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmRSS:"))
            )
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            todo.extend(int(k) for k in kids)
        except (OSError, StopIteration):
            continue
    return total


def timed(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def build_synthetic(pool_sentences: list[str], n_articles: int, path: Path, seed: int = 0):
    """SYNTHETIC corpus: each article is 8-15 sentences drawn at random from the real pool."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    writer = None
    batch = 10_000
    for start in range(0, n_articles, batch):
        ids, texts = [], []
        for i in range(start, min(n_articles, start + batch)):
            k = rng.randint(8, 15)
            ids.append(f"synthetic-{i:06d}")
            texts.append(" ".join(rng.choice(pool_sentences) for _ in range(k)))
        table = pa.table({"doc_id": ids, "title": [""] * len(ids), "text": texts})
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--synthetic", type=int, default=100_000)
    ap.add_argument("--skip-synthetic", action="store_true")
    args = ap.parse_args()

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from analysis.corpus import load_corpus
    from analysis.framing import frame_hits
    from analysis.pipeline import score_corpus
    from analysis.text import sentence_table

    res: dict = {"machine": machine(), "runs": args.runs}
    articles, _ = load_corpus("allsides_techpolicy")
    t = time.perf_counter()
    sents = sentence_table(articles)
    res["sentence_split_s"] = round(time.perf_counter() - t, 3)
    texts = sents["text"].tolist()
    res["articles"], res["sentences"] = len(articles), len(texts)

    sia = SentimentIntensityAnalyzer()
    ref, ref_all = timed(lambda: [sia.polarity_scores(s) for s in texts], args.runs)
    res["reference_vader_loop_s"] = round(ref, 3)

    frames, _ = timed(lambda: frame_hits(sents), args.runs)
    res["frames_pass_s"] = round(frames, 3)
    res["frames_ratio"] = round(frames / ref, 3)

    def cold():
        d = tempfile.mkdtemp()
        try:
            score_corpus(articles, jobs=2, cache_dir=Path(d), progress=False)
        finally:
            shutil.rmtree(d)

    cold_s, _ = timed(cold, args.runs)
    res["cold_2jobs_s"] = round(cold_s, 3)
    res["cold_ratio"] = round(cold_s / ref, 3)

    out = Path(tempfile.mkdtemp())
    cmd = [
        sys.executable,
        "-m",
        "analysis",
        "score",
        "allsides_techpolicy",
        "--out",
        str(out),
        "--jobs",
        "2",
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)  # fills cache and output
    warm, _ = timed(
        lambda: subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True), args.runs
    )
    res["warm_command_s"] = round(warm, 3)
    res["warm_ratio"] = round(warm / ref, 3)
    shutil.rmtree(out)

    if not args.skip_synthetic:
        tmp = Path(tempfile.mkdtemp())
        src = tmp / "synthetic.parquet"
        build_synthetic(texts, args.synthetic, src)
        cmd = [
            sys.executable,
            "-m",
            "analysis",
            "score",
            str(src),
            "--stream",
            "--out",
            str(tmp / "out"),
            "--jobs",
            "2",
            "--batch-size",
            "5000",
        ]
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.2)
        if proc.returncode:
            raise SystemExit(f"streaming run failed ({proc.returncode})")
        res["synthetic_peak_rss_mb_tree"] = round(peak / 1024, 1)
        res["synthetic_articles"] = args.synthetic
        res["synthetic_s"] = round(time.perf_counter() - t, 1)
        rep = json.loads((tmp / "out" / "report.json").read_text())
        res["synthetic_scored"] = rep["articles_scored"]
        shutil.rmtree(tmp)
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
