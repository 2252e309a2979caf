"""Speed and memory of the scoring pipeline against a plain vaderSentiment loop.

Run from the repository root:  ``.venv/bin/python benchmarks/bench_pipeline.py [--runs 3]``
Peak memory of the 100k-article streaming run is the summed resident memory of the command's
whole process tree (parent and workers), sampled from /proc every 0.2 s.

Measures, in one run (median of ``--runs`` repetitions where it says so):
* reference: ``SentimentIntensityAnalyzer().polarity_scores`` over every sentence of the pool
  (sentences split once with the project splitter), one core;
* cold: ``score_corpus`` of the whole pool, 2 jobs, empty cache, in a FRESH interpreter (the
  parent has imported ``analysis.pipeline`` and loaded the corpus, nothing else: the workers'
  imports, model loading and every memo start empty); the call is timed, and the CPU of the
  whole process tree is reported. ``--cold-tree DIR`` times the same for the ``analysis`` package
  in ``DIR`` (e.g. ``git archive OLD analysis | tar -x -C DIR``), interleaved run by run, for a
  before/after comparison under the same load;
* frames: the frame-lexicon pass alone (all shipped lexicons) over the pool's sentence table;
* stage_cpu_s: CPU of each stage once over the whole pool in this process (``vader`` and
  ``news_scorer`` separately, and ``sentiment_stage_shared``: both from one token pass, as the
  pipeline runs them);
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


def tree_memory_kb(pid: int) -> tuple[int, int]:
    """``(rss, pss)`` of a process and all its descendants (kB), read from /proc.

    RSS summed over the tree counts pages shared by the forked workers once per process (an
    overstatement); PSS (``/proc/PID/smaps_rollup``) splits shared pages between the processes
    that share them, so the sum is the tree's real footprint. Both are reported.
    """
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            rss += int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmRSS:")))
            try:
                roll = Path(f"/proc/{p}/smaps_rollup").read_text()
                pss += int(next(ln.split()[1] for ln in roll.splitlines() if ln.startswith("Pss:")))
            except (OSError, StopIteration):
                pass
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            todo.extend(int(k) for k in kids)
        except (OSError, StopIteration):
            continue
    return rss, pss


COLD_CHILD = r"""
import json, shutil, sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
import analysis
from analysis.corpus import load_corpus
from analysis.pipeline import score_corpus
arts, _ = load_corpus("allsides_techpolicy")
t1 = time.perf_counter()
d = tempfile.mkdtemp()
try:
    score_corpus(arts, jobs=int(sys.argv[1]), cache_dir=Path(d), progress=False)
    t2 = time.perf_counter()
finally:
    shutil.rmtree(d)
print(json.dumps({"package": analysis.__file__, "setup_s": t1 - t0, "score_s": t2 - t1}))
"""


def cold_fresh(tree: Path, jobs: int = 2) -> dict:
    """One cold ``score_corpus`` of the pool in a fresh interpreter importing ``analysis`` from
    ``tree`` (data always from this checkout); ``cpu_s`` is user+system time of the child and
    its workers."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "ANALYSIS_ROOT": str(ROOT), "OMP_NUM_THREADS": "1"}
    env["OPENBLAS_NUM_THREADS"] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", COLD_CHILD, str(jobs)],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if Path(out["package"]).resolve().parent.parent != Path(tree).resolve():
        raise SystemExit(f"cold run imported {out['package']}, not the package in {tree}")
    out["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out


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


def stage_costs(articles, sents) -> dict[str, float]:
    """CPU seconds of each pipeline stage over the whole pool, run one after another in this
    process (the same functions ``analysis.pipeline.score_chunk`` calls)."""
    from analysis.actors import actor_mentions, mention_sentiment
    from analysis.framing import frame_hits
    from analysis.pipeline import _sentiment
    from analysis.sentiment import _fast_vader, news_polarity, vader_polarity
    from analysis.text import sentence_table

    texts = sents["text"].tolist()
    out: dict[str, float] = {}

    def cpu(name, fn):
        t = time.process_time()
        got = fn()
        out[name] = round(time.process_time() - t, 3)
        return got

    cpu("sentences", lambda: sentence_table(articles))
    cpu("vader", lambda: vader_polarity(texts))
    cpu("news_scorer", lambda: news_polarity(texts))
    _fast_vader().clear_cache()  # the shared stage rescores some sentences with FastVader
    senti = cpu("sentiment_stage_shared", lambda: _sentiment(sents))
    cpu("frames", lambda: frame_hits(sents, articles=articles))
    mentions = cpu("actor_mentions", lambda: actor_mentions(sents))
    # as the pipeline runs it: the sentence VADER of the sentiment stage is passed in
    cpu("actor_target_sentiment", lambda: mention_sentiment(sents, mentions, sentiment=senti))
    out["mentions"] = int(len(mentions))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--synthetic", type=int, default=100_000)
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--only-synthetic", action="store_true", help="only the 100k streaming run")
    ap.add_argument("--batch-size", type=int, default=2000, help="streaming batch (articles)")
    ap.add_argument("--cold-tree", type=Path, help="also time cold runs of the package in DIR")
    ap.add_argument(
        "--cold-only", action="store_true", help="reference and cold runs only (no frames/stages)"
    )
    args = ap.parse_args()

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from analysis.corpus import load_corpus
    from analysis.framing import frame_hits
    from analysis.text import sentence_table

    res: dict = {"machine": machine(), "runs": args.runs}
    articles, _ = load_corpus("allsides_techpolicy")
    t = time.perf_counter()
    sents = sentence_table(articles)
    res["sentence_split_s"] = round(time.perf_counter() - t, 3)
    texts = sents["text"].tolist()
    res["articles"], res["sentences"] = len(articles), len(texts)

    if not args.only_synthetic:
        sia = SentimentIntensityAnalyzer()
        # cold runs, each in a fresh interpreter (this process has warmed nothing they use),
        # interleaved with the reference loop run by run: the reference moves by up to 50%
        # between minutes on this virtual machine, so each round times all of them together
        trees = {"this": ROOT}
        if args.cold_tree:
            trees["other"] = args.cold_tree.resolve()
            res["cold_other_tree"] = str(args.cold_tree)
        cold_runs: dict[str, list[dict]] = {k: [] for k in trees}
        ref_all = []
        for _ in range(args.runs):
            ref_all.append(timed(lambda: [sia.polarity_scores(s) for s in texts], 1)[0])
            for k, tree in trees.items():
                cold_runs[k].append(cold_fresh(tree))
        ref = statistics.median(ref_all)
        res["reference_vader_loop_s"] = round(ref, 3)
        res["reference_runs_s"] = [round(x, 3) for x in ref_all]
        for k, runs in cold_runs.items():
            prefix = "cold_2jobs" if k == "this" else "cold_2jobs_other_tree"
            med = statistics.median(r["score_s"] for r in runs)
            res[f"{prefix}_s"] = round(med, 3)
            res[f"{prefix}_ratio"] = round(med / ref, 3)
            res[f"{prefix}_runs_s"] = [round(r["score_s"], 3) for r in runs]
            res[f"{prefix}_cpu_s"] = round(statistics.median(r["cpu_s"] for r in runs), 2)
            # each round's cold time over the reference timed just before it
            res[f"{prefix}_round_ratios"] = [
                round(r["score_s"] / x, 3) for r, x in zip(runs, ref_all, strict=True)
            ]
        res["load_avg_after_cold"] = os.getloadavg()[0]

    if not args.only_synthetic and not args.cold_only:
        # as the pipeline runs it (article texts given: hits located in the texts themselves) ...
        frames, _ = timed(lambda: frame_hits(sents, articles=articles), args.runs)
        res["frames_pass_s"] = round(frames, 3)
        res["frames_ratio"] = round(frames / ref, 3)
        # ... and from the sentence table alone (texts rebuilt from the sentences)
        frames_s, _ = timed(lambda: frame_hits(sents), args.runs)
        res["frames_pass_from_sentences_s"] = round(frames_s, 3)
        res["frames_from_sentences_ratio"] = round(frames_s / ref, 3)

        # where the time goes: each stage of the pipeline once over the whole pool, one core
        res["stage_cpu_s"] = stage_costs(articles, sents)

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

    if not args.skip_synthetic and not args.cold_only:
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
            str(args.batch_size),
        ]
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak_rss = peak_pss = 0
        while proc.poll() is None:
            rss, pss = tree_memory_kb(proc.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.2)
        if proc.returncode:
            raise SystemExit(f"streaming run failed ({proc.returncode})")
        res["synthetic_batch_size"] = args.batch_size
        res["synthetic_peak_rss_mb_tree"] = round(peak_rss / 1024, 1)
        res["synthetic_peak_pss_mb_tree"] = round(peak_pss / 1024, 1)
        res["synthetic_articles"] = args.synthetic
        res["synthetic_s"] = round(time.perf_counter() - t, 1)
        rep = json.loads((tmp / "out" / "report.json").read_text())
        res["synthetic_scored"] = rep["articles_scored"]
        shutil.rmtree(tmp)
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
