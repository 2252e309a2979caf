"""Sentence sentiment (VADER and a news-adapted scorer) and explicit article aggregation.

Scorers (``method``):

``"vader"``
    Plain VADER 3.3.2 (Hutto & Gilbert 2014). :func:`vader_polarity` is the project's ONE call
    point for VADER.
``"vader_neutralised"``
    VADER with lexicon words inside names and policy vocabulary given valence 0 (see below). No
    training; every other VADER rule is unchanged.
``"news"``
    The news-adapted scorer: the neutralised VADER features plus a ridge layer trained on the
    5,190 NYT editorial snippets (``analysis/models/news_sentiment.json``; retrain with
    :func:`train_news_scorer`). Each sentence is scored on its own, so reporter and quoted
    sentences of one article stay independent. ``compound`` is the predicted rater mean / 4
    (same -1..+1 range as VADER's compound); ``pos``/``neu``/``neg`` are the neutralised VADER
    proportions (the lexical evidence).
    Features of the trained layer (all in the JSON, no pickled object): 17 dense features of the
    neutralised VADER pass (compound, pos/neg/neu, summed/positive/negative valence, counts,
    extremes, valence per sqrt(words), length, negation and booster counts, ! and ?), the
    rule-adjusted valence of each lexicon word (so the layer can re-weight VADER's words), and
    sublinear TF-IDF of word 1-2-grams and of character 2-5-grams within words. The word and
    character features never see proper names (neutralised words and words capitalised
    mid-sentence are dropped) nor the gender/race ``identity_terms`` of the YAML list, so the
    layer cannot learn a sentiment for a named actor or a group from the 2000s NYT editorials.
    Settings were fixed before the final evaluation except the character block, which was added
    after a grouped-CV comparison (+0.007 r); the reported CV numbers carry that small optimism.
``"news_context"``
    As ``"news"`` plus features of the other sentences of the same article (their mean
    neutralised-VADER features), which any article supplies at inference time. It measures a
    little better on NYT but blends article tone into every sentence, so it must not be used
    to contrast voices or sentences within an article.

Why sentences and not whole articles: VADER's compound is ``s / sqrt(s^2 + 15)`` of the summed
valence ``s``; over a whole article ``s`` is large and compound saturates near +-1 whatever the
balance of the text (see ``tests/test_sentiment.py::test_whole_article_compound_saturates``).
Articles are therefore scored sentence by sentence and aggregated explicitly by
:func:`article_sentiment`.

Neutralisation (``analysis/resources/news_entities.yml``, each entry with its reason): VADER reads
names and policy vocabulary as emotion ("Justice Department" +2.4, "USA FREEDOM Act" +3.2,
"Senate Intelligence Committee" +2.1, "Amazon" +0.7, the name "Tia" +2.3, "a ban on facial
recognition" -2.6). A lexicon word is neutralised when it lies in a listed phrase or name, in a
listed policy pattern, or by the capitalisation-context rule: capitalised in mid-sentence (alone,
or in a run of two or more capitalised words) while the sentence is not in headline case. The
first word of a sentence is only neutralised through the list. Neutralised words are replaced by
a placeholder that is not in the lexicon before VADER runs, so VADER's negation, booster, "but"
and capitals rules treat them as ordinary non-lexicon words. :func:`explain_sentence` shows, word
by word, what moved a score and what was neutralised.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import string
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import paths

METHODS = ("vader", "vader_neutralised", "news", "news_context")
DEFAULT_METHOD = "news"
SCORE_COLUMNS = ["neg", "neu", "pos", "compound"]
MAX_TEXT_CHARS = 200_000  # longer texts are truncated in score_texts (longest corpus text: 53,479)
MODEL_FILE = "news_sentiment.json"
ENTITIES_FILE = "news_entities.yml"
MODEL_FORMAT = "analysis.news_sentiment/1"

_PUNCT = string.punctuation + "“”‘’—–…«»"
_OPENERS = "“\"‘'([«"
_INITIAL_AFTER = '.!?:;—–“"(«'
_CONNECTORS = {"of", "the", "for", "and", "on", "&", "de", "to", "in"}
_WORD_RE = re.compile(r"[a-z]+(?:['’-][a-z]+)*")


# --------------------------------------------------------------------------- VADER
@functools.lru_cache(maxsize=1)
def _analyzer():
    """The one lazily created VADER analyzer (loading the lexicon costs ~50 ms)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_polarity(texts: Sequence[str]) -> pd.DataFrame:
    """VADER scores of each text: columns ``neg, neu, pos, compound`` (the ONE VADER call point)."""
    analyzer = _analyzer()
    rows = [analyzer.polarity_scores(t if isinstance(t, str) else str(t)) for t in texts]
    return pd.DataFrame(rows, columns=SCORE_COLUMNS, dtype=float)


def _demojize(text: str) -> str:
    """VADER's own first step (emoji -> description), so token positions match VADER's."""
    emojis = _analyzer().emojis
    if text.isascii():
        return text.strip()
    out, prev_space = [], True
    for ch in text:
        if ch in emojis:
            if not prev_space:
                out.append(" ")
            out.append(emojis[ch])
            prev_space = False
        else:
            out.append(ch)
            prev_space = ch == " "
    return "".join(out).strip()


def _vader_token_valences(text: str) -> tuple[list[str], list[float], dict]:
    """VADER's tokens, their rule-adjusted valences and the score dict for ``text``.

    Mirrors ``SentimentIntensityAnalyzer.polarity_scores`` step by step (same methods, same
    order) so the per-token valences are VADER's own; a test checks the scores are identical.
    """
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText

    a = _analyzer()
    text = _demojize(text)
    st = SentiText(text)
    words = st.words_and_emoticons
    sentiments: list[float] = []
    for i, item in enumerate(words):
        if item.lower() in BOOSTER_DICT or (
            i < len(words) - 1 and item.lower() == "kind" and words[i + 1].lower() == "of"
        ):
            sentiments.append(0)
            continue
        sentiments = a.sentiment_valence(0, st, item, i, sentiments)
    sentiments = a._but_check(words, sentiments)
    return words, [float(s) for s in sentiments], a.score_valence(sentiments, text)


# --------------------------------------------------------------------------- neutralisation
@functools.lru_cache(maxsize=4)
def _entity_config(path: str | None = None) -> dict:
    import yaml

    p = paths.RESOURCES_DIR / ENTITIES_FILE if path is None else path
    with open(p, encoding="utf-8") as fh:
        cfg = yaml.safe_load(fh)
    alts, reasons = [], {}
    for kind, key in (("phrase", "phrases"), ("name", "names")):
        for e in cfg.get(key) or []:
            value = e[kind]
            pat = r"\s+".join(re.escape(w) for w in value.split())
            if e.get("scope") == "before_capitalised":
                pat += r"(?=[\s,]+[A-Z])"
            alts.append((len(value.split()), len(value), pat))
            reasons[" ".join(value.split())] = f"{kind}: {value}"
    # longest phrases first, so "Justice Department" wins over the single word "Justice"
    alts = [a[2] for a in sorted(alts, reverse=True)]
    listed = re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])") if alts else None
    patterns = [
        (
            re.compile(e["pattern"], re.IGNORECASE),
            {w.lower() for w in e["words"]},
            " ".join(str(e.get("reason", "")).split())[:70],
        )
        for e in cfg.get("policy_patterns") or []
    ]
    ident = cfg.get("identity_terms") or {}
    return {
        "listed": listed,
        "listed_reasons": reasons,
        "patterns": patterns,
        "descriptive": {w.lower() for w in cfg.get("descriptive_terms") or []},
        "identity": {w.lower() for w in ident.get("words", [])},
        "raw": cfg,
    }


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """Whitespace tokens with offsets (VADER splits on whitespace in the same way)."""
    return [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", text)]


def _vader_item(tok: str) -> str:
    """The form VADER looks up: punctuation stripped unless that leaves two characters or fewer."""
    stripped = tok.strip(string.punctuation)
    return tok if len(stripped) <= 2 else stripped


def _is_headline_case(cores: list[str]) -> bool:
    """Title-case or all-caps text ("IBM To Stop Selling Facial Recognition"): every word of four
    letters or more is capitalised. A name-heavy sentence still has a lower-case verb ("said")."""
    long = [c for c in cores if len(c) >= 4 and c.isalpha()]
    return len(long) >= 2 and all(c[0].isupper() for c in long)


def neutralised_tokens(text: str) -> list[dict]:
    """Analyse ``text`` token by token (whitespace tokens, VADER's segmentation).

    One dict per token: ``start, end, token, item`` (VADER's lookup form), ``in_lexicon``,
    ``capitalised``, ``initial`` (first word of a sentence or clause after a quote/colon),
    ``name`` (the capitalisation rule or a list entry says it is part of a proper name),
    ``neutralised`` (a lexicon word given valence 0) and ``reason``.
    """
    cfg = _entity_config()
    lex = _analyzer().lexicon
    toks = _tokens(text)
    out = []
    cores = [t.strip(_PUNCT) for _, _, t in toks]
    headline = _is_headline_case(cores)
    for i, (s, e, t) in enumerate(toks):
        core = cores[i]
        item = _vader_item(t)
        initial = (
            i == 0 or toks[i - 1][2][-1] in _INITIAL_AFTER or t[0] in _OPENERS or not cores[i - 1]
        )
        out.append(
            {
                "start": s,
                "end": e,
                "token": t,
                "item": item,
                "in_lexicon": item.lower() in lex,
                "capitalised": bool(core) and core[0].isupper(),
                "allcaps": len(core) > 1 and core.isupper(),
                "initial": initial,
                "name": False,
                "neutralised": False,
                "reason": None,
            }
        )

    def mark(j: int, reason: str, name: bool) -> None:
        rec = out[j]
        if name:
            rec["name"] = True
        if rec["in_lexicon"] and not rec["neutralised"]:
            rec["neutralised"] = True
            rec["reason"] = reason

    def tokens_in(a: int, b: int) -> list[int]:
        return [j for j, r in enumerate(out) if r["start"] < b and r["end"] > a]

    # 1-2. listed phrases and names
    if cfg["listed"] is not None:
        for m in cfg["listed"].finditer(text):
            key = " ".join(m.group(0).split())
            reason = cfg["listed_reasons"].get(key, f"listed: {key}")
            for j in tokens_in(m.start(), m.end()):
                mark(j, reason, name=True)
    # 3. policy patterns
    low = text.lower()
    for rx, words, src in cfg["patterns"]:
        if not any(w in low for w in words):
            continue
        for m in rx.finditer(text):
            for j in tokens_in(m.start(), m.end()):
                if out[j]["item"].lower() in words:
                    mark(j, f"policy pattern: {src}", name=False)
    # 4. descriptive terms
    for j, r in enumerate(out):
        if r["item"].lower() in cfg["descriptive"]:
            mark(j, "descriptive term", name=False)
    # 5. capitalisation-context rule
    if not headline:
        runs: list[list[int]] = []
        cur: list[int] = []
        for j, r in enumerate(out):
            core = cores[j]
            nxt_cap = j + 1 < len(out) and out[j + 1]["capitalised"]
            joins = (r["capitalised"] and not core.isdigit()) or (
                cur and core.lower() in _CONNECTORS and nxt_cap and r["token"] == core
            )
            if joins and cur and out[cur[-1]]["token"][-1] in ',.;:!?)”"':
                runs.append(cur)
                cur = []
            if joins:
                cur.append(j)
            else:
                if cur:
                    runs.append(cur)
                cur = []
        if cur:
            runs.append(cur)
        for run in runs:
            caps = [j for j in run if out[j]["capitalised"]]
            if len(caps) >= 2:
                for j in caps:
                    if not out[j]["initial"]:
                        mark(j, "capitalised multiword name", name=True)
        for j, r in enumerate(out):
            if (
                r["capitalised"]
                and not r["initial"]
                and not r["allcaps"]
                and len(cores[j]) > 1
                and not r["name"]
            ):
                mark(j, "capitalised mid-sentence (proper name)", name=True)
    return out


def _masked_text(text: str, toks: list[dict]) -> str:
    """``text`` with every neutralised lexicon word replaced by a non-lexicon placeholder."""
    parts, pos = [], 0
    for r in toks:
        if not r["neutralised"]:
            continue
        item = r["item"]
        k = r["token"].find(item)
        a = r["start"] + max(k, 0)
        b = a + len(item) if k >= 0 else r["end"]
        parts.append(text[pos:a])
        parts.append("ENTITY" if item.isupper() and len(item) > 1 else "Entity")
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def _neutralised_details(text: str) -> tuple[list[dict], list[str], list[float], dict]:
    text = _demojize(text if isinstance(text, str) else str(text))
    toks = neutralised_tokens(text)
    words, vals, scores = _vader_token_valences(_masked_text(text, toks))
    return toks, words, vals, scores


def neutralised_vader(texts: Sequence[str]) -> pd.DataFrame:
    """VADER scores with names and policy vocabulary neutralised: ``neg, neu, pos, compound``."""
    rows = [_neutralised_details(t)[3] for t in texts]
    return pd.DataFrame(rows, columns=SCORE_COLUMNS, dtype=float)


def explain_sentence(text: str) -> list[dict]:
    """Which lexicon words moved the score of ``text``, and which were neutralised.

    One dict per lexicon word: ``position`` (token index), ``word``, ``lexicon_valence`` (VADER's
    lexicon entry), ``vader_valence`` (after VADER's negation/booster/caps/"but" rules, plain
    VADER), ``news_valence`` (the same in the neutralised text; 0 when neutralised),
    ``neutralised`` (bool), ``reason`` (which list entry or rule), ``model_weight`` (the trained
    layer's extra weight for this word, when a model is shipped, else None).
    """
    text = _demojize(text if isinstance(text, str) else str(text))
    lex = _analyzer().lexicon
    toks = neutralised_tokens(text)
    words, vader_vals, _ = _vader_token_valences(text)
    mwords, news_vals, _ = _vader_token_valences(_masked_text(text, toks))
    model = load_news_model()
    weights = {}
    if model is not None:
        v = model["variants"]["news"]
        weights = dict(zip(v["lex_vocab"], v["lex_coef"], strict=True))
    out = []
    aligned = len(words) == len(toks) == len(mwords)
    for i, w in enumerate(words):
        key = w.lower()
        if key not in lex:
            continue
        rec = toks[i] if aligned else {"neutralised": False, "reason": None}
        out.append(
            {
                "position": i,
                "word": w,
                "lexicon_valence": lex[key],
                "vader_valence": vader_vals[i],
                "news_valence": news_vals[i] if aligned else np.nan,
                "neutralised": bool(rec["neutralised"]),
                "reason": rec["reason"],
                "model_weight": weights.get(key),
            }
        )
    return out


# --------------------------------------------------------------------------- trained layer
DENSE_FEATURES = [
    "compound",
    "pos",
    "neg",
    "neu",
    "valence_sum",
    "pos_sum",
    "neg_sum",
    "n_pos",
    "n_neg",
    "max_valence",
    "min_valence",
    "sum_per_sqrt_words",
    "log_words",
    "n_negations",
    "n_boosters",
    "exclamations",
    "questions",
]
_SETTINGS = {
    "alpha": 3.0,
    "ngram_range": [1, 2],
    "min_df": 2,
    "lex_weight": 0.3,
    "dense_weight": 0.3,
    "context_weight": 0.3,
    "char_ngram_range": [2, 5],
    "char_min_df": 3,
    "char_max_features": 40_000,
    "char_weight": 1.0,
    "cv_folds": 5,
}


def _sentence_features(text: str) -> tuple[list[float], dict[str, float], list[str]]:
    """Dense neutralised-VADER features, lexicon-word valences and learned-layer tokens."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE

    cfg = _entity_config()
    toks, words, vals, sc = _neutralised_details(text)
    v = np.asarray(vals, dtype=float)
    n = max(len(words), 1)
    lexvals: dict[str, float] = {}
    for w, x in zip(words, vals, strict=True):
        if x != 0:
            lexvals[w.lower()] = lexvals.get(w.lower(), 0.0) + x
    lw = [w.lower() for w in words]
    dense = [
        sc["compound"],
        sc["pos"],
        sc["neg"],
        sc["neu"],
        float(v.sum()) if len(v) else 0.0,
        float(v[v > 0].sum()) if len(v) else 0.0,
        float(v[v < 0].sum()) if len(v) else 0.0,
        float((v > 0).sum()),
        float((v < 0).sum()),
        float(v.max()) if len(v) else 0.0,
        float(v.min()) if len(v) else 0.0,
        float(v.sum()) / math.sqrt(n) if len(v) else 0.0,
        math.log1p(len(words)),
        float(sum(w in NEGATE or w.endswith("n't") for w in lw)),
        float(sum(w in BOOSTER_DICT for w in lw)),
        float(text.count("!")),
        float(text.count("?")),
    ]
    # learned-layer tokens: proper names (neutralised or capitalised mid-sentence) and
    # identity terms are dropped; numbers become <num>
    learned: list[str] = []
    for r in toks:
        if r["name"] or r["neutralised"]:
            continue
        for w in _WORD_RE.findall(r["token"].lower().replace("’", "'")):
            if w in cfg["identity"]:
                continue
            learned.append(w)
        if any(ch.isdigit() for ch in r["token"]) and not _WORD_RE.search(r["token"].lower()):
            learned.append("<num>")
    return dense, lexvals, learned


def _ngrams(tokens: list[str], n_max: int) -> list[str]:
    grams = list(tokens)
    for n in range(2, n_max + 1):
        grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return grams


def _char_grams(tokens: list[str], lo: int, hi: int) -> list[str]:
    """Character n-grams inside word boundaries, as scikit-learn's ``analyzer="char_wb"``."""
    out: list[str] = []
    for tok in tokens:
        w = f" {tok} "
        size = len(w)
        for n in range(lo, hi + 1):
            if size <= n:  # a short word counts once, as sklearn does
                out.append(w)
                break
            out.extend([w[i : i + n] for i in range(size - n + 1)])
    return out


def _features_table(texts: Sequence[str]) -> dict[str, Any]:
    """Raw per-sentence features (before vocabulary and scaling)."""
    dense, lex, grams, chars = [], [], [], []
    n_max = _SETTINGS["ngram_range"][1]
    lo, hi = _SETTINGS["char_ngram_range"]
    for t in texts:
        d, lv, toks = _sentence_features(t if isinstance(t, str) else str(t))
        dense.append(d)
        lex.append(lv)
        grams.append(_ngrams(toks, n_max))
        chars.append(_char_grams(toks, lo, hi))
    return {
        "dense": np.asarray(dense, dtype=float).reshape(-1, len(DENSE_FEATURES)),
        "lex": lex,
        "grams": grams,
        "chars": chars,
    }


def _doc_freq(docs: list[list[str]]) -> dict[str, int]:
    df: dict[str, int] = {}
    for doc in docs:
        for g in set(doc):
            df[g] = df.get(g, 0) + 1
    return df


def _idf(df: dict[str, int], terms: list[str], n: int) -> np.ndarray:
    return np.log((1 + n) / (1 + np.array([df[g] for g in terms], dtype=float))) + 1.0


def _count_matrix(items: list, vocab: dict[str, int], values: bool = False):
    """CSR matrix of term counts (``values=False``: lists of terms) or of given values (dicts)."""
    from collections import Counter

    from scipy import sparse

    indptr, indices, data = [0], [], []
    for doc in items:
        pairs = doc.items() if values else Counter(doc).items()
        for g, x in pairs:
            j = vocab.get(g)
            if j is not None:
                indices.append(j)
                data.append(x)
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(data, dtype=float), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(items), len(vocab)),
    )


def _tfidf(grams: list[list[str]], vocab: dict[str, int], idf: np.ndarray):
    """Sublinear TF-IDF with L2 rows: the same formula as scikit-learn's TfidfVectorizer
    (``sublinear_tf=True, smooth_idf=True``); written out so the shipped JSON holds everything."""
    from sklearn.preprocessing import normalize

    m = _count_matrix(grams, vocab)
    m.data = 1.0 + np.log(m.data)
    m = m.multiply(idf[None, :]).tocsr()
    return normalize(m, norm="l2")


def _context_means(dense_std: np.ndarray, groups: Sequence | None) -> np.ndarray:
    """Mean of the OTHER sentences' standardised dense features in the same group (0 if none)."""
    if groups is None:
        return np.zeros_like(dense_std)
    g = pd.Series(list(groups))
    df = pd.DataFrame(dense_std)
    tot = df.groupby(g.values).transform("sum").to_numpy()
    n = g.map(g.value_counts()).to_numpy()[:, None].astype(float)
    return np.where(n > 1, (tot - dense_std) / np.maximum(n - 1, 1), 0.0)


def _fit_layer(feats: dict, y: np.ndarray, idx: np.ndarray, context: bool, groups=None) -> dict:
    """Fit vocabulary, scalers and ridge on the rows ``idx``; returns the JSON-ready layer."""
    from sklearn.linear_model import Ridge

    s = _SETTINGS
    n = len(idx)
    df = _doc_freq([feats["grams"][i] for i in idx])
    terms = sorted(g for g, c in df.items() if c >= s["min_df"])
    idf = _idf(df, terms, n)
    cdf = _doc_freq([feats["chars"][i] for i in idx])
    top = sorted((g for g, c in cdf.items() if c >= s["char_min_df"]), key=lambda g: (-cdf[g], g))
    cterms = sorted(top[: s["char_max_features"]])
    lex_counts: dict[str, int] = {}
    for i in idx:
        for w in feats["lex"][i]:
            lex_counts[w] = lex_counts.get(w, 0) + 1
    lex_terms = sorted(w for w, c in lex_counts.items() if c >= s["min_df"])
    dense = feats["dense"][idx]
    mean, scale = dense.mean(axis=0), dense.std(axis=0)
    scale[scale == 0] = 1.0
    layer = {
        "word_vocab": terms,
        "word_idf": idf.tolist(),
        "char_vocab": cterms,
        "char_idf": _idf(cdf, cterms, n).tolist(),
        "lex_vocab": lex_terms,
        "dense_names": DENSE_FEATURES,
        "dense_mean": mean.tolist(),
        "dense_scale": scale.tolist(),
        "context": bool(context),
    }
    X = _design(feats, idx, layer, None if groups is None else [groups[i] for i in idx])
    model = Ridge(alpha=s["alpha"]).fit(X, y[idx])
    coef = model.coef_
    sizes = [len(terms), len(cterms), len(lex_terms), len(DENSE_FEATURES)]
    cut = np.cumsum([0, *sizes])
    layer["intercept"] = float(model.intercept_)
    layer["word_coef"] = coef[cut[0] : cut[1]].tolist()
    layer["char_coef"] = (coef[cut[1] : cut[2]] * s["char_weight"]).tolist()
    layer["lex_coef"] = (coef[cut[2] : cut[3]] * s["lex_weight"]).tolist()
    layer["dense_coef"] = (coef[cut[3] : cut[4]] * s["dense_weight"]).tolist()
    if context:
        layer["context_coef"] = (coef[cut[4] :] * s["context_weight"]).tolist()
    return layer


def _design(feats: dict, idx, layer: dict, groups):
    """Design matrix of rows ``idx`` for a layer (training scale: block weights applied)."""
    from scipy import sparse

    s = _SETTINGS
    vocab = {g: k for k, g in enumerate(layer["word_vocab"])}
    W = _tfidf([feats["grams"][i] for i in idx], vocab, np.asarray(layer["word_idf"]))
    cvocab = {g: k for k, g in enumerate(layer["char_vocab"])}
    C = _tfidf([feats["chars"][i] for i in idx], cvocab, np.asarray(layer["char_idf"]))
    lvocab = {w: k for k, w in enumerate(layer["lex_vocab"])}
    L = _count_matrix([feats["lex"][i] for i in idx], lvocab, values=True) * s["lex_weight"]
    D = (feats["dense"][idx] - np.asarray(layer["dense_mean"])) / np.asarray(layer["dense_scale"])
    blocks = [W, C * s["char_weight"], L, sparse.csr_matrix(D * s["dense_weight"])]
    if layer["context"]:
        blocks.append(sparse.csr_matrix(_context_means(D, groups) * s["context_weight"]))
    return sparse.hstack(blocks).tocsr()


def _predict_layer(feats: dict, layer: dict, groups=None) -> np.ndarray:
    """Predicted rater mean (-4..+4 scale) from a JSON layer (no scikit-learn object needed)."""
    vocab = {g: k for k, g in enumerate(layer["word_vocab"])}
    W = _tfidf(feats["grams"], vocab, np.asarray(layer["word_idf"]))
    cvocab = {g: k for k, g in enumerate(layer["char_vocab"])}
    C = _tfidf(feats["chars"], cvocab, np.asarray(layer["char_idf"]))
    lvocab = {w: k for k, w in enumerate(layer["lex_vocab"])}
    L = _count_matrix(feats["lex"], lvocab, values=True)
    D = (feats["dense"] - np.asarray(layer["dense_mean"])) / np.asarray(layer["dense_scale"])
    pred = (
        layer["intercept"]
        + W @ np.asarray(layer["word_coef"])
        + C @ np.asarray(layer["char_coef"])
        + L @ np.asarray(layer["lex_coef"])
        + D @ np.asarray(layer["dense_coef"])
    )
    if layer["context"]:
        pred = pred + _context_means(D, groups) @ np.asarray(layer["context_coef"])
    return np.asarray(pred, dtype=float).ravel()


def _grouped_cv(feats: dict, y: np.ndarray, groups: np.ndarray, context: bool) -> np.ndarray:
    """Out-of-fold predictions, ``GroupKFold`` by article: vocabulary, idf, scalers and ridge are
    all fitted on the training folds only."""
    from sklearn.model_selection import GroupKFold

    pred = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=_SETTINGS["cv_folds"]).split(y, y, groups):
        layer = _fit_layer(feats, y, tr, context, groups=groups if context else None)
        sub = {k: ([v[i] for i in te] if isinstance(v, list) else v[te]) for k, v in feats.items()}
        pred[te] = _predict_layer(sub, layer, groups=groups[te] if context else None)
    return pred


def _nyt_sha256() -> str:
    from .sentiment_validation import _GROUND_TRUTH, _nyt_dir

    return hashlib.sha256((_nyt_dir() / _GROUND_TRUTH).read_bytes()).hexdigest()


def news_scorer_cv(nyt: pd.DataFrame | None = None, context: bool = False) -> pd.DataFrame:
    """Grouped-CV predictions of the news scorer on the NYT snippets.

    Columns ``id, article, rater_mean, pred`` (rater scale) and ``compound`` (pred / 4, clipped).
    """
    from .sentiment_validation import nyt_snippets

    nyt = nyt_snippets() if nyt is None else nyt
    feats = _features_table(nyt["text"].tolist())
    y = nyt["rater_mean"].to_numpy(dtype=float)
    groups = nyt["article"].astype(str).to_numpy()
    pred = _grouped_cv(feats, y, groups, context)
    out = nyt[["id", "article", "rater_mean"]].copy()
    out["pred"] = pred
    out["compound"] = np.clip(pred / 4.0, -1.0, 1.0)
    return out


def train_news_scorer(write: bool = True) -> dict:
    """Retrain the news scorer on all 5,190 NYT snippets and (by default) write the JSON model.

    Also runs the grouped 5-fold CV (by article) for both variants and stores Pearson r and
    3-class F1 in the model's ``cv`` entry, with the sha256 of the training file and of the
    neutralisation list. Returns the model dict.
    """
    import sklearn
    import vaderSentiment

    from .sentiment_validation import NEWS_THRESHOLD, agreement_row, nyt_snippets

    nyt = nyt_snippets()
    feats = _features_table(nyt["text"].tolist())
    y = nyt["rater_mean"].to_numpy(dtype=float)
    groups = nyt["article"].astype(str).to_numpy()
    idx = np.arange(len(y))
    variants, cv = {}, {}
    for name, context in (("news", False), ("news_context", True)):
        pred = _grouped_cv(feats, y, groups, context)
        row = agreement_row(
            np.clip(pred / 4, -1, 1), y, name, "GroupKFold(5) by article", NEWS_THRESHOLD
        )
        cv[name] = {k: row[k] for k in ("pearson_r", "f1_macro_3class", "spearman_rho", "n")}
        variants[name] = _fit_layer(feats, y, idx, context, groups=groups if context else None)
    ent = (paths.RESOURCES_DIR / ENTITIES_FILE).read_bytes()
    model = {
        "format": MODEL_FORMAT,
        "description": "Ridge layer over neutralised-VADER features, lexicon-word valences and "
        "word 1-2-gram TF-IDF; target: NYT snippet rater mean (-4..+4); compound = pred / 4.",
        "training_data": {
            "file": "data/validation/vader_nyt/nytEditorialSnippets_GroundTruth.txt",
            "sha256": _nyt_sha256(),
            "n_sentences": int(len(y)),
            "n_articles": int(nyt["article"].nunique()),
        },
        "neutralisation_sha256": hashlib.sha256(ent).hexdigest(),
        "settings": dict(_SETTINGS),
        "versions": {
            "scikit-learn": sklearn.__version__,
            "vaderSentiment": getattr(vaderSentiment, "__version__", "3.3.2"),
        },
        "cv": {"protocol": "GroupKFold(5) by article id", **cv},
        "variants": variants,
    }
    model = _round_floats(model)
    if write:
        paths.MODELS_DIR.mkdir(parents=True, exist_ok=True)
        with open(paths.MODELS_DIR / MODEL_FILE, "w", encoding="utf-8") as fh:
            json.dump(model, fh, separators=(",", ":"))
        load_news_model.cache_clear()
    return model


def _round_floats(obj, digits: int = 7):
    """Floats to ``digits`` significant digits (halves the JSON; predictions move < 1e-6)."""
    if isinstance(obj, float):
        return float(f"{obj:.{digits}g}")
    if isinstance(obj, dict):
        return {k: _round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round_floats(v, digits) for v in obj]
    return obj


@functools.lru_cache(maxsize=1)
def load_news_model() -> dict | None:
    """The shipped trained layer (JSON), or ``None`` when the file is missing."""
    p = paths.MODELS_DIR / MODEL_FILE
    if not p.exists():
        return None
    with open(p, encoding="utf-8") as fh:
        model = json.load(fh)
    if model.get("format") != MODEL_FORMAT:
        raise ValueError(f"{p}: unknown model format {model.get('format')!r}")
    return model


def news_polarity(texts: Sequence[str], groups: Sequence | None = None) -> pd.DataFrame:
    """News-adapted scores: ``neg, neu, pos`` (neutralised VADER) and ``compound`` (trained layer).

    ``groups`` (e.g. doc ids, one per text) switches on the ``news_context`` variant: each text
    then also gets features of the other texts of its group.
    """
    model = load_news_model()
    if model is None:
        raise FileNotFoundError(
            f"{paths.MODELS_DIR / MODEL_FILE} is missing: "
            "run analysis.sentiment.train_news_scorer()"
        )
    texts = [t if isinstance(t, str) else str(t) for t in texts]
    if not texts:
        return pd.DataFrame(columns=SCORE_COLUMNS, dtype=float)
    feats = _features_table(texts)
    layer = model["variants"]["news_context" if groups is not None else "news"]
    pred = _predict_layer(feats, layer, groups=groups)
    d = feats["dense"]
    out = pd.DataFrame({"neg": d[:, 2], "neu": d[:, 3], "pos": d[:, 1]})
    out["compound"] = np.clip(pred / 4.0, -1.0, 1.0).round(4)
    # an empty or lexically empty sentence with no learned features keeps a prediction from the
    # intercept; that is the model's best guess for "nothing said"
    return out[SCORE_COLUMNS]


def polarity(texts: Sequence[str], method: str = DEFAULT_METHOD, groups=None) -> pd.DataFrame:
    """Scores of ``texts`` with the named method (see module docstring).

    ``groups`` (one label per text) only matters for ``news_context``; without it all texts are
    treated as sentences of one document.
    """
    if method == "vader":
        return vader_polarity(texts)
    if method == "vader_neutralised":
        return neutralised_vader(texts)
    if method == "news":
        return news_polarity(texts)
    if method == "news_context":
        return news_polarity(texts, groups=groups if groups is not None else ["_"] * len(texts))
    raise ValueError(f"unknown sentiment method {method!r}; choose from {METHODS}")


# --------------------------------------------------------------------------- tables
def sentence_sentiment(sentences: pd.DataFrame, method: str = DEFAULT_METHOD) -> pd.DataFrame:
    """The sentence table with ``compound, pos, neu, neg`` added (and ``method`` in attrs).

    For ``news_context`` the sentences of one ``doc_id`` are each other's context.
    """
    out = sentences.copy()
    groups = out["doc_id"].tolist() if method == "news_context" else None
    sc = polarity(out["text"].fillna("").astype(str).tolist(), method=method, groups=groups)
    for c in ["compound", "pos", "neu", "neg"]:
        out[c] = sc[c].to_numpy()
    out.attrs["sentiment_method"] = method
    return out


def article_sentiment(
    scored_sentences: pd.DataFrame, pos_threshold: float = 0.05, neg_threshold: float = -0.05
) -> pd.DataFrame:
    """One row per ``doc_id`` from a scored sentence table (explicit aggregation).

    Columns: ``n_sentences``; ``compound_mean`` (mean over all sentences, title included);
    ``share_pos`` / ``share_neg`` (share of sentences with compound >= ``pos_threshold`` /
    <= ``neg_threshold``; the thresholds are repeated as columns); ``headline_compound`` (mean
    over ``part == "title"`` sentences, NaN without a title); ``body_compound_mean``;
    ``reporter_compound_mean`` / ``quoted_compound_mean`` and ``n_reporter`` / ``n_quoted``
    over BODY sentences by voice (NaN when an article has none of that voice).

    The default band +-0.05 is VADER's. The news scorer's compound is the predicted rater mean
    / 4 and is narrower; its counterpart of the raters' +-0.5 cut is +-0.125
    (``analysis.sentiment_validation.NEWS_THRESHOLD``), which callers may pass here.
    """
    s = scored_sentences
    c = s["compound"].astype(float)
    body = s["part"] != "title"
    frame = pd.DataFrame(
        {
            "doc_id": s["doc_id"].to_numpy(),
            "c": c.to_numpy(),
            "is_pos": (c >= pos_threshold).to_numpy(dtype=float),
            "is_neg": (c <= neg_threshold).to_numpy(dtype=float),
            "title_c": c.where(~body).to_numpy(),
            "body_c": c.where(body).to_numpy(),
            "rep_c": c.where(body & (s["voice"] == "reporter")).to_numpy(),
            "quo_c": c.where(body & (s["voice"] == "quoted")).to_numpy(),
        }
    )
    g = frame.groupby("doc_id", sort=False)
    out = pd.DataFrame(
        {
            "n_sentences": g["c"].size(),
            "compound_mean": g["c"].mean(),
            "share_pos": g["is_pos"].mean(),
            "share_neg": g["is_neg"].mean(),
            "headline_compound": g["title_c"].mean(),
            "body_compound_mean": g["body_c"].mean(),
            "reporter_compound_mean": g["rep_c"].mean(),
            "quoted_compound_mean": g["quo_c"].mean(),
            "n_reporter": g["rep_c"].count(),
            "n_quoted": g["quo_c"].count(),
        }
    ).reset_index()
    out["pos_threshold"] = pos_threshold
    out["neg_threshold"] = neg_threshold
    out.attrs.update(
        pos_threshold=pos_threshold,
        neg_threshold=neg_threshold,
        sentiment_method=scored_sentences.attrs.get("sentiment_method"),
    )
    return out


# --------------------------------------------------------------------------- CLI helper
def _text_status(value) -> tuple[str, str]:
    """``(status, text)`` for one raw cell of user input."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "empty_text", ""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return "not_text", ""
    if not isinstance(value, str):
        return "not_text", ""
    if not value.strip():
        return "empty_text", ""
    sample = value[:10_000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r") or ch == "\ufffd")
    if "\x00" in sample or bad / len(sample) > 0.05:
        return "not_text", ""
    letters = sum(ch.isalpha() for ch in sample)
    if letters / len(sample) < 0.2 and len(sample) > 20:
        return "not_text", ""
    if len(value) > MAX_TEXT_CHARS:
        return "too_long_truncated", value[:MAX_TEXT_CHARS]
    return "ok", value


def score_texts(texts: Sequence, method: str = DEFAULT_METHOD) -> pd.DataFrame:
    """Score arbitrary user texts: one row per input (nothing dropped, nothing raises per row).

    Each text is split into sentences (``analysis.text.split_sentences``), scored sentence by
    sentence and averaged. Columns: ``row`` (input position), ``status`` ("ok", "empty_text",
    "no_sentences", "not_text" for binary junk or non-string cells, "too_long_truncated" when
    the text was cut to ``MAX_TEXT_CHARS`` characters), ``n_sentences``, ``compound, pos, neu,
    neg`` (NaN unless scored). For ``news_context`` the sentences of one text are each other's
    context.
    """
    from .text import split_sentences

    rows, sent_text, sent_row = [], [], []
    for i, value in enumerate(texts):
        status, text = _text_status(value)
        sents = []
        if status in ("ok", "too_long_truncated"):
            sents = [s for s in split_sentences(text) if any(ch.isalnum() for ch in s)]
            if not sents:
                status = "no_sentences"
        rows.append({"row": i, "status": status, "n_sentences": len(sents)})
        sent_text += sents
        sent_row += [i] * len(sents)
    out = pd.DataFrame(rows, columns=["row", "status", "n_sentences"])
    for c in ["compound", "pos", "neu", "neg"]:
        out[c] = np.nan
    if sent_text:
        sc = polarity(sent_text, method=method, groups=sent_row)
        sc["row"] = sent_row
        means = sc.groupby("row")[["compound", "pos", "neu", "neg"]].mean()
        out = out.set_index("row")
        out.loc[means.index, ["compound", "pos", "neu", "neg"]] = means
        out = out.reset_index()
    out.attrs["sentiment_method"] = method
    return out
