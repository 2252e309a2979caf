"""Experiments for the generic-frame classifier (issue #4): the grid of RESULTS_frames.md.

Every variant is scored with the protocol of ``evaluate_frames``: outer 5-fold CV by article
(``frame_folds``, seeds 0/1/2), vocabulary/idf/scaling fitted on the outer training folds,
Platt calibration and the F1-maximising threshold chosen on out-of-fold decisions of an inner
5-fold CV *inside* the training folds; the outer test articles are only predicted.

The grid was fixed before running (see ``VARIANTS``); every variant is reported, none dropped.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/frame_experiments.py [seed ...]``
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from analysis import frame_classifier as F
from analysis.agreement import (
    FRAME_COLUMNS,
    FRAME_RULES,
    FRAMES,
    annotator_soft_labels,
    load_narrative_frames,
    question_yes_share,
)
from analysis.framing import text_category_rates


def soft_targets(df):
    """Shares of annotators with each frame / answering yes to each rule question; agreement."""
    soft = annotator_soft_labels(df)
    ids = df["doc_id"].astype(str)
    fr = soft[[f"{c}_share" for c in FRAME_COLUMNS]].to_numpy()
    agree = soft[[f"{c}_agreement" for c in FRAME_COLUMNS]].to_numpy()
    share = question_yes_share().reindex(ids)
    qs = [q for r in FRAME_RULES.values() for q in r.questions]
    return fr, share[qs].fillna(0).to_numpy(), qs, soft["n_annotators"].to_numpy(), agree


def features(texts, tr, te, lex=None, lex_w=0.0, **params):
    m = F.FrameClassifier(**params)
    m.stop_words_ = F._resolve_stop_words(m.stop_words)
    trt = [texts[i] for i in tr]
    counter = m._counter()
    counts = counter.fit_transform(m._with_lead(trt))
    vocab = counter.vocabulary_
    m.vocabulary_ = {t: i for i, t in enumerate(sorted(vocab, key=vocab.get))}
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    m.idf_ = np.log((1.0 + len(tr)) / (1.0 + df)) + 1.0
    xtr, xte = m._features(trt), m._features([texts[i] for i in te])
    ctr = m._counter(m.vocabulary_).transform(m._with_lead(trt))
    cte = m._counter(m.vocabulary_).transform(m._with_lead([texts[i] for i in te]))
    if lex is not None and lex_w > 0:
        a, b = lex[tr], lex[te]
        mu, sd = a.mean(0), a.std(0)
        sd[sd == 0] = 1
        xtr = sparse.hstack([xtr, sparse.csr_matrix((a - mu) / sd * lex_w)], format="csr")
        xte = sparse.hstack([xte, sparse.csr_matrix((b - mu) / sd * lex_w)], format="csr")
    return xtr, xte, ctr, cte


# -- base learners: fit on (x, target in [0,1], weight) -> decision function on x2 -----------


def _soft_rows(x, t, w, balanced):
    """Duplicate rows: label 1 with weight t*w, label 0 with weight (1-t)*w."""
    pos, neg = t * w, (1 - t) * w
    if balanced:
        n = w.sum()
        pos = pos * n / (2 * max(pos.sum(), 1e-9))
        neg = neg * n / (2 * max(neg.sum(), 1e-9))
    xx = sparse.vstack([x, x], format="csr")
    yy = np.r_[np.ones(len(t)), np.zeros(len(t))]
    ww = np.r_[pos, neg]
    keep = ww > 0
    return xx[keep], yy[keep], ww[keep]


def lr_learner(C=1.0, balanced=True):
    def fit(x, t, w, x2):
        xx, yy, ww = _soft_rows(x, t, w, balanced)
        m = LogisticRegression(C=C, solver="liblinear").fit(xx, yy, sample_weight=ww)
        return m.decision_function(x2)

    return fit


def svm_learner(C=0.1):
    def fit(x, t, w, x2):
        xx, yy, ww = _soft_rows(x, t, w, True)
        m = LinearSVC(C=C).fit(xx, yy, sample_weight=ww)
        return m.decision_function(x2)

    return fit


def cnb_learner(alpha=0.3):
    def fit(x, t, w, x2):
        xx, yy, ww = _soft_rows(x, t, w, True)
        m = ComplementNB(alpha=alpha).fit(xx, yy, sample_weight=ww)
        jll = m.predict_joint_log_proba(x2) if hasattr(m, "predict_joint_log_proba") else None
        if jll is None:
            jll = m._joint_log_likelihood(x2)
        return jll[:, 1] - jll[:, 0]

    return fit


def nbw_learner(C=1.0, alpha=1.0):
    """NBSVM-style: features scaled by the frame's log-count ratio (Wang & Manning 2012)."""

    def fit(x, t, w, x2):
        yb = t >= 0.5
        p = np.asarray(x[yb].sum(0)).ravel() + alpha
        q = np.asarray(x[~yb].sum(0)).ravel() + alpha
        r = np.log(p / p.sum()) - np.log(q / q.sum())
        d = sparse.diags(r)
        return lr_learner(C)(x @ d, t, w, x2 @ d)

    return fit


def _platt_thr(y, dec):
    platt = LogisticRegression(C=1e4, solver="lbfgs").fit(dec.reshape(-1, 1), y)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    thr, _ = F._best_threshold(y, expit(a * dec + b))
    return a, b, thr


def p_at_least(probs, k):
    """P(at least k of independent events) for columns of probs."""
    n = probs.shape[1]
    dist = np.zeros((probs.shape[0], n + 1))
    dist[:, 0] = 1
    for j in range(n):
        p = probs[:, j : j + 1]
        new = dist * (1 - p)
        new[:, 1:] += dist[:, :-1] * p
        dist = new
    return dist[:, k:].sum(1)


def frame_scores(spec, x, x2, j, T, w):
    """Decision values on x2 for frame j under variant ``spec`` (training rows x, targets T)."""
    kind = spec["target"]
    learners = spec["learners"]
    outs = []
    for learn in learners:
        if kind == "hard":
            outs.append(learn(x, T["y"][:, j].astype(float), np.ones(len(w)), x2))
        elif kind == "hardw":
            outs.append(learn(x, T["y"][:, j].astype(float), T["agree"][:, j], x2))
        elif kind in ("soft", "annot"):
            ww = w if kind == "annot" else np.ones(len(w))
            outs.append(learn(x, T["soft"][:, j], ww, x2))
        elif kind == "questions":
            rule = FRAME_RULES[FRAMES[j]]
            qp = []
            for q in rule.questions:
                qi = T["qnames"].index(q)
                qp.append(expit(learn(x, T["q"][:, qi], np.ones(len(w)), x2)))
            p = p_at_least(np.column_stack(qp), rule.min_yes)
            outs.append(np.log(np.clip(p, 1e-9, 1)) - np.log(np.clip(1 - p, 1e-9, 1)))
        elif kind == "mix":  # direct soft frame model + question-derived, averaged z-scores
            a = learn(x, T["soft"][:, j], np.ones(len(w)), x2)
            rule = FRAME_RULES[FRAMES[j]]
            qp = [
                expit(learn(x, T["q"][:, T["qnames"].index(q)], np.ones(len(w)), x2))
                for q in rule.questions
            ]
            p = np.clip(p_at_least(np.column_stack(qp), rule.min_yes), 1e-9, 1 - 1e-9)
            b = np.log(p) - np.log(1 - p)
            outs.append(np.column_stack([a, b]))
    return outs


def run_variant(spec, texts, Y, T, folds, lex=None):
    pred = np.zeros_like(Y)
    feat = dict(spec.get("feat", {}))
    for tr, te in folds:
        xtr, xte, _, _ = features(texts, tr, te, lex=lex, lex_w=spec.get("lex_w", 0.0), **feat)
        if spec.get("lsa"):
            from sklearn.decomposition import TruncatedSVD

            svd = TruncatedSVD(spec["lsa"], random_state=0).fit(xtr)
            a, b = svd.transform(xtr), svd.transform(xte)
            mu, sd = a.mean(0), a.std(0)
            sd[sd == 0] = 1
            w_ = spec["lsa_w"]
            xtr = sparse.hstack([xtr, sparse.csr_matrix((a - mu) / sd * w_)], format="csr")
            xte = sparse.hstack([xte, sparse.csr_matrix((b - mu) / sd * w_)], format="csr")
        Ttr = {k: (v[tr] if isinstance(v, np.ndarray) else v) for k, v in T.items()}
        w = T["n_ann"][tr].astype(float)
        ytr = Y[tr]
        for j in range(Y.shape[1]):
            y = ytr[:, j]
            # inner OOF decisions (each learner separately, then combined after Platt)
            n_out = None
            oof = None
            reps = spec.get("inner_repeats", 1)
            for r in range(reps):
                inner = StratifiedKFold(5, shuffle=True, random_state=r)
                for itr, ite in inner.split(np.zeros(len(y)), y):
                    Ti = {k: (v[itr] if isinstance(v, np.ndarray) else v) for k, v in Ttr.items()}
                    outs = frame_scores(spec, xtr[itr], xtr[ite], j, Ti, w[itr])
                    mat = np.column_stack(outs)
                    if oof is None:
                        n_out = mat.shape[1]
                        oof = np.zeros((len(y), n_out))
                    oof[ite] += mat / reps
            cal = [LogisticRegression(C=1e4).fit(oof[:, [c]], y) for c in range(n_out)]
            probs = np.column_stack([cal[c].predict_proba(oof[:, [c]])[:, 1] for c in range(n_out)])
            comb = probs.mean(1)
            thr, _ = F._best_threshold(y, comb)
            outs = np.column_stack(frame_scores(spec, xtr, xte, j, Ttr, w))
            pt = np.column_stack([cal[c].predict_proba(outs[:, [c]])[:, 1] for c in range(n_out)])
            pred[te, j] = (pt.mean(1) >= thr).astype(int)
    return pred


def macro(Y, P):
    f = [f1_score(Y[:, j], P[:, j], zero_division=0) for j in range(Y.shape[1])]
    return f, float(np.mean(f))


LR = lr_learner()
VARIANTS = {
    "A shipped-equivalent: hard labels, balanced LR": dict(target="hard", learners=[LR]),
    "B soft labels (annotator fraction), 1 per article": dict(target="soft", learners=[LR]),
    "C annotator rows (weight = n annotators)": dict(target="annot", learners=[LR]),
    "D codebook questions -> rule P(>=k)": dict(target="questions", learners=[LR]),
    "E mix: soft frame + questions (mean of calibrated)": dict(target="mix", learners=[LR]),
    "F hard, LR+SVM+CNB ensemble": dict(target="hard", learners=[LR, svm_learner(), cnb_learner()]),
    "G soft, LR+SVM+CNB ensemble": dict(target="soft", learners=[LR, svm_learner(), cnb_learner()]),
    "H soft + all lexicon rates (w 0.1)": dict(target="soft", learners=[LR], lex_w=0.1),
    "I mix + LR+SVM ensemble": dict(target="mix", learners=[LR, svm_learner()]),
    "M hard, weight 0.5 + 0.5 * annotator agreement": dict(target="hardw", learners=[LR]),
    "N hard, NB log-count-ratio scaled features": dict(target="hard", learners=[nbw_learner()]),
    "O hard, inner CV repeated 3x (averaged OOF)": dict(
        target="hard", learners=[LR], inner_repeats=3
    ),
    "P hard, balanced linear SVM alone (C 0.1)": dict(target="hard", learners=[svm_learner()]),
    "Q hard, complement NB alone (alpha 0.3)": dict(target="hard", learners=[cnb_learner()]),
    "R hard, + LSA 100 dims (w 0.3)": dict(target="hard", learners=[LR], lsa=100, lsa_w=0.3),
}


def main(seeds):
    df = load_narrative_frames()
    texts = F._as_texts(df["text"])
    Y = df[list(FRAME_COLUMNS)].to_numpy().astype(int)
    soft, q, qnames, n_ann, agree_frac = soft_targets(df)
    agree = 0.5 + 0.5 * agree_frac
    T = {"y": Y, "soft": soft, "q": q, "qnames": qnames, "n_ann": n_ann, "agree": agree}
    lexdf = text_category_rates(texts)
    lex = np.log1p(lexdf.drop(columns="n_words").fillna(0).to_numpy())
    only = [a for a in sys.argv[1:] if not a.isdigit()]
    rows = []
    for name, spec in VARIANTS.items():
        if only and not any(name.startswith(o) for o in only):
            continue
        for seed in seeds:
            t0 = time.time()
            folds = F.frame_folds(Y, 5, seed)
            with threadpool_limits(1):
                P = run_variant(spec, texts, Y, T, folds, lex=lex)
            f, m = macro(Y, P)
            rows.append({"variant": name, "seed": seed, **dict(zip(FRAMES, f)), "macro": m})
            print(f"{name} seed {seed}: {m:.3f} {np.round(f, 3)} ({time.time() - t0:.0f}s)")
            sys.stdout.flush()
    return pd.DataFrame(rows)


# -- second wave (added after the first grid; each variant reported) ---------------------------


def _oof_dense(x, targets, x2, learn, k=5, seed=0):
    """Stacking features: OOF decisions of one model per target column on x; full fit on x2."""
    n, m = targets.shape
    z = np.zeros((n, m))
    z2 = np.zeros((x2.shape[0], m))
    kf = StratifiedKFold(k, shuffle=True, random_state=seed)
    strat = (targets[:, 0] > 0.5).astype(int) if m else np.zeros(n)
    ones = np.ones(n)
    for c in range(m):
        t = targets[:, c]
        for tr, te in kf.split(np.zeros(n), strat):
            z[te, c] = learn(x[tr], t[tr], ones[tr], x[te])
        z2[:, c] = learn(x, t, ones, x2)
    return z, z2


def run_stacked(texts, Y, T, folds, stack="questions", weight=0.3, lex=None, lex_w=0.0):
    """Frame LR on [tfidf, standardised stacked decisions * weight] (hard labels, balanced)."""
    pred = np.zeros_like(Y)
    targets_all = T["qall"] if stack == "questions" else Y.astype(float)
    learn_t = lr_learner(balanced=stack != "questions")
    for tr, te in folds:
        xtr, xte, _, _ = features(texts, tr, te, lex=lex, lex_w=lex_w)
        z, z2 = _oof_dense(xtr, targets_all[tr], xte, learn_t)
        mu, sd = z.mean(0), z.std(0)
        sd[sd == 0] = 1
        xs = sparse.hstack([xtr, sparse.csr_matrix((z - mu) / sd * weight)], format="csr")
        xs2 = sparse.hstack([xte, sparse.csr_matrix((z2 - mu) / sd * weight)], format="csr")
        ytr = Y[tr]
        inner = StratifiedKFold(5, shuffle=True, random_state=0)
        for j in range(Y.shape[1]):
            y = ytr[:, j]
            oof = np.zeros(len(y))
            for itr, ite in inner.split(np.zeros(len(y)), y):
                oof[ite] = LR(xs[itr], y[itr].astype(float), np.ones(len(itr)), xs[ite])
            a, b, thr = _platt_thr(y, oof)
            d = LR(xs, y.astype(float), np.ones(len(y)), xs2)
            pred[te, j] = (expit(a * d + b) >= thr).astype(int)
    return pred


def sentence_windows(texts, size=3):
    """(window texts, doc index per window): consecutive ``size``-sentence windows per text."""
    from analysis.text import sentence_table

    ids = [f"t{i}" for i in range(len(texts))]
    arts = pd.DataFrame({"doc_id": ids, "title": [""] * len(texts), "text": texts})
    s = sentence_table(arts)
    wins, doc = [], []
    for _, g in s.groupby("doc_id", sort=False):
        sents = g["text"].tolist()
        di = int(g["doc_id"].iloc[0][1:])
        for k in range(0, max(len(sents) - size + 1, 1)):
            wins.append(" ".join(sents[k : k + size]))
            doc.append(di)
    return wins, np.array(doc)


def run_windows(texts, Y, folds, wins, wdoc, pool="max"):
    """Article LR score and max over 3-sentence windows of the same model, calibrated, averaged."""
    pred = np.zeros_like(Y)
    for tr, te in folds:
        m = F.FrameClassifier()
        xtr, xte, _, _ = features(texts, tr, te)
        # refit a classifier object for the window transform (same vocabulary as features())
        m.stop_words_ = F._resolve_stop_words(m.stop_words)
        trt = [texts[i] for i in tr]
        counter = m._counter()
        counts = counter.fit_transform(m._with_lead(trt))
        vocab = counter.vocabulary_
        m.vocabulary_ = {t: i for i, t in enumerate(sorted(vocab, key=vocab.get))}
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        m.idf_ = np.log((1.0 + len(tr)) / (1.0 + df)) + 1.0
        m.lead_words = None
        W = m._features(wins)

        def pooled(dec_w, docs):
            out = np.full(len(docs), -np.inf)
            pos = {d: i for i, d in enumerate(docs)}
            for v, d in zip(dec_w, wdoc, strict=True):
                i = pos.get(d)
                if i is not None and v > out[i]:
                    out[i] = v
            return out

        ytr = Y[tr]
        inner = StratifiedKFold(5, shuffle=True, random_state=0)
        for j in range(Y.shape[1]):
            y = ytr[:, j]
            oof = np.zeros((len(y), 2))
            for itr, ite in inner.split(np.zeros(len(y)), y):
                mdl = LogisticRegression(C=1.0, solver="liblinear", class_weight="balanced")
                mdl.fit(xtr[itr], y[itr])
                oof[ite, 0] = mdl.decision_function(xtr[ite])
                oof[ite, 1] = pooled(mdl.decision_function(W), tr[ite])
            cal = [LogisticRegression(C=1e4).fit(oof[:, [c]], y) for c in range(2)]
            comb = np.mean([cal[c].predict_proba(oof[:, [c]])[:, 1] for c in range(2)], 0)
            thr, _ = F._best_threshold(y, comb)
            mdl = LogisticRegression(C=1.0, solver="liblinear", class_weight="balanced")
            mdl.fit(xtr, y)
            d = np.column_stack([mdl.decision_function(xte), pooled(mdl.decision_function(W), te)])
            pt = np.mean([cal[c].predict_proba(d[:, [c]])[:, 1] for c in range(2)], 0)
            pred[te, j] = (pt >= thr).astype(int)
    return pred


def main2(seeds, which):
    df = load_narrative_frames()
    texts = F._as_texts(df["text"])
    Y = df[list(FRAME_COLUMNS)].to_numpy().astype(int)
    wide = question_yes_share().reindex(df["doc_id"].astype(str))
    wide = wide.loc[:, wide.std() > 0]  # re1 is "yes" for every article
    T = {"qall": wide.fillna(0).to_numpy()}
    lex = None
    if "H2" in which:
        lexdf = text_category_rates(texts)
        lex = np.log1p(lexdf.drop(columns="n_words").fillna(0).to_numpy())
    wins = wdoc = None
    if "L" in which:
        wins, wdoc = sentence_windows(texts)
    runs = {
        "H2 hard + all lexicon rates (w 0.1)": lambda fo: run_variant(
            dict(target="hard", learners=[LR], lex_w=0.1),
            texts,
            Y,
            {"y": Y, "n_ann": np.ones(len(Y))},
            fo,
            lex=lex,
        ),
        "J stack: 22 question soft-fraction models (w 0.3)": lambda fo: run_stacked(
            texts, Y, T, fo, "questions", 0.3
        ),
        "K chain/stack: 5 frame models (w 0.3)": lambda fo: run_stacked(
            texts, Y, T, fo, "frames", 0.3
        ),
        "L article + max over 3-sentence windows": lambda fo: run_windows(texts, Y, fo, wins, wdoc),
    }
    for name, fn in runs.items():
        if name.split()[0] not in which:
            continue
        for seed in seeds:
            t0 = time.time()
            with threadpool_limits(1):
                P = fn(F.frame_folds(Y, 5, seed))
            f, m = macro(Y, P)
            print(f"{name} seed {seed}: {m:.3f} {np.round(f, 3)} ({time.time() - t0:.0f}s)")
            sys.stdout.flush()


if __name__ == "__main__":
    seeds = [int(a) for a in sys.argv[1:] if a.isdigit()] or [0]
    names = [a for a in sys.argv[1:] if not a.isdigit()]
    if names and names[0] == "wave2":
        main2(seeds, names[1:])
    else:
        out = main(seeds)
        print(out.groupby("variant")["macro"].agg(["mean", "count"]).round(3))
