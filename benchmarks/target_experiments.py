"""Model-selection experiments for the target-sentiment model (benchmarks/RESULTS_target.md).

Round 4 (issue #3): shallow-parse features from pattern's Brill tagger and chunker, vendored
inside textblob (``textblob.en.parser``; its lexicons ship in the wheel, no download). Every
configuration is scored by the same article-grouped 5-fold CV on NewsMTSC train.jsonl as
``analysis.target_sentiment.grouped_cv_scores`` (same folds, same training recipe: multi-target
sentences 3x, coreferent rows 0.5 following their target's fold); devtest_mt is never read.

The tagger runs on the module's own tokens (``_Sentence`` offsets), so every tag belongs to
exactly one of the tokens the other features use: no re-alignment of two tokenisations.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/target_experiments.py [--only NAME ...]

Prints one line per configuration: CV macro-F1 on all targets (mean, fold SD) and on the
targets of multi-target sentences ("multi", the selection criterion; mean, fold SD).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis import target_sentiment as T

# ----------------------------------------------------------------------------- shallow parse
_APOS_BASE = {"can't": "can", "won't": "will", "ain't": "is", "shan't": "shall"}
_VERB_NEG = {"not", "n't", "never", "no"}


def _tag_token(tok: str) -> tuple[str, bool]:
    """The form given to the tagger for one module token (clitics stripped) and whether the
    token carried a negating clitic (``wasn't``)."""
    t = tok.replace("’", "'")
    low = t.lower()
    if low in _APOS_BASE:
        return _APOS_BASE[low], True
    if low.endswith("n't") and len(t) > 3:
        return t[:-3], True
    if "'" in t:
        return t.split("'", 1)[0] or t, False
    return tok, False


def shallow_parse(sentence: str, info: T._Sentence) -> tuple[list[str], list[str], list[str]]:
    """Penn tag, chunk tag (B-NP, I-VP, O, ...) and PNP tag of each module token of ``sentence``."""
    from textblob.en import parser

    toks = [sentence[a:b] for a, b in zip(info.starts, info.ends)]
    if not toks:
        return [], [], []
    forms = [_tag_token(t)[0] for t in toks]
    out = parser.find_chunks(parser.find_tags(forms))
    return [o[1] for o in out], [o[2] for o in out], [o[3] for o in out]


def _chunks(chunk: list[str]) -> tuple[list[int], list[tuple[str, int, int]]]:
    """Chunk id of every token (-1 outside chunks) and the chunks as (type, begin, end)."""
    cid, spans = [], []
    for i, c in enumerate(chunk):
        if c.startswith("B-") or (c.startswith("I-") and (not spans or spans[-1][2] != i)):
            spans.append([c[2:], i, i + 1])
        elif c.startswith("I-"):
            spans[-1][2] = i + 1
        else:
            cid.append(-1)
            continue
        cid.append(len(spans) - 1)
    return cid, [tuple(s) for s in spans]


_LEX_CACHE: dict[str, float] = {}


def word_valence(w: str) -> float:
    """Sign of a word's valence: VADER, else AFINN, else General Inquirer (hiv4), trying the
    word and crude stems (-ed, -d, -s, -es, -ing)."""
    got = _LEX_CACHE.get(w)
    if got is not None:
        return got
    from analysis import sentiment_lexicons as L

    if not _LEX_CACHE:
        _LEX_CACHE["\0afinn"] = L.load_afinn()  # type: ignore[assignment]
        _LEX_CACHE["\0hiv4"] = L.load_hiv4()  # type: ignore[assignment]
    lexs = (T._lexicon(), _LEX_CACHE["\0afinn"], _LEX_CACHE["\0hiv4"])
    forms = [w]
    for suf, rep in (
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
        ("es", ""),
        ("s", ""),
        ("ing", ""),
        ("ing", "e"),
    ):
        if w.endswith(suf) and len(w) > len(suf) + 2:
            forms.append(w[: -len(suf)] + rep)
            if not rep and w[-len(suf) - 1] == w[-len(suf) - 2]:  # "slammed" -> "slam"
                forms.append(w[: -len(suf) - 1])
    v = 0.0
    for lx in lexs:
        for f in forms:
            x = lx.get(f)
            if x:
                v = float(np.sign(x))
                break
        if v:
            break
    _LEX_CACHE[w] = v
    return v


def _valence(words: list[str], lo: int, hi: int, lex: dict) -> float:
    v = sum(word_valence(w) for w in words[lo:hi])
    if any(w in _VERB_NEG or w.endswith("n't") for w in words[lo:hi]):
        v = -v
    return v


def _sign(v: float) -> str:
    return "pos" if v > 0 else ("neg" if v < 0 else "0")


_BE = {"is", "are", "was", "were", "be", "been", "being", "get", "got", "gets"}


def _passive(words: list[str], tags: list[str], vp: tuple) -> bool:
    """A verb phrase of a form of "be"/"get" followed by a VBN/VBD (or any VBN)."""
    seen_be = False
    for i in range(vp[1], vp[2]):
        if tags[i] == "VBN" or (seen_be and tags[i] == "VBD"):
            return True
        seen_be = seen_be or words[i] in _BE
    return False


_ROLE_PREPS = {"against", "for", "with", "by", "of", "from", "to", "on", "about", "over"}


def syn_tokens(info, parse, geom, groups: frozenset[str]) -> list[str]:
    """Shallow-parse feature tokens of one target (``groups`` selects the families)."""
    tags, chunk, pnp = parse
    t0, t1, c0, c1 = geom[:4]
    n = len(tags)
    if t1 <= t0 or t0 >= n:
        return ["syn_none"]
    words = info.words
    lex = T._lexicon()
    cid, spans = _chunks(chunk)
    out: list[str] = []
    # chunks of the clause, target's chunk extent
    tc = [cid[i] for i in range(t0, t1) if cid[i] >= 0]
    lo_t = min([spans[c][1] for c in tc] + [t0])
    hi_t = max([spans[c][2] for c in tc] + [t1])
    vps = [s for s in spans if s[0] == "VP" and c0 <= s[1] and s[2] <= c1]
    left_vp = [s for s in vps if s[2] <= lo_t]
    right_vp = [s for s in vps if s[1] >= hi_t]
    lvp = left_vp[-1] if left_vp else None
    rvp = right_vp[0] if right_vp else None
    # role
    in_pnp = pnp[t0] == "I-PNP"
    prep = None
    if in_pnp:
        k = t0
        while k > 0 and pnp[k] != "B-PNP":
            k -= 1
        if pnp[k] == "B-PNP" and k >= c0:
            prep = words[k]
        else:
            in_pnp = False
    if in_pnp:
        role = "pnp_" + (prep if prep in _ROLE_PREPS else "other")
    elif lvp is None:
        role = "subj"
    else:
        role = "obj"
    if "role" in groups:
        out.append("role_" + role)
        if tags[t0].startswith("PRP"):
            out.append("tgt_pron")

    def vp_head(s) -> str | None:
        vs = [words[i] for i in range(s[1], s[2]) if tags[i].startswith(("VB", "MD"))]
        return vs[-1] if vs else None

    def vp_feats(s, side: str) -> None:
        if s is None:
            return
        h = vp_head(s)
        v = _valence(words, s[1], s[2], lex)
        neg = any(w in _VERB_NEG or w.endswith("n't") for w in words[s[1] : s[2]])
        if h is not None and "verb" in groups:
            out.append(f"v{side}_{'not_' if neg else ''}{h}")
        if "val" in groups:
            out.append(f"v{side}v_{_sign(v)}")

    if "verb" in groups or "val" in groups:
        vp_feats(lvp, "l")
        vp_feats(rvp, "r")
    if "rolev" in groups:  # the governing verb by role
        gov = rvp if role == "subj" else lvp
        if gov is not None:
            h = vp_head(gov)
            v = _valence(words, gov[1], gov[2], lex)
            if h is not None:
                out.append(f"{role}_v_{h}")
            out.append(f"{role}_vv_{_sign(v)}")
            # subject + copula/verb + adjective phrase or object NP valence
            if role == "subj":
                nxt = [s for s in spans if s[1] == gov[2]]
                if nxt and nxt[0][0] in ("ADJP", "NP"):
                    a = _valence(words, nxt[0][1], nxt[0][2], lex)
                    if a:
                        out.append(f"subj_pred_{_sign(a if v >= 0 else -a)}")
                    if nxt[0][0] == "ADJP":
                        out.append("subj_adjp_" + words[nxt[0][2] - 1])
        if prep == "by" and lvp is not None and _passive(words, tags, lvp):
            h = vp_head(lvp)
            out.append(f"agent_v_{h}")
            out.append(f"agent_vv_{_sign(_valence(words, lvp[1], lvp[2], lex))}")
        if prep is not None and in_pnp:
            # head noun / verb the prepositional phrase attaches to ("criticism of TGT")
            k = t0
            while k > 0 and pnp[k] != "B-PNP":
                k -= 1
            if k > 0:
                j = k - 1
                out.append(f"pp_{prep}_{words[j]}")
                vj = word_valence(words[j])
                if vj:
                    out.append(f"pp_{prep}_att_{_sign(vj)}")
    if "mod" in groups:  # modifiers inside the target's own chunk and adjacent ADJP
        for i in range(lo_t, hi_t):
            if t0 <= i < t1:
                continue
            if tags[i].startswith(("JJ", "RB", "VBN", "VBG")) or (
                tags[i].startswith("NN") and i >= t1
            ):
                out.append("mod_" + words[i])
                v = word_valence(words[i])
                if v:
                    out.append("modv_" + _sign(v))
        for c in (cid[lo_t - 1] if lo_t > 0 else -1, cid[hi_t] if hi_t < n else -1):
            if c >= 0 and spans[c][0] == "ADJP":
                for i in range(spans[c][1], spans[c][2]):
                    out.append("adjp_" + words[i])
    if "pos" in groups:  # POS-filtered clause words, by side
        for i in range(c0, c1):
            if t0 <= i < t1:
                continue
            tg = tags[i]
            if tg.startswith(("JJ", "RB", "VB", "NN")) and tg not in ("NNP", "NNPS"):
                out.append(("pl_" if i < t0 else "pr_") + tg[:2] + "_" + words[i])
    if "block" in groups:
        # is another proper-noun/pronoun phrase between the target and the nearest valence
        # word on each side (sentence-wide)? Then the valence more likely concerns that one.
        ent = [
            i
            for i in range(n)
            if (tags[i].startswith("NNP") or tags[i] in ("PRP",)) and not t0 <= i < t1
        ]
        for side, rng in (("l", range(t0 - 1, -1, -1)), ("r", range(t1, n))):
            for i in rng:
                if tags[i].startswith("NNP"):
                    continue  # names are not valence words here ("amazon" is in VADER)
                v = word_valence(words[i])
                if v:
                    a, b = (i, t0) if side == "l" else (t1, i)
                    blocked = any(a < e < b for e in ent)
                    out.append(f"blk_{side}_{_sign(v)}_{int(blocked)}")
                    break
        out.append(f"n_ent_{min(len({spans[cid[e]][1] if cid[e] >= 0 else e for e in ent}), 3)}")
    if "tag" in groups:  # the tags around the target (a syntactic frame)
        lt = tags[t0 - 1] if t0 > 0 else "BOS"
        rt = tags[t1] if t1 < n else "EOS"
        out.append(f"tagl_{lt}")
        out.append(f"tagr_{rt}")
        out.append(f"tagf_{lt}_{rt}")
        out.append("tchunk_" + (chunk[t0][2:] if chunk[t0] != "O" else "O"))
    return out


# ----------------------------------------------------------------------------- PPMI-SVD vectors
def ppmi_svd_vectors(
    texts: list[str], dim: int = 50, min_count: int = 10, window: int = 4
) -> tuple[dict[str, int], np.ndarray]:
    """Word vectors from unlabelled text: PPMI of word co-occurrence within ``window`` words
    (context distribution smoothing 0.75), truncated SVD, rows scaled to unit length."""
    from collections import Counter

    from sklearn.decomposition import TruncatedSVD

    toks = [[w for w in T._TOKEN_RE.findall(t.lower()) if w[0].isalnum()] for t in texts]
    cnt = Counter(w for ts in toks for w in ts)
    vocab = {w: i for i, (w, c) in enumerate(cnt.most_common()) if c >= min_count}
    ids = [np.array([vocab.get(w, -1) for w in ts], dtype=np.int64) for ts in toks]
    sid = np.concatenate([np.full(len(x), k) for k, x in enumerate(ids)])
    allid = np.concatenate(ids)
    rows, cols = [], []
    for d in range(1, window + 1):
        ok = (sid[d:] == sid[:-d]) & (allid[d:] >= 0) & (allid[:-d] >= 0)
        rows += [allid[:-d][ok], allid[d:][ok]]
        cols += [allid[d:][ok], allid[:-d][ok]]
    r, c = np.concatenate(rows), np.concatenate(cols)
    V = len(vocab)
    C = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(V, V))
    C.sum_duplicates()
    total = C.sum()
    wr = np.asarray(C.sum(axis=1)).ravel()
    wc = np.asarray(C.sum(axis=0)).ravel() ** 0.75
    wc = wc / wc.sum()
    C = C.tocoo()
    pmi = np.log(C.data * 1.0 / total) - np.log(wr[C.row] / total) - np.log(wc[C.col])
    keep = pmi > 0
    M = sp.csr_matrix((pmi[keep], (C.row[keep], C.col[keep])), shape=(V, V))
    U = TruncatedSVD(dim, random_state=0).fit_transform(M)
    U /= np.maximum(np.linalg.norm(U, axis=1, keepdims=True), 1e-9)
    return vocab, U


def emb_features(infos, geoms, vocab, U) -> pd.DataFrame:
    """Distance-weighted mean vectors of the clause words left and right of the target and
    the vectors of the nearest content word either side (zeros when none)."""
    dim = U.shape[1]
    stop = T.ENGLISH_STOP_WORDS
    out = np.zeros((len(infos), 4 * dim))
    for r, (info, g) in enumerate(zip(infos, geoms)):
        t0, t1, c0, c1 = g[:4]
        w = info.words
        for k, (rng, near) in enumerate(((range(t0 - 1, c0 - 1, -1), 2), (range(t1, c1), 3))):
            acc = np.zeros(dim)
            tot = 0.0
            nearest = None
            for d, i in enumerate(rng, start=1):
                j = vocab.get(w[i])
                if j is None or w[i] in stop:
                    continue
                a = T._DECAY[d] if d < 64 else 0.0
                acc += a * U[j]
                tot += a
                if nearest is None:
                    nearest = j
            if tot:
                out[r, k * dim : (k + 1) * dim] = acc / tot
            if nearest is not None:
                out[r, near * dim : (near + 1) * dim] = U[nearest]
    return pd.DataFrame(out, columns=[f"e{i}" for i in range(4 * dim)])


# ----------------------------------------------------------------------------- CV harness
T._VECTORIZERS.setdefault(
    "syn",
    {
        "analyzer": "word",
        "token_pattern": r"\S+",
        "lowercase": False,
        "min_df": 2,
        "sublinear_tf": True,
    },
)


class SynClassifier(T.TargetSentimentClassifier):
    """The shipped classifier plus a ``syn`` TF-IDF block (weight ``syn_weight``)."""

    syn_weight = 1.0
    use_syn = True

    def _fields(self):
        base = [f for f in ("masked", "ctx") if self.use_sentence or f != "masked"]
        return [*base, "syn"] if self.use_syn else base

    emb_cols: tuple[str, ...] = ()
    emb_weight = 1.0

    def _matrix(self, feats, fit):
        M = super()._matrix(feats, fit)
        if self.emb_cols:
            E = feats[list(self.emb_cols)].to_numpy(dtype=float)
            if fit:
                self.emb_mean_ = E.mean(axis=0)
                sd = E.std(axis=0)
                self.emb_scale_ = np.where(sd > 0, sd, 1.0)
            Z = (E - self.emb_mean_) / self.emb_scale_ * self.emb_weight
            M = sp.hstack([M, sp.csr_matrix(Z)], format="csr")
        if self.use_syn and self.syn_weight != 1.0:
            k = len(self.vectorizers_["syn"].vocabulary_)
            off = sum(len(self.vectorizers_[f].vocabulary_) for f in self._fields()[:-1])
            d = np.ones(M.shape[1])
            d[off : off + k] = self.syn_weight
            M = M @ sp.diags(d)
        return M


def cv(
    feats: pd.DataFrame,
    df: pd.DataFrame,
    y_all: np.ndarray,
    w: np.ndarray,
    origin: np.ndarray,
    params: dict,
    use_syn: bool,
    syn_weight: float = 1.0,
    emb_cols: tuple[str, ...] = (),
    emb_weight: float = 1.0,
    pseudo: tuple[pd.DataFrame, float, float] | None = None,
) -> dict:
    """``grouped_cv_scores`` on a precomputed feature frame (same folds and weights).

    ``pseudo = (frame, threshold, weight)``: self-training; in each fold the fold's model labels
    the unlabelled rows of ``frame``, those with a top probability >= threshold are added with
    their predicted label and ``weight``, and the model is refitted (the test fold never sees
    labels it did not have)."""
    from sklearn.model_selection import GroupKFold

    y = df["polarity"].to_numpy()
    multi = (df.groupby("gid")["gid"].transform("size") > 1).to_numpy()
    f_all, f_multi, n_pseudo = [], [], []
    for tr, te in GroupKFold(n_splits=5).split(df, groups=df["group"]):
        in_tr = np.isin(origin, tr)
        m = SynClassifier(**params)
        m.use_syn, m.syn_weight = use_syn, syn_weight
        m.emb_cols, m.emb_weight = emb_cols, emb_weight
        m.fit_features(feats.iloc[np.flatnonzero(in_tr)], y_all[in_tr], sample_weight=w[in_tr])
        if pseudo is not None:
            pf, thr, pw = pseudo
            p = m._softmax(m.decision_features(pf))
            keep = p.max(axis=1) >= thr
            yl = m.classes_[p.argmax(axis=1)][keep]
            n_pseudo.append({c: int((yl == c).sum()) for c in m.classes_})
            f2 = pd.concat([feats.iloc[np.flatnonzero(in_tr)], pf[keep]], ignore_index=True)
            m = SynClassifier(**params)
            m.use_syn, m.syn_weight = use_syn, syn_weight
            m.emb_cols, m.emb_weight = emb_cols, emb_weight
            m.fit_features(
                f2,
                np.concatenate([y_all[in_tr], yl]),
                sample_weight=np.concatenate([w[in_tr], np.full(int(keep.sum()), pw)]),
            )
        pred = m.classes_[np.argmax(m.decision_features(feats.iloc[te]), axis=1)]
        f_all.append(T._scores(y[te], pred)["macro_f1"])
        mt = multi[te]
        f_multi.append(T._scores(y[te][mt], pred[mt])["macro_f1"])
    return {
        "cv_all": float(np.mean(f_all)),
        "sd_all": float(np.std(f_all, ddof=1)),
        "cv_multi": float(np.mean(f_multi)),
        "sd_multi": float(np.std(f_multi, ddof=1)),
        "folds_all": f_all,
        "folds_multi": f_multi,
        "n_pseudo": n_pseudo,
    }


CONFIGS: dict[str, dict] = {
    "baseline (shipped configuration, no syn block)": {"syn": None},
    "role": {"syn": {"role"}},
    "role + rolev": {"syn": {"role", "rolev"}},
    "verb + val (nearest VP either side)": {"syn": {"verb", "val"}},
    "mod": {"syn": {"mod"}},
    "tag": {"syn": {"tag"}},
    "pos (POS-filtered clause words)": {"syn": {"pos"}},
    "role + rolev + verb + val + mod": {"syn": {"role", "rolev", "verb", "val", "mod"}},
    "block": {"syn": {"block"}},
    "verb + val + block": {"syn": {"verb", "val", "block"}},
    "role + rolev + verb + val + mod + block": {
        "syn": {"role", "rolev", "verb", "val", "mod", "block"}
    },
    "role + rolev + verb + val + mod, tokens in the ctx block": {
        "syn": {"role", "rolev", "verb", "val", "mod"},
        "into_ctx": True,
    },
    "all syn families but block": {"syn": {"role", "rolev", "verb", "val", "mod", "tag", "pos"}},
    "all syn families": {"syn": {"role", "rolev", "verb", "val", "mod", "tag", "pos", "block"}},
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", help="configuration names (default: all)")
    ap.add_argument("--weights", nargs="*", type=float, default=[])
    ap.add_argument("--parse-speed", action="store_true")
    ap.add_argument("--self-train", nargs="*", type=float, default=[], help="thresholds")
    ap.add_argument("--folds", action="store_true", help="print the per-fold scores")
    ap.add_argument("--emb", nargs="*", type=int, default=[], help="PPMI-SVD dimensions")
    args = ap.parse_args()
    t = time.perf_counter()
    df = T.newsmtsc_targets("train").reset_index(drop=True)
    params = dict(T.DEFAULT_PARAMS)
    rows_df, w = T._training_rows(df, **T.DEFAULT_RECIPE)
    feats = T.target_features(
        rows_df, window=params["window"], extra=params["extra"], use_vader=params["use_vader"]
    )
    P = T._parts(rows_df, params["window"], params["extra"], False)
    y_all = rows_df["polarity"].to_numpy()
    origin = np.concatenate(
        [np.arange(len(df)), np.repeat(np.arange(len(df)), df["further_spans"].map(len))]
    )
    assert len(origin) == len(rows_df)
    parses: dict[int, tuple] = {}
    tp = time.process_time()
    for info, s in zip(P.infos, rows_df["sentence"]):
        if id(info) not in parses:
            parses[id(info)] = shallow_parse(s, info)
    tp = time.process_time() - tp
    print(
        f"features in {time.perf_counter() - t:.0f} s; shallow parse of {len(parses)} sentences: "
        f"{tp:.1f} s CPU ({1e3 * tp / len(parses):.3f} ms per sentence)",
        flush=True,
    )
    if args.parse_speed:  # tagger + chunker cost on the pipeline's distinct sentences
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_target_sentiment import mention_inputs

        uniq = list(dict.fromkeys(mention_inputs()["sentence"]))
        infos = [T._Sentence(u) for u in uniq]
        shallow_parse(uniq[0], infos[0])  # load the lexicons once
        tp = time.process_time()
        for u, i in zip(uniq, infos):
            shallow_parse(u, i)
        tp = time.process_time() - tp
        print(
            f"shallow parse of the {len(uniq):,} distinct pool sentences: {tp:.1f} s CPU "
            f"({1e3 * tp / len(uniq):.3f} ms per sentence)"
        )
        return
    if args.self_train:  # thresholds; weights from --weights
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_target_sentiment import mention_inputs

        t = time.perf_counter()
        pool = mention_inputs().drop_duplicates(["sentence", "start", "end"])
        pf = T.target_features(
            pool, window=params["window"], extra=params["extra"], use_vader=params["use_vader"]
        )
        print(f"pool: {len(pf):,} mentions featurised in {time.perf_counter() - t:.0f} s")
        for thr in args.self_train:
            for pw in args.weights or [0.3]:
                r = cv(feats, df, y_all, w, origin, params, False, pseudo=(pf, thr, pw))
                print(
                    f"| self-training on the pool's actor mentions, p >= {thr}, weight {pw} | "
                    f"{r['cv_all']:.3f} ± {r['sd_all']:.3f} | "
                    f"{r['cv_multi']:.3f} ± {r['sd_multi']:.3f} | pseudo rows per fold "
                    f"(neg/neu/pos): {[tuple(d.values()) for d in r['n_pseudo']]}",
                    flush=True,
                )
        return
    if args.emb:
        from analysis.corpus import load_corpus
        from analysis.text import sentence_table

        t = time.perf_counter()
        arts, _ = load_corpus("allsides_techpolicy")
        texts = sentence_table(arts)["text"].tolist() + list(dict.fromkeys(df["sentence"]))
        for dim in args.emb:
            vocab, U = ppmi_svd_vectors(texts, dim=dim)
            E = emb_features(P.infos, P.geoms, vocab, U)
            took = time.perf_counter() - t
            print(f"PPMI-SVD {dim}: {len(vocab)} words, {took:.0f} s", flush=True)
            f = pd.concat([feats, E], axis=1)
            for ew in args.weights or [1.0]:
                r = cv(f, df, y_all, w, origin, params, False, 1.0, tuple(E.columns), ew)
                print(
                    f"| PPMI-SVD word vectors ({dim} d, corpus + train sentences), weight {ew} | "
                    f"{r['cv_all']:.3f} ± {r['sd_all']:.3f} | "
                    f"{r['cv_multi']:.3f} ± {r['sd_multi']:.3f} |",
                    flush=True,
                )
        return
    names = args.only or list(CONFIGS)
    for name in names:
        cfg = CONFIGS[name]
        t = time.perf_counter()
        f = feats
        if cfg["syn"] is not None:
            g = frozenset(cfg["syn"])
            f = feats.copy()
            f["syn"] = [
                " ".join(syn_tokens(i, parses[id(i)], geo, g)) or "syn_empty"
                for i, geo in zip(P.infos, P.geoms)
            ]
        use_syn = cfg["syn"] is not None
        if cfg.get("into_ctx"):
            f["ctx"] = f["ctx"] + " " + f.pop("syn")
            use_syn = False
        for sw in args.weights or [1.0]:
            r = cv(f, df, y_all, w, origin, params, use_syn, sw)
            label = name if sw == 1.0 else f"{name}, syn weight {sw}"
            if args.folds:
                print("  folds all:", np.round(r["folds_all"], 4).tolist())
                print("  folds multi:", np.round(r["folds_multi"], 4).tolist())
            print(
                f"| {label} | {r['cv_all']:.3f} ± {r['sd_all']:.3f} | "
                f"{r['cv_multi']:.3f} ± {r['sd_multi']:.3f} |  ({time.perf_counter() - t:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
