"""Exact and near-duplicate articles, grouped into ``dup_group``.

* Exact: identical text after normalisation (case folded, punctuation and whitespace collapsed).
* Near: MinHash over word 5-gram shingles (``datasketch``: well kept, vectorised ``update_batch``,
  LSH index so candidate pairs are found without comparing every pair) with a configurable
  Jaccard threshold; every LSH candidate is then checked with its MinHash Jaccard estimate, and
  pairs whose dates are both known but further apart than ``window_days`` are not linked.
* Groups are connected components of the linked pairs. The representative of a group is the
  article with the longest text (ties: first in load order); ``dup_group`` is its ``doc_id``.

``duplicate_pairs`` lists every linked pair with its kind and similarity so folding can be
reviewed.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_MASK32 = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True)
class DedupConfig:
    threshold: float = 0.85  # Jaccard similarity of word 5-gram shingles
    window_days: float | None = 30.0  # None: link regardless of dates
    shingle: int = 5
    num_perm: int = 128
    seed: int = 1


def normalised_text(text: str) -> str:
    """Case-folded words joined by single spaces (punctuation and whitespace collapsed)."""
    return " ".join(_WORD_RE.findall((text or "").lower()))


def _identity(x: object) -> object:
    return x


def shingle_hashes(norm: str, k: int, vocab: dict[str, int] | None = None) -> np.ndarray:
    """Distinct 32-bit hashes of the word ``k``-grams of a normalised text.

    Words are hashed once with CRC-32 (stable across runs, unlike ``hash``) and combined with a
    polynomial rolling hash in numpy: ~20x faster than hashing every shingle string with SHA-1,
    which is what dominated de-duplication time when measured.
    """
    words = norm.split()
    if not words:
        return np.zeros(1, dtype=np.uint64)
    if vocab is None:
        vocab = {}
    missing = [w for w in set(words) if w not in vocab]
    for w in missing:
        vocab[w] = zlib.crc32(w.encode())
    wh = np.array([vocab[w] for w in words], dtype=np.uint64)
    if len(words) < k:
        k = len(words)
    m = len(words) - k + 1
    h = np.zeros(m, dtype=np.uint64)
    for j in range(k):
        h = h * np.uint64(1_000_003) + wh[j : j + m]
    return np.unique(h & _MASK32)


def duplicate_pairs(articles: pd.DataFrame, config: DedupConfig | None = None) -> pd.DataFrame:
    """Linked pairs ``(doc_id_a, doc_id_b, kind, similarity, days_apart)``; ``kind`` is "exact" or
    "near". ``a`` precedes ``b`` in load order."""
    from datasketch import MinHash, MinHashLSH

    cfg = config or DedupConfig()
    ids = articles["doc_id"].astype(str).tolist()
    norms = [normalised_text(t) for t in articles["text"].astype(str)]
    dates = pd.to_datetime(articles["date"]) if "date" in articles else pd.Series(pd.NaT)
    dates = dates.reset_index(drop=True)
    pairs: list[tuple[str, str, str, float, float]] = []

    def days(i: int, j: int) -> float:
        a, b = (
            dates.iloc[i] if len(dates) > i else pd.NaT,
            dates.iloc[j] if len(dates) > j else pd.NaT,
        )
        return float("nan") if pd.isna(a) or pd.isna(b) else abs((a - b).total_seconds()) / 86400

    # exact
    first: dict[str, int] = {}
    exact_of: dict[int, int] = {}
    for i, n in enumerate(norms):
        h = hashlib.blake2b(n.encode(), digest_size=16).hexdigest()
        if h in first:
            exact_of[i] = first[h]
            pairs.append((ids[first[h]], ids[i], "exact", 1.0, days(first[h], i)))
        else:
            first[h] = i
    # near (only among distinct texts)
    lsh = MinHashLSH(threshold=cfg.threshold, num_perm=cfg.num_perm)
    vocab: dict[str, int] = {}  # word -> CRC-32, shared across articles
    template = MinHash(num_perm=cfg.num_perm, seed=cfg.seed, hashfunc=_identity)
    hashes: dict[int, MinHash] = {}
    for i, n in enumerate(norms):
        if i in exact_of:
            continue
        m = MinHash(
            num_perm=cfg.num_perm,
            seed=cfg.seed,
            hashfunc=_identity,
            permutations=template.permutations,
            scheme=template.scheme,
        )
        m.update_batch(shingle_hashes(n, cfg.shingle, vocab))
        hashes[i] = m
        lsh.insert(str(i), m)
    for i, m in hashes.items():
        for key in lsh.query(m):
            j = int(key)
            if j <= i:
                continue
            sim = float(m.jaccard(hashes[j]))
            if sim < cfg.threshold:
                continue
            d = days(i, j)
            if cfg.window_days is not None and not np.isnan(d) and d > cfg.window_days:
                continue
            pairs.append((ids[i], ids[j], "near", round(sim, 4), d))
    out = pd.DataFrame(pairs, columns=["doc_id_a", "doc_id_b", "kind", "similarity", "days_apart"])
    return out.sort_values(["doc_id_a", "doc_id_b"], kind="stable").reset_index(drop=True)


def duplicate_groups(articles: pd.DataFrame, pairs: pd.DataFrame) -> pd.Series:
    """``dup_group`` per article (the representative's ``doc_id``; its own id when unique)."""
    ids = articles["doc_id"].astype(str).tolist()
    index = {d: i for i, d in enumerate(ids)}
    parent = list(range(len(ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(pairs["doc_id_a"], pairs["doc_id_b"]):
        ra, rb = find(index[a]), find(index[b])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    lengths = articles["text"].astype(str).str.len().tolist()
    best: dict[int, int] = {}
    for i in range(len(ids)):
        r = find(i)
        if r not in best or lengths[i] > lengths[best[r]]:
            best[r] = i
    return pd.Series(
        [ids[best[find(i)]] for i in range(len(ids))], index=articles.index, name="dup_group"
    )
