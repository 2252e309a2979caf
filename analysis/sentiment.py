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
    extremes, valence per sqrt(words), length, negation and booster counts, ! and ?); 61
    features from five more lexicons bundled in pinned PyPI packages (AFINN-165, pattern's
    adjectives, Harvard IV-4, Loughran-McDonald, NRC affects, and their consensus valence;
    VADER's negation and "but" rules applied to them; ``analysis.sentiment_lexicons``); the
    rule-adjusted valence of each VADER lexicon word and the contextual consensus valence of
    each other lexicon word (so the layer can re-weight single words); and sublinear TF-IDF of
    word 1-2-grams and of character 2-5-grams within words, where a lexicon word in the scope of
    a negation is marked (``not_good``). The lexicon, word and character features never see
    proper names (neutralised words and words capitalised mid-sentence are dropped) nor the
    gender/race ``identity_terms`` of the YAML list, so the layer cannot learn a sentiment for a
    named actor or a group from the 2000s NYT editorials. The character block, the lexicon
    features, the negation marking and the ridge/block settings were chosen by grouped-CV
    comparisons on the same NYT folds (benchmarks/RESULTS_sentiment.md lists every variant), so
    the reported CV numbers carry some selection optimism.
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

Speed: every scorer works on a whole batch of sentences. ``vader`` runs through
``analysis.vader_fast.FastVader`` (bit-identical to vaderSentiment 3.3.2). ``vader_neutralised``,
``news`` and ``news_context`` share one batch feature pass (:func:`_batch_features`: per-token
properties computed once per distinct token, the regex rules only where a trigger word occurs,
one VADER pass per sentence, numpy for the dense features, the ridge's word and char TF-IDF
terms summed in C in the order of the sparse products they replace, so bit-identical;
identical sentences are analysed once). Its per-sentence loop is
compiled (``analysis/_newscore.pyx``, Cython, built by ``pip install -e .``): tokens become
integer ids with typed property arrays, and the name rules, VADER's rule engine and the counts
run in C; the pure-Python loop (:func:`_batch_features_py`) is kept as the reference and the
fallback, and gives identical output (tested). Token properties and the learned words'
character n-gram rows are kept per process across calls (the pipeline scores one chunk of
articles per call; each distinct token is analysed once per process). Its neutralisation
decisions and VADER numbers
are exactly those of the per-token reference used by :func:`explain_sentence` (tested); the
lexicon block is vectorised in ``analysis.sentiment_lexicons`` (tested against a plain loop).
Timings: ``benchmarks/bench_sentiment_speed.py``, ``benchmarks/RESULTS_sentiment.md``.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import operator
import re
import string
import threading
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from . import paths
from .files import load_yaml_safe
from .gcpause import gc_paused
from .sentiment_lexicons import LEXICON_FEATURES, lexicon_features, lexicon_versions

try:  # the compiled per-sentence loop of the news scorer (built by ``pip install -e .``)
    from . import _newscore
except ImportError:  # not built: the pure-Python loop (same output, slower)
    _newscore = None

METHODS = ("vader", "vader_neutralised", "news", "news_context")
DEFAULT_METHOD = "news"
SCORE_COLUMNS = ["neg", "neu", "pos", "compound"]
MAX_TEXT_CHARS = 200_000  # longer texts are truncated in score_texts (longest corpus text: 53,479)
MODEL_FILE = "news_sentiment.json"
ENTITIES_FILE = "news_entities.yml"
MODEL_FORMAT = "analysis.news_sentiment/2"  # /2: + bundled-lexicon features
# the news scorer's compound is the predicted rater mean / 4, so the raters' +-0.5 class cut
# (``analysis.sentiment_validation.TRUTH_THRESHOLD``) is +-0.125 on it; defined here, where
# scores are aggregated, so that aggregating does not import the validation module (scipy.stats
# and scikit-learn: ~2 s); the validation module imports it from here
NEWS_THRESHOLD = 0.5 / 4

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
    """VADER scores of each text: columns ``neg, neu, pos, compound`` (the ONE VADER call point).

    Computed by ``analysis.vader_fast.FastVader`` (vaderSentiment 3.3.2's output, bit for bit,
    ~4x faster; tests/test_sentiment.py compares it with the reference analyzer)."""
    texts = [t if isinstance(t, str) else str(t) for t in texts]
    return _fast_vader().score_many(texts).reset_index(drop=True)[SCORE_COLUMNS]


def _demojize(text: str) -> str:
    """VADER's own first step (emoji -> description, then ``strip``), so token positions match
    VADER's: ``analysis.vader_fast.demojize``."""
    from .vader_fast import demojize

    return demojize(text).strip()


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
    p = paths.RESOURCES_DIR / ENTITIES_FILE if path is None else path
    # libyaml's safe loader (identical dict, tested): the pure-Python parser took ~0.02 s of each
    # worker's start-up, libyaml ~0.002 s
    with open(p, encoding="utf-8") as fh:
        cfg = load_yaml_safe(fh)
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
        "listed_scan": _listed_scan(alts),
        "pattern_vocab": tuple(sorted({w for _, words, _ in patterns for w in words})),
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
        runs = _capitalised_runs(
            [r["capitalised"] for r in out],
            [c.lower() in _CONNECTORS and r["token"] == c for r, c in zip(out, cores, strict=True)],
            [r["token"][-1] in _RUN_END for r in out],
        )
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


def neutralised_vader(texts: Sequence[str]) -> pd.DataFrame:
    """VADER scores with names and policy vocabulary neutralised: ``neg, neu, pos, compound``."""
    if not len(texts):
        return pd.DataFrame(columns=SCORE_COLUMNS, dtype=float)
    d = _features_table(texts)["dense"]
    return pd.DataFrame({"neg": d[:, 2], "neu": d[:, 3], "pos": d[:, 1], "compound": d[:, 0]})


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
VADER_DENSE_FEATURES = [
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
# the dense block of the trained layer: 17 neutralised-VADER features, then the bundled-lexicon
# features of ``analysis.sentiment_lexicons`` (AFINN, pattern, Harvard IV-4, Loughran-McDonald,
# NRC and their consensus, with VADER's negation and "but" rules)
DENSE_FEATURES = VADER_DENSE_FEATURES + LEXICON_FEATURES
_SETTINGS = {
    "alpha": 6.5,
    "ngram_range": [1, 2],
    "min_df": 2,
    "lex_weight": 0.3,
    "dense_weight": 0.15,
    "context_weight": 0.3,
    "char_ngram_range": [2, 5],
    "char_min_df": 3,
    "char_max_features": 40_000,
    "char_weight": 1.0,
    "cv_folds": 5,
}


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


# --------------------------------------------------------------------------- batch feature pass
# Why this shape (measured on 20,000 corpus sentences, one core; see
# benchmarks/bench_sentiment_speed.py): the per-sentence path (token dicts, a second VADER pass
# through vaderSentiment's SentiText, per-sentence numpy, hand-made char n-gram lists) ran
# ~1,600 sentences/s, this batch path ~9,500 (a plain vaderSentiment loop: ~12,000); with the
# bundled-lexicon block of issue #3 ~8,800 (benchmarks/RESULTS_sentiment.md).
# Here (1) every per-token property (VADER look-up form, lexicon membership, capitalisation,
# list triggers, the learned-layer words) is computed once per distinct token of the batch and
# read back as a tuple; (2) the listed-name regex and the policy patterns only run on sentences
# holding one of their trigger words; (3) VADER runs once per sentence on the masked tokens,
# through FastVader's rule engine (exact vaderSentiment output), and only when a lexicon word
# survives neutralisation; (4) dense features and VADER's score arithmetic are computed for the
# whole batch with numpy; (5) word and character n-grams are looked up with integer codes and
# ``searchsorted`` (``_word_counts``, ``_char_counts``); (6) the ridge is sparse dot products
# (with the extension: the TF-IDF terms summed in C, ``_word_tfidf_dot``/``_char_tfidf_dot``);
# (7) identical sentences are analysed once. The features are exactly those of the per-token
# reference (``neutralised_tokens`` / ``explain_sentence``), checked in tests/test_sentiment.py.
(
    _P_TOK,
    _P_LOW,
    _P_INLEX,
    _P_HIT,
    _P_CAP,
    _P_SINGLE,
    _P_RUNNY,
    _P_NEXT_INIT,
    _P_FIRST_OPEN,
    _P_LONG,
    _P_LONG_LOWER,
    _P_LISTED,
    _P_PATTERN,
    _P_DESC,
    _P_CONNECTOR,
    _P_RUN_END,
    _P_NEG,
    _P_BOOST,
    _P_MASKED,
    _P_LEARNED,
    _P_MASK,
) = range(21)
# bits of ``_P_MASK``: OR-ed over a sentence's tokens, they say which rules can apply at all
_B_LISTED, _B_PATTERN, _B_DESC, _B_CAP, _B_LONG_LOWER, _B_HIT, _B_NEG, _B_BOOST = (
    1 << k for k in range(8)
)
_TOKEN_RE = re.compile(r"\S+")
_RUN_END = ',.;:!?)”"'


@functools.lru_cache(maxsize=1)
def _fast_vader():
    """The one FastVader engine (``analysis.vader_fast``: vaderSentiment's output, faster)."""
    from .vader_fast import FastVader

    return FastVader()


@functools.lru_cache(maxsize=1)
def _triggers() -> dict:
    """Cheap per-token triggers for the regex rules of the neutralisation list."""
    cfg = _entity_config()
    raw = cfg["raw"]
    firsts = {
        str(e[kind]).split()[0]
        for kind, key in (("phrase", "phrases"), ("name", "names"))
        for e in raw.get(key) or []
        if str(e[kind]).split()
    }
    pwords = set(cfg["pattern_vocab"])

    def any_of(words: set[str], pre: str = "", post: str = ""):
        alts = "|".join(map(re.escape, sorted(words)))
        return re.compile(f"{pre}(?:{alts}){post}") if words else None

    from .vader_fast import BOOSTER_DICT, NEGATE

    return {
        "negate": NEGATE,
        "booster": BOOSTER_DICT,
        "listed_firsts": frozenset(firsts),
        # a listed entry can only match where its first word stands between the same word
        # boundaries as in the listed regex (the next character is a space or the end): of the
        # pool's 159,920 distinct sentences 25,485 trigger it (28,247 as a substring test)
        "listed": any_of(firsts, r"(?<![\w-])", r"(?![\w-])"),
        # a policy pattern only neutralises tokens whose look-up word is one of its words and
        # in VADER's lexicon, so only such a token makes the pattern regexes worth running:
        # 12,299 of the pool's 159,920 distinct sentences (19,126 as a substring test)
        "pattern_words": frozenset(w for w in pwords if w in _fast_vader().lexicon),
        # a pattern word with a space could span tokens: then the text-level test always runs
        "pattern_always": any(any(ch.isspace() for ch in w) for w in pwords),
    }


def _listed_scan(alts: list[str]):
    """The listed-name regex of :func:`_entity_config` in an equivalent, faster form: a
    look-ahead for the set of the entries' first characters, and the alternatives grouped by
    their first character (in their order: longest first within each group).

    Same matches: a match must start with one of those characters, and at any position only
    the alternatives starting with that position's character can match, tried in the original
    order, so the leftmost-first choice (and the span) is the same; tested on pool sentences
    and SYNTHETIC ones. Why: Python's regex engine tries every alternative at every position;
    this form scans the pool's 25,485 distinct sentences with a listed trigger word in 0.25 s
    CPU instead of 0.44 s (median of 5, same run)."""
    if not alts:
        return None
    groups: dict[str, list[str]] = {}
    for a in alts:
        k = a[:2] if a.startswith("\\") else a[:1]
        groups.setdefault(k, []).append(a[len(k) :])
    if any(not k or k == "\\s" for k in groups):  # not a plain first character: keep the original
        return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])")
    first = "[" + "".join(groups) + "]"
    body = "|".join(k + "(?:" + "|".join(rest) + ")" for k, rest in groups.items())
    return re.compile(f"(?={first})" + r"(?<![\w-])(?:" + body + r")(?![\w-])")


def _token_props(tok: str, cfg: dict, trig: dict, lex: dict, hitset) -> tuple:
    """Everything the neutralisation rules and the features need to know about one token."""
    core = tok.strip(_PUNCT)
    st = tok.strip(string.punctuation)
    item = tok if len(st) <= 2 else st
    low = item.lower()
    in_lex = low in lex
    cap = core[:1].isupper()
    allcaps = len(core) > 1 and core.isupper()
    long_alpha = len(core) >= 4 and core.isalpha()
    ltok = tok.lower()
    learned = [w for w in _WORD_RE.findall(ltok.replace("’", "'")) if w not in cfg["identity"]]
    if not learned and any(map(str.isdigit, tok)) and not _WORD_RE.search(ltok):
        learned.append("<num>")
    masked = tok
    if in_lex:
        k = tok.find(item)
        ph = "ENTITY" if item.isupper() and len(item) > 1 else "Entity"
        masked = tok[:k] + ph + tok[k + len(item) :] if k >= 0 else ph
    hit = low in hitset
    listed = trig["listed"] is not None and trig["listed"].search(tok) is not None
    pattern = trig["pattern_always"] or low in trig["pattern_words"]
    desc = low in cfg["descriptive"]
    long_lower = long_alpha and not cap
    neg = low in trig["negate"] or low.endswith("n't")
    boost = low in trig["booster"]
    mask = (
        _B_LISTED * listed
        | _B_PATTERN * pattern
        | _B_DESC * desc
        | _B_CAP * cap
        | _B_LONG_LOWER * long_lower
        | _B_HIT * hit
        | _B_NEG * neg
        | _B_BOOST * boost
    )
    return (
        tok,
        low,
        in_lex,
        hit,
        cap,
        cap and not allcaps and len(core) > 1,
        cap and (allcaps or len(core) <= 1),
        tok[-1] in _INITIAL_AFTER or not core,
        tok[0] in _OPENERS,
        long_alpha,
        long_lower,
        listed,
        pattern,
        desc,
        core.lower() in _CONNECTORS and tok == core,
        tok[-1] in _RUN_END,
        neg,
        boost,
        masked,
        tuple(learned),
        mask,
    )


def _spans_tokens(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """Indices of the whitespace tokens of ``text`` overlapping any of ``spans``."""
    import bisect

    offs = [m.span() for m in _TOKEN_RE.finditer(text)]
    ends = [e for _, e in offs]
    out: set[int] = set()
    for a, b in spans:
        j = bisect.bisect_right(ends, a)  # first token ending after the span starts
        while j < len(offs) and offs[j][0] < b:
            out.add(j)
            j += 1
    return sorted(out)


def _regex_marks(text: str, lows, cfg: dict, m: int, to_tokens=_spans_tokens) -> tuple[set, set]:
    """The regex steps of :func:`_name_and_neutral`: token indices inside a listed phrase or
    name (``name``) and the pattern words inside a policy pattern (``marked``); ``lows(j)``
    gives token ``j``'s VADER look-up word, ``to_tokens`` is :func:`_spans_tokens` or its
    compiled twin."""
    name: set[int] = set()
    marked: set[int] = set()
    if cfg["listed"] is not None and m & _B_LISTED:
        spans = [m.span() for m in cfg["listed_scan"].finditer(text)]
        if spans:
            name.update(to_tokens(text, spans))
    if m & _B_PATTERN:
        # the pattern words occurring in the text, found once, not by a generator per pattern:
        # the pattern step over the pool's 12.5k distinct sentences with a pattern word took
        # 0.50 s CPU, now 0.42 s (same patterns run, same spans)
        low = text.lower()
        present = {w for w in cfg["pattern_vocab"] if w in low}
        for rx, words, _src in cfg["patterns"]:
            if present.isdisjoint(words):
                continue
            spans = [m.span() for m in rx.finditer(text)]
            if spans:
                marked.update(j for j in to_tokens(text, spans) if lows(j) in words)
    return name, marked


def _name_and_neutral(text: str, P: list[tuple], cfg: dict, m: int) -> tuple[set, set]:
    """Token indices that are (part of) names and those neutralised: the rules of
    :func:`neutralised_tokens` (without reasons), read from the per-token tuples ``P`` (``m``:
    their ``_P_MASK`` bits OR-ed)."""
    n = len(P)
    name, marked = _regex_marks(text, lambda j: P[j][_P_LOW], cfg, m)
    if m & _B_DESC:
        marked.update(j for j in range(n) if P[j][_P_DESC])
    if m & _B_CAP and (m & _B_LONG_LOWER or sum(map(_get_long, P)) < 2):  # not headline case
        need_runs = False
        for i in itertools.compress(range(n), map(_get_cap, P)):
            p = P[i]
            if i == 0 or P[i - 1][_P_NEXT_INIT] or p[_P_FIRST_OPEN]:
                continue
            if p[_P_SINGLE]:
                name.add(i)
            elif p[_P_RUNNY]:
                need_runs = True
        if need_runs:
            name.update(_run_names(P))
    neut = {j for j in name | marked if P[j][_P_INLEX]}
    return name, neut


def _capitalised_runs(
    cap: Sequence[bool], connector: Sequence[bool], run_end: Sequence[bool]
) -> list[list[int]]:
    """Token indexes grouped into runs of capitalised words (the capitalisation-context rule).

    A capitalised token joins the current run; a connector ("of", "the", "&" ...) joins only
    inside a run and before a capitalised token; a token ending in punctuation (``run_end``)
    closes its run. Used by the explaining path (:func:`neutralised_tokens`) and the batch path
    (:func:`_run_names`), so both apply one rule.
    """
    runs: list[list[int]] = []
    cur: list[int] = []
    n = len(cap)
    for j in range(n):
        nxt_cap = j + 1 < n and cap[j + 1]
        joins = cap[j] or (cur and connector[j] and nxt_cap)
        if joins and cur and run_end[cur[-1]]:
            runs.append(cur)
            cur = []
        if joins:
            cur.append(j)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _run_names(P: list[tuple]) -> list[int]:
    """Capitalised, non-initial tokens inside runs of two or more capitalised words (the run
    rule of :func:`neutralised_tokens`, through the same :func:`_capitalised_runs`)."""
    runs = _capitalised_runs(
        [p[_P_CAP] for p in P], [p[_P_CONNECTOR] for p in P], [p[_P_RUN_END] for p in P]
    )
    out = []
    for run in runs:
        caps = [j for j in run if P[j][_P_CAP]]
        if len(caps) >= 2:
            out.extend(
                j for j in caps if not (j == 0 or P[j - 1][_P_NEXT_INIT] or P[j][_P_FIRST_OPEN])
            )
    return out


_get_long = operator.itemgetter(_P_LONG)
_get_cap = operator.itemgetter(_P_CAP)
_get_low = operator.itemgetter(_P_LOW)
_get_mask = operator.itemgetter(_P_MASK)
_get_hit = operator.itemgetter(_P_HIT)
_get_neg = operator.itemgetter(_P_NEG)
_get_boost = operator.itemgetter(_P_BOOST)
_get_learned = operator.itemgetter(_P_LEARNED)


def _vader_scores_batch(
    vals: np.ndarray, sid: np.ndarray, n_tok: np.ndarray, excl: np.ndarray, quest: np.ndarray
) -> np.ndarray:
    """VADER's ``score_valence`` for many sentences at once: ``neg, neu, pos, compound`` from the
    non-zero token scores ``vals`` (sentence index ``sid``, in token order), token counts and the
    ``!``/``?`` counts. Same arithmetic in the same order as vaderSentiment (sums run left to
    right; rounding with Python's ``round``), so the values are VADER's."""
    n = len(n_tok)
    sum_s = np.bincount(sid, vals, minlength=n).astype(float)
    ep = np.minimum(excl, 4) * 0.292
    qm = np.where(quest > 3, 0.96, np.where(quest > 1, quest * 0.18, 0.0))
    amp = ep + qm
    sum_s = np.where(sum_s > 0, sum_s + amp, np.where(sum_s < 0, sum_s - amp, sum_s))
    compound = np.clip(sum_s / np.sqrt(sum_s * sum_s + 15), -1.0, 1.0)
    pos_sum = np.bincount(sid, np.where(vals > 0, vals + 1, 0.0), minlength=n)
    neg_sum = np.bincount(sid, np.where(vals < 0, vals - 1, 0.0), minlength=n)
    neu = n_tok - np.bincount(sid, minlength=n)
    more_pos = pos_sum > np.abs(neg_sum)
    more_neg = pos_sum < np.abs(neg_sum)
    pos_sum = np.where(more_pos, pos_sum + amp, pos_sum)
    neg_sum = np.where(more_neg, neg_sum - amp, neg_sum)
    total = pos_sum + np.abs(neg_sum) + neu
    with np.errstate(invalid="ignore", divide="ignore"):
        cols = [np.abs(neg_sum / total), np.abs(neu / total), np.abs(pos_sum / total)]
    out = np.zeros((n, 4))
    ok = n_tok > 0
    for k, (col, digits) in enumerate(zip([*cols, compound], (3, 3, 3, 4), strict=True)):
        out[:, k] = np.where(ok, _round_like_python(col, digits), 0.0)
    return out


def _round_like_python(x: np.ndarray, digits: int) -> np.ndarray:
    """``[round(v, digits) for v in x]`` (Python's correctly rounded ``round``), vectorised.

    Python rounds the exact binary value ``v * 10**digits`` half-to-even to an integer ``k``
    and returns the double nearest to ``k / 10**digits``; ``np.rint(y) / 10**digits`` with
    ``y = fl(v * 10**digits)`` divides the same two exact doubles (one correctly rounded
    division), so both agree whenever ``rint(y) == k``. They can differ only if ``y`` lies
    within the multiplication's rounding error (< 1e-11 here) of a half-integer: those values
    (and non-finite or huge ones) go through Python's ``round``. Why: the list comprehension
    over ~40k values per 200-article chunk cost ~0.85 s CPU of the 16 pool chunks; this ~0.02 s.
    Tested equal on the pool's values and on SYNTHETIC values at and around ties."""
    x = np.asarray(x, dtype=np.float64)
    scale = 10.0**digits
    y = x * scale
    out = np.rint(y) / scale
    with np.errstate(invalid="ignore"):
        slow = ~(np.abs(np.abs(y - np.floor(y)) - 0.5) > 1e-6) | ~(np.abs(y) < 2.0**50)
    if slow.any():
        out[slow] = [round(v, digits) for v in x[slow].tolist()]
    return out


def _fast_token_flags(text: str) -> list[tuple[bool, bool]]:
    """``(name, neutralised)`` of each whitespace token of ``text`` as the batch pass decides
    them (for tests: must equal :func:`neutralised_tokens`, which explains them)."""
    fv = _fast_vader()
    cfg, trig = _entity_config(), _triggers()
    text = _demojize(text)
    P = [_token_props(t, cfg, trig, fv.lexicon, fv.scoring_words) for t in text.split()]
    m = functools.reduce(operator.or_, map(_get_mask, P), 0)
    name, neut = _name_and_neutral(text, P, cfg, m)
    return [(j in name, j in neut) for j in range(len(P))]


def _batch_features(texts: Sequence[str], plain_vader: bool = False) -> dict[str, Any]:
    """Per-sentence features of DISTINCT ``texts`` (callers deduplicate): ``dense`` (n x 17, the
    columns of ``DENSE_FEATURES``), ``lex`` (lower-cased lexicon word -> summed rule-adjusted
    valence, one dict per text), ``tokens`` (the learned layer's words: no names, no
    neutralised words, no identity terms, numbers as ``<num>``) and ``plain`` (True where no word
    was neutralised: the VADER columns of ``dense`` are then plain VADER's scores of the text).

    Runs the compiled loop (``analysis._newscore``, :func:`_batch_features_c`) when the
    extension is built, else the pure-Python reference :func:`_batch_features_py`; both give
    identical output (tests/test_sentiment.py). ``plain_vader`` asks the compiled loop for
    plain VADER's scores of the sentences with a neutralised word as well."""
    if _compiled() is None:
        return _batch_features_py(texts)
    return _batch_features_c(texts, plain_vader)


def _compiled():
    """``analysis._newscore`` when it is built and current, else ``None``: every use of the
    compiled code asks here, so a stale build is never used, whichever function runs first."""
    return _newscore if _newscore is not None and _compiled_is_current() else None


@functools.lru_cache(maxsize=1)
def _compiled_is_current() -> bool:
    """Whether the built ``analysis._newscore`` was compiled from the ``_newscore.pyx`` beside it.

    A stale build (the .pyx changed since ``pip install -e .``, e.g. after a ``git pull``) is not
    used: the module falls back to the Python loop (same results, slower) and warns once, so a
    stale binary can never give results the current source would not. Checked on first use, not
    at import (no file reads at import time)."""
    global _newscore
    src = paths.PACKAGE_DIR / "_newscore.pyx"
    if _newscore is None or not src.exists():  # an installed wheel ships only the binary
        return _newscore is not None
    if getattr(_newscore, "SOURCE_SHA256", None) == hashlib.sha256(src.read_bytes()).hexdigest():
        return True
    import warnings

    warnings.warn(
        "analysis._newscore was built from an older analysis/_newscore.pyx: using the pure-Python "
        "news-scorer loop (same results, slower). Rebuild with `make install` or "
        "`pip install -e .`.",
        RuntimeWarning,
        stacklevel=3,
    )
    _newscore = None
    return False


def _batch_features_py(texts: Sequence[str]) -> dict[str, Any]:
    """The pure-Python batch pass (reference of the compiled :func:`_batch_features_c`)."""
    cfg = _entity_config()
    trig = _triggers()
    fv = _fast_vader()
    lex = fv.lexicon
    hitset = fv.scoring_words
    props: dict[str, tuple] = {}
    get = props.get
    n = len(texts)
    rule_bits = _B_LISTED | _B_PATTERN | _B_DESC | _B_CAP
    none: frozenset[int] = frozenset()
    counts: list[tuple[int, int, int, int, int, int, int]] = []
    flat_vals: list[float] = []
    flat_sid: list[int] = []
    lexes: list[dict[str, float]] = []
    tokens: list[list[str]] = []
    plain = np.ones(n, dtype=bool)
    for r, raw in enumerate(texts):
        text = _demojize(raw)
        toks = text.split()
        P = list(map(get, toks))
        if None in P:
            for j, p in enumerate(P):
                if p is None:
                    p = P[j] = _token_props(toks[j], cfg, trig, lex, hitset)
                    props[toks[j]] = p
        m = functools.reduce(operator.or_, map(_get_mask, P), 0)
        name, neut = _name_and_neutral(text, P, cfg, m) if m & rule_bits else (none, none)
        kept = [p for j, p in enumerate(P) if j not in neut] if neut else P
        if neut:
            plain[r] = False
        lv: dict[str, float] = {}
        if m & _B_HIT and (not neut or any(map(_get_hit, kept))):
            # VADER's tokens and look-up forms are those of the per-token pass; a neutralised
            # word becomes the placeholder ("Entity"/"ENTITY", look-up form "entity")
            words, lowers = toks, list(map(_get_low, P))
            if neut:
                words = list(toks)
                for j in neut:
                    words[j] = P[j][_P_MASKED]
                    lowers[j] = "entity"
            sents = fv.token_scores(words, lowers)
            if sents is not None:
                for j in itertools.compress(range(len(sents)), sents):
                    x = sents[j]
                    flat_vals.append(x)
                    flat_sid.append(r)
                    w = lowers[j]
                    lv[w] = lv.get(w, 0.0) + x
        lexes.append(lv)
        masked = (
            " ".join([P[j][_P_MASKED] if j in neut else t for j, t in enumerate(toks)])
            if neut
            else text
        )
        counts.append(
            (
                len(toks),
                sum(map(_get_neg, kept)) if m & _B_NEG else 0,
                sum(map(_get_boost, kept)) if m & _B_BOOST else 0,
                masked.count("!"),
                masked.count("?"),
                raw.count("!"),
                raw.count("?"),
            )
        )
        if name:
            kept = [p for j, p in enumerate(P) if j not in name and j not in neut]
        tokens.append(list(itertools.chain.from_iterable(map(_get_learned, kept))))
    cnt = np.asarray(counts, dtype=np.int64).reshape(n, 7)
    vals = np.asarray(flat_vals, dtype=float)
    sid = np.asarray(flat_sid, dtype=np.int64)
    return _assemble_features(cnt, vals, sid, lexes, tokens, plain, lex)


def _assemble_features(
    cnt: np.ndarray,
    vals: np.ndarray,
    sid: np.ndarray,
    lexes: list[dict[str, float]],
    tokens: list[list[str]],
    plain: np.ndarray,
    lex: dict[str, float],
    ids: tuple | None = None,
) -> dict[str, Any]:
    """The feature dict of :func:`_batch_features` from what the per-sentence loop collects:
    per-sentence counts (n x 7: tokens, negations, boosters, ``!``/``?`` of the masked text and
    of the raw text), the non-zero VADER token scores ``vals`` with their sentence ``sid`` (in
    token order), the per-sentence VADER word dicts, the learned-layer tokens and ``plain``."""
    n = len(cnt)
    n_tok, excl, quest = cnt[:, 0], cnt[:, 3], cnt[:, 4]
    n_neg, n_boost = cnt[:, 1].astype(float), cnt[:, 2].astype(float)
    excl_raw, quest_raw = cnt[:, 5].astype(float), cnt[:, 6].astype(float)
    scores = _vader_scores_batch(vals, sid, n_tok, excl, quest)  # neg, neu, pos, compound
    vsum = np.bincount(sid, vals, minlength=n).astype(float)
    n_zero = n_tok - np.bincount(sid, minlength=n)
    vmax = np.full(n, -np.inf)
    vmin = np.full(n, np.inf)
    np.maximum.at(vmax, sid, vals)
    np.minimum.at(vmin, sid, vals)
    vmax = np.where(n_zero > 0, np.maximum(vmax, 0.0), vmax)
    vmin = np.where(n_zero > 0, np.minimum(vmin, 0.0), vmin)
    empty = n_tok == 0
    vmax[empty] = 0.0
    vmin[empty] = 0.0
    dense = np.column_stack(
        [
            scores[:, 3],
            scores[:, 2],
            scores[:, 0],
            scores[:, 1],
            vsum,
            np.bincount(sid, np.where(vals > 0, vals, 0.0), minlength=n),
            np.bincount(sid, np.where(vals < 0, vals, 0.0), minlength=n),
            np.bincount(sid, (vals > 0).astype(float), minlength=n),
            np.bincount(sid, (vals < 0).astype(float), minlength=n),
            vmax,
            vmin,
            vsum / np.sqrt(np.maximum(n_tok, 1)),
            np.log1p(n_tok),
            n_neg,
            n_boost,
            excl_raw,
            quest_raw,
        ]
    ).reshape(n, len(VADER_DENSE_FEATURES))
    from .vader_fast import N_SCALAR, NEGATE

    ids = _token_ids(tokens) if ids is None else ids
    extra = lexicon_features(tokens, NEGATE, N_SCALAR, lex, ids)
    # each sentence's VADER word dict (a fresh dict per sentence, built by the caller's loop)
    # takes the other lexicons' words in place: the keys and values of ``{**a, **b}``, without
    # copying ~10^5 dicts per pool chunk
    for a, b in zip(lexes, extra["lex"], strict=True):
        if b:
            a.update(b)
    return {
        "dense": np.hstack([dense, extra["dense"]]),
        "lex": lexes,
        "tokens": extra["tokens"],
        # (distinct words, word id per token, tokens per sentence) of ``tokens``, for the
        # trained layer's n-gram blocks; dropped by _subset and _features_table' row copies
        "token_ids": extra["token_ids"],
        "plain": plain,
    }


@functools.lru_cache(maxsize=1)
def _emoji_bitmap() -> np.ndarray:
    """``bitmap[codepoint]`` is 1 for VADER's one-character emoji (``vader_fast.demojize``)."""
    from .vader_fast import _single_char_emoji

    table, _ = _single_char_emoji()
    cps = [ord(ch) for ch in table]
    out = np.zeros(max(cps, default=0) + 1, dtype=np.uint8)
    out[cps] = 1
    return out


@functools.lru_cache(maxsize=1)
def _listed_chars() -> np.ndarray:
    """``table[c]`` is 1 for each ASCII character that starts a listed phrase or name (the C
    token table runs the listed-name trigger regex only on tokens holding one); all 1 when a
    listed entry starts with a non-ASCII character."""
    firsts = {w[0] for w in _triggers()["listed_firsts"]}
    table = np.zeros(128, dtype=np.uint8)
    if any(ord(ch) >= 128 for ch in firsts):
        table[:] = 1
    else:
        table[[ord(ch) for ch in firsts]] = 1
    return table


def _token_arrays(
    distinct: list[str], ascii_fast: bool = True, words: dict | None = None, w_from: int = 0
) -> dict[str, Any]:
    """Typed arrays of the tokens ``distinct`` (by id) and of their VADER look-up words, as
    :func:`analysis._newscore.sentence_pass` reads them: each token's ``_token_props``
    (with ``ascii_fast`` computed in C for pure-ASCII tokens and those whose other characters
    are curly quotes, dashes or the ellipsis, the others by ``_token_props``).
    ``words`` (look-up word -> id, extended) and ``w_from`` continue an earlier table
    (:func:`_split_tokens`): the word arrays then cover the words with id >= ``w_from``."""
    from .vader_fast import _IDIOM_TRIGGERS, BOOSTER_DICT, NEGATE

    cfg, trig, fv = _entity_config(), _triggers(), _fast_vader()
    lex, hitset = fv.lexicon, fv.scoring_words
    specials = _newscore.SPECIAL_WORDS
    if words is None:
        words = {w: k for k, w in enumerate(specials)}
    out = _newscore.token_table(
        distinct,
        words,
        functools.partial(_token_props, cfg=cfg, trig=trig, lex=lex, hitset=hitset),
        ascii_fast,
        lex,
        hitset,
        NEGATE,
        BOOSTER_DICT,
        cfg["descriptive"],
        cfg["identity"],
        trig["listed"],
        trig["pattern_words"],
        trig["pattern_always"],
        _CONNECTORS,
        _IDIOM_TRIGGERS,
        _listed_chars(),
        w_from,
    )
    return {**out, "special": np.arange(len(specials), dtype=np.int32)}


# the per-process token table of the compiled pass grows call by call; past this many distinct
# tokens it starts again (memory bound for very large corpora; results do not depend on it)
_TOKEN_TABLE_MAX = 1_000_000
_TOKEN_ARRAYS = ("tflag", "tmask", "tlow", "texcl", "tquest", "mexcl", "mquest")
# the per-process tables are extended under this lock (callers in several threads); a call keeps
# its own references to the arrays it read, which later calls replace but never change
_TABLE_LOCK = threading.Lock()
_WORD_ARRAYS = ("wflag", "wval", "wboost")


@functools.lru_cache(maxsize=1)
def _token_state() -> dict:
    """The mutable per-process token table of :func:`_split_tokens` (empty until first use)."""
    return {"key": None}


def _split_tokens(raws: list[str]) -> tuple[list[str], np.ndarray, np.ndarray, list, dict]:
    """``_newscore.split_ids`` and the token arrays of :func:`_token_arrays`, with token ids and
    token/word properties kept per process across calls: a token's properties depend only on
    the token and the (cached) configuration, so each distinct token is analysed once per
    process, not once per call. Why: the pipeline calls the scorer once per 200-article chunk
    (~10k sentences); building the table again for every chunk cost ~1.9 s CPU of ~13.6 s over
    the 16 pool chunks, 0.8-1.0 s when only the new tokens of a chunk are analysed (cProfile;
    most of the rest: the pool's ~27k distinct non-ASCII tokens, analysed by ``_token_props``).
    Returns the demojized texts, flat token ids, offsets, the tokens by id and the arrays."""
    with _TABLE_LOCK:
        return _split_tokens_locked(raws)


def _split_tokens_locked(raws: list[str]) -> tuple:
    """:func:`_split_tokens`' work (the caller holds ``_TABLE_LOCK``)."""
    from .vader_fast import demojize

    st = _token_state()
    key = (id(_entity_config()), id(_triggers()), id(_fast_vader()))
    if st["key"] != key or len(st["distinct"]) > _TOKEN_TABLE_MAX:
        st.clear()
        st.update(key=key, index=_newscore.TokenIndex(), distinct=[], learned=[], A=None)
        st["words"] = {w: k for k, w in enumerate(_newscore.SPECIAL_WORDS)}
        st.update(lindex={}, lwords=[])  # learned words -> per-process id, words by id
    distinct, words = st["distinct"], st["words"]
    t0, w0 = len(distinct), len(words) if st["A"] is not None else 0
    # ``split_ids_fast``: ``split_ids``' output (tested) without creating a string per known
    # token: the pool's 3.7M tokens split and identified in ~0.55 s CPU instead of ~1.1 s
    dm, flat, off = _newscore.split_ids_fast(raws, st["index"], distinct, demojize, _emoji_bitmap())
    if st["A"] is None or len(distinct) > t0:
        new = _token_arrays(distinct[t0:], words=words, w_from=w0)
        st["learned"].extend(new["learned"])
        lflat, loff = _newscore.learned_ids(new["learned"], st["lindex"], st["lwords"])
        old = st["A"]
        A = {"special": new["special"], "learned": st["learned"], "wstr": new["wstr"]}
        A["lwords"] = st["lwords"]
        for k in _TOKEN_ARRAYS + _WORD_ARRAYS:
            A[k] = new[k] if old is None else np.concatenate([old[k], new[k]])
        if old is None:
            A["lrn_flat"], A["lrn_off"] = lflat, loff
        else:
            A["lrn_flat"] = np.concatenate([old["lrn_flat"], lflat])
            A["lrn_off"] = np.concatenate([old["lrn_off"], loff[1:] + old["lrn_off"][-1]])
        st["A"] = A
    return dm, flat, off, distinct, st["A"]


def _batch_features_c(texts: Sequence[str], plain_vader: bool = False) -> dict[str, Any]:
    """:func:`_batch_features_py` with its per-sentence loop compiled (``analysis._newscore``).

    Why (cProfile, 800 articles = 39.6k sentences, one core): the Python loop spent ~4.5 s in
    per-token tuple reads, the name rules and FastVader's rule engine; here every distinct token
    gets an integer id and its properties (``_token_props``, computed in C for ASCII tokens) go
    into typed arrays once, and the mask, the name/neutralisation rules, VADER's rules and the
    counts run in C over those arrays. Sentences that may hold a listed name or a policy
    pattern (a token trigger decides) run those regexes in Python (``_regex_marks``), and
    sentences with a word of one of VADER's multi-word idioms are scored by
    ``FastVader.token_scores``; benchmarks/RESULTS_sentiment.md has the numbers.

    ``plain_vader``: also return plain VADER's ``neg, neu, pos, compound`` of the sentences
    with a neutralised word (``redo_rows``, ``redo_scores``), from the same token arrays.
    """
    from .vader_fast import _NEUTRAL, C_INCR, N_SCALAR, _score_valence

    cfg = _entity_config()
    trig = _triggers()
    fv = _fast_vader()
    lex = fv.lexicon
    hitset = fv.scoring_words
    raws = list(texts)
    dm, flat, off, distinct, A = _split_tokens(raws)
    wstr, tlow = A["wstr"], A["tlow"]

    def names_py(r: int, m: int) -> tuple[set, set]:
        return _regex_marks(
            dm[r], lambda j: wstr[tlow[flat[off[r] + j]]], cfg, m, _newscore.spans_tokens
        )

    def vader_py(r: int, neut: list[int]) -> list | None:
        ids = flat[off[r] : off[r + 1]].tolist()
        words = [distinct[k] for k in ids]
        lowers = [wstr[k] for k in tlow[ids].tolist()]
        for j, x in enumerate(neut):
            if x:
                words[j] = _token_props(words[j], cfg, trig, lex, hitset)[_P_MASKED]
                lowers[j] = "entity"
        return fv.token_scores(words, lowers)

    res = _newscore.sentence_pass(
        raws,
        dm,
        flat,
        off,
        A["tflag"],
        A["tmask"],
        A["tlow"],
        A["texcl"],
        A["tquest"],
        A["mexcl"],
        A["mquest"],
        A["learned"],
        A["wflag"],
        A["wval"],
        A["wboost"],
        A["wstr"],
        A["special"],
        "least" in lex,
        N_SCALAR,
        C_INCR,
        names_py,
        vader_py,
        plain_vader,
        lrn_flat=A["lrn_flat"],
        lrn_off=A["lrn_off"],
    )
    cnt, vals, sid, lexes, tokens, plain, _fallbacks, redo, (gids, lens) = res
    feats = _assemble_features(
        cnt, vals, sid, lexes, tokens, plain, lex, _batch_word_ids(A["lwords"], gids, lens)
    )
    if plain_vader:
        # ``FastVader._scores_uncached`` from the token scores (the text only gives ! and ?)
        feats["redo_rows"] = np.array([r for r, _ in redo], dtype=np.int64)
        feats["redo_scores"] = np.array(
            [_NEUTRAL if x is None else _score_valence(x, dm[r]) for r, x in redo], dtype=float
        ).reshape(len(redo), 4)
    return feats


def _batch_word_ids(lwords: list[str], gids: np.ndarray, lens: np.ndarray) -> tuple:
    """``_token_ids(tokens)`` in another numbering, from the compiled pass's per-process ids
    ``gids`` of the learned words (``lwords``: the words by id; ``lens``: words per sentence):
    the batch's distinct words in order of their per-process id, each token's index among
    them, ``lens``. The n-gram blocks and the lexicon block give the same values in any
    numbering of the words (they read each token's word, never the ids' order; tested). Why:
    looking up the pool's 3.3M learned tokens in a dict again cost ~0.35 s CPU."""
    seen = np.zeros(len(lwords), dtype=bool)
    seen[gids] = True
    uniq = np.flatnonzero(seen)
    pos = np.zeros(len(lwords), dtype=np.int64)
    pos[uniq] = np.arange(len(uniq))
    return [lwords[g] for g in uniq.tolist()], pos[gids], lens


def _features_table(texts: Sequence[str]) -> dict[str, Any]:
    """Raw per-sentence features (before vocabulary and scaling), one row per text (identical
    texts are analysed once)."""
    texts = [t if isinstance(t, str) else str(t) for t in texts]
    uniq: dict[str, int] = {}
    inv = np.fromiter((uniq.setdefault(t, len(uniq)) for t in texts), np.int64, len(texts))
    with gc_paused():
        f = _batch_features(list(uniq))
    if len(uniq) == len(texts):
        return f
    return {
        "dense": f["dense"][inv],
        "lex": [f["lex"][i] for i in inv],
        "tokens": [f["tokens"][i] for i in inv],
    }


def _sublinear_tfidf(counts, idf: np.ndarray):
    """Sublinear TF-IDF with L2 rows from a CSR count matrix (scikit-learn's TfidfVectorizer
    formula with ``sublinear_tf=True``; the idf comes from the JSON layer)."""
    m = counts.tocsr(copy=True)
    m.sum_duplicates()
    m.data = (1.0 + np.log(m.data)) * idf[m.indices]
    return _l2_rows(m)


def _l2_rows(m):
    """CSR ``m`` with each row divided by its L2 norm, in place; rows of norm 0 unchanged.

    The arithmetic of scikit-learn's ``normalize(m, norm="l2")`` for CSR input
    (``inplace_csr_row_normalize_l2``: each row's squares added one after the other from 0.0,
    ``sqrt``, division), so the floats are identical (tested); numpy adds the k-th entry of
    every row at once, k = 0, 1, ... This keeps scikit-learn (~1.6 s to import) out of every
    sentiment path but training."""
    lens = np.diff(m.indptr)
    starts = m.indptr[:-1]
    sq = np.zeros(len(lens))
    for k in range(int(lens.max()) if len(lens) else 0):
        rows = np.flatnonzero(lens > k)
        x = m.data[starts[rows] + k]
        sq[rows] += x * x
    ok = sq != 0.0
    norm = np.ones(len(lens))
    norm[ok] = np.sqrt(sq[ok])
    m.data /= np.repeat(norm, lens)
    return m


def _token_ids(tokens: list[list[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Distinct words of a batch (first-seen order), the id of every token (flat) and the number
    of tokens per sentence."""
    if (ext := _compiled()) is not None:
        return ext.token_ids(tokens)
    return _token_ids_py(tokens)


def _token_ids_py(tokens: list[list[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """:func:`_token_ids` in Python (reference of ``_newscore.token_ids``)."""
    flat = itertools.chain.from_iterable
    words = list(dict.fromkeys(flat(tokens)))
    index = {w: i for i, w in enumerate(words)}
    lens = np.fromiter(map(len, tokens), np.int64, len(tokens))
    uid = np.fromiter(map(index.__getitem__, flat(tokens)), np.int64, int(lens.sum()))
    return words, uid, lens


def _word_counts(
    tokens: list[list[str]],
    vocab: dict[str, int],
    ids: tuple | None = None,
    pairs: dict | None = None,
):
    """CSR counts of the word 1..n-grams (``_SETTINGS["ngram_range"]``) in a fixed vocabulary.

    For 1-2-grams (the shipped setting) the look-ups are vectorised: each word of a vocabulary
    bigram has an integer id, a bigram is a pair code (``_bigram_table``, ``pairs``) and the
    batch's adjacent pairs are found with one ``searchsorted``; other ranges list the n-grams.
    """
    from scipy import sparse

    n_max = _SETTINGS["ngram_range"][1]
    n = len(tokens)
    if n_max != 2:
        get = vocab.get
        indices: list = []
        indptr = [0]
        for toks in tokens:
            indices += [j for j in map(get, _ngrams(toks, n_max)) if j is not None]
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.ones(len(indices)), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(n, len(vocab)),
        )
    words, uid, lens = _token_ids(tokens) if ids is None else ids
    pairs = _bigram_table(vocab) if pairs is None else pairs
    sid = np.repeat(np.arange(n), lens)
    ucol = np.fromiter(map(vocab.get, words, itertools.repeat(-1)), np.int64, len(words))
    rows, cols = [], []
    if len(uid):
        c = ucol[uid]
        rows.append(sid[c >= 0])
        cols.append(c[c >= 0])
        same = sid[1:] == sid[:-1]
        codes_s, bcols_s, k = pairs["codes"], pairs["cols"], pairs["k"]
        if len(codes_s) and same.any():
            comp = pairs["comp"].get
            ua = np.fromiter(map(comp, words, itertools.repeat(-1)), np.int64, len(words))[uid]
            ok = same & (ua[:-1] >= 0) & (ua[1:] >= 0)
            pair = ua[:-1][ok] * k + ua[1:][ok]
            pos = np.minimum(np.searchsorted(codes_s, pair), len(codes_s) - 1)
            hit = codes_s[pos] == pair
            rows.append(sid[:-1][ok][hit])
            cols.append(bcols_s[pos[hit]])
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    return sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, len(vocab)))


def _bigram_table(vocab: dict[str, int]) -> dict:
    """The bigrams of a word vocabulary as integer pair codes: each word of a bigram gets an id
    (``comp``), a bigram is ``id1 * k + id2``; ``codes`` sorted, ``cols`` their columns. Built
    once per layer (``_layer_index``): building it from the batch's words for every call cost
    ~15 ms per 200-article chunk, and only adjacent words that both occur in a vocabulary
    bigram need a look-up."""
    comp: dict[str, int] = {}
    pa, pb, cols = [], [], []
    for term, j in vocab.items():
        if " " in term:
            a, _, b = term.partition(" ")
            pa.append(comp.setdefault(a, len(comp)))
            pb.append(comp.setdefault(b, len(comp)))
            cols.append(j)
    k = max(len(comp), 1)
    codes = np.asarray(pa, dtype=np.int64) * k + np.asarray(pb, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    return {"comp": comp, "k": k, "codes": codes[order], "cols": np.asarray(cols, np.int64)[order]}


def _char_code_table(vocab: dict[str, int]) -> dict | None:
    """Integer codes of a char n-gram vocabulary: each character of the vocabulary gets a digit
    1..k (0 = any other character) and an n-gram is the base-(k+1) number of its digits, so
    grams of different lengths never share a code. ``None`` if a 5-gram would not fit 63 bits."""
    lo, hi = _SETTINGS["char_ngram_range"]
    grams = list(vocab)
    joined = "".join(grams)
    chars = sorted(set(joined))
    alpha = {ch: k + 1 for k, ch in enumerate(chars)}
    base = len(alpha) + 1
    if lo < 2 or base**hi >= 2**63 or any(ord(ch) > 0xFFFF for ch in alpha):
        return None
    lut = np.zeros(0x10000, dtype=np.uint64)
    for ch, k in alpha.items():
        lut[ord(ch)] = k
    codes = np.zeros(len(vocab), dtype=np.uint64)
    lens = np.fromiter(map(len, grams), np.int64, len(grams))
    if len(grams) and lens.min() >= 1 and lens.max() <= hi:
        # each gram's digits right-aligned in a row of ``hi`` (leading zero digits add nothing
        # to the base-``base`` number), then Horner's rule column by column in uint64: the same
        # integers as the per-character loop below (exact: base**hi < 2**63), ~0.02 -> ~0.008 s
        # CPU for the shipped 27,843 grams (start-up of every process); all code points are
        # below 0x10000 here, so one UTF-16 unit each (a lone surrogate passes as itself)
        digit = lut[np.frombuffer(joined.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)]
        row = np.repeat(np.arange(len(grams)), lens)
        start = np.cumsum(lens) - lens
        pad = np.zeros((len(grams), hi), dtype=np.uint64)
        pad[row, hi - lens[row] + np.arange(len(digit)) - start[row]] = digit
        got = np.zeros(len(grams), dtype=np.uint64)
        for j in range(hi):
            got = got * np.uint64(base) + pad[:, j]
        codes[np.fromiter(vocab.values(), np.int64, len(grams))] = got
    else:
        for g, j in vocab.items():
            c = 0
            for ch in g:
                c = c * base + alpha[ch]
            codes[j] = c
    order = np.argsort(codes, kind="stable")
    return {"lut": lut, "base": np.uint64(base), "codes": codes[order], "cols": order}


def _char_counts(
    tokens: list[list[str]],
    vocab: dict[str, int],
    table: dict | None = None,
    ids: tuple | None = None,
):
    """CSR counts of character n-grams within words (``char_wb``) in a fixed vocabulary.

    Exact and vectorised: the distinct words of the batch are padded with one space each side
    (as ``analyzer="char_wb"`` does) and laid end to end; every window of 2..5 characters inside
    one padded word is an n-gram (this is char_wb's rule, short words included), coded as an
    integer (``_char_code_table``) and found in the vocabulary with ``searchsorted``. A
    sentence x word count matrix times the word x n-gram matrix gives the sentence counts
    (char_wb n-grams never cross a word boundary). CPU time for the 20,000 benchmark sentences
    (21k distinct words): 0.53 s, against 0.93 s when listing each distinct word's n-grams in
    Python and ~1.0 s with scikit-learn's ``CountVectorizer(analyzer="char_wb",
    vocabulary=...)`` on the distinct words; equality with scikit-learn's counts is tested.
    """
    from scipy import sparse

    words, uid, lens = _token_ids(tokens) if ids is None else ids
    indptr = np.concatenate([[0], np.cumsum(lens)])
    S = sparse.csr_matrix((np.ones(len(uid)), uid, indptr), shape=(len(tokens), len(words)))
    table = _char_code_table(vocab) if table is None else table
    if not words or not vocab:
        return sparse.csr_matrix((len(tokens), len(vocab)))
    G = _char_gram_matrix(words, vocab, table).tosparse()
    return (S @ G).tocsr()  # one entry per (sentence, gram)


def _char_gram_matrix(words: list[str], vocab: dict[str, int], table: dict | None) -> _Csr:
    """CSR word x n-gram counts of ``words`` (canonical: sorted columns, duplicates summed), the
    second factor of :func:`_char_counts` (arrays only: see :func:`_canonical_csr`)."""
    lo, hi = _SETTINGS["char_ngram_range"]
    if table is None:  # fallback: list the n-grams of each distinct word
        get = vocab.get
        gr, gc = [], []
        for k, w in enumerate(words):
            ids = [j for j in map(get, _char_grams((w,), lo, hi)) if j is not None]
            gc += ids
            gr += [k] * len(ids)
    else:
        padded = " " + "  ".join(words) + " "
        cp = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        digit = np.where(cp < 0x10000, table["lut"][np.minimum(cp, 0xFFFF)], 0).astype(np.uint64)
        wid = np.repeat(np.arange(len(words)), [len(w) + 2 for w in words])
        zeros = np.concatenate([[0], np.cumsum(digit == 0)])
        base, vcodes, vcols = table["base"], table["codes"], table["cols"]
        code = digit.copy()
        gr_parts, gc_parts = [], []
        total = len(digit)
        for n in range(2, hi + 1):
            m = total - n + 1
            if m <= 0:
                break
            code = code[:m] * base + digit[n - 1 :]
            if n < lo:
                continue
            ok = (wid[:m] == wid[n - 1 :]) & (zeros[n:] - zeros[:m] == 0)
            cand = code[ok]
            pos = np.minimum(np.searchsorted(vcodes, cand), len(vcodes) - 1)
            hit = vcodes[pos] == cand
            gr_parts.append(wid[:m][ok][hit])
            gc_parts.append(vcols[pos[hit]])
        gr = np.concatenate(gr_parts) if gr_parts else np.zeros(0, dtype=np.int64)
        gc = np.concatenate(gc_parts) if gc_parts else np.zeros(0, dtype=np.int64)
    return _canonical_csr(gr, gc, len(words), len(vocab))


class _Csr(NamedTuple):
    """The arrays of a CSR matrix (scipy's names), without scipy."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    def tosparse(self):
        """The scipy ``csr_matrix`` of these arrays (shared, not copied)."""
        from scipy import sparse

        return sparse.csr_matrix((self.data, self.indices, self.indptr), self.shape, copy=False)


def _canonical_csr(row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int) -> _Csr:
    """The arrays of ``scipy.sparse.csr_matrix((np.ones(len(row)), (row, col)), shape=(n_rows,
    n_cols))``, with numpy: scipy's constructor leaves the canonical form (each row's columns
    sorted, duplicate coordinates summed: here counts of ones, exact in any order) and picks
    int32 indices unless the sizes need int64. Equal array for array, dtypes included, on every
    distinct word of the pool (tests/test_sentiment.py). Why: importing scipy.sparse cost every
    worker ~0.15-0.2 s CPU (~0.25 s wall) of start-up only to build this matrix, whose arrays
    the compiled char pass reads directly; a word's row does not depend on the other words."""
    big = max(len(row), n_cols, n_rows) > np.iinfo(np.int32).max
    idx = np.int64 if big else np.int32
    key = np.sort(np.asarray(row, np.int64) * max(n_cols, 1) + np.asarray(col, np.int64))
    first = np.ones(len(key), dtype=bool)
    np.not_equal(key[1:], key[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(key))).astype(np.float64)
    key = key[starts]
    rows = key // max(n_cols, 1)
    indptr = np.zeros(n_rows + 1, dtype=idx)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return _Csr(indptr, (key - rows * n_cols).astype(idx), counts, (n_rows, n_cols))


# the per-process word x n-gram table of _char_counts_cached starts again past this many words
_CHAR_TABLE_MAX = 500_000


@functools.lru_cache(maxsize=1)
def _char_state() -> dict:
    """The mutable per-process table of :func:`_char_counts_cached` (empty until first use)."""
    return {"key": None}


def _char_counts_cached(tokens: list[list[str]], ix: dict, ids: tuple):
    """:func:`_char_counts` with the ``ix`` layer's vocabulary, keeping each learned word's
    n-gram row per process across calls (a word's row depends only on the word and the
    vocabulary), so each call codes and looks up only the words it sees first. Same matrix,
    entry for entry and in the same order (each word's row is the same and the sentence x word
    factor lists the same rows in the same token order; tested). Why: the pipeline scores one
    200-article chunk per call and most words recur across chunks; coding and searching every
    distinct word's n-grams again: the char counts of the 16 pool chunks took 2.3 s CPU, now
    1.4 s (cProfile, cumulative; the rest is the sparse product)."""
    from scipy import sparse

    vocab, table = ix["char"], ix["char_table"]
    words, uid, lens = ids
    if not words or not vocab:
        return _char_counts(tokens, vocab, table, ids)
    G, gid = _char_rows_cached(ix, words)
    indptr = np.concatenate([[0], np.cumsum(lens)])
    S = sparse.csr_matrix((np.ones(len(uid)), gid[uid], indptr), shape=(len(tokens), G.shape[0]))
    return (S @ G.tosparse()).tocsr()


def _char_rows_cached(ix: dict, words: list[str]) -> tuple:
    """The per-process word x n-gram matrix ``G`` of :func:`_char_counts_cached` (rows of the
    words seen so far, in first-seen order; the rows of ``words`` not yet in it are added) and
    the row of each of ``words`` (distinct).

    ``G``'s arrays live in buffers grown by doubling, so adding a chunk's new words copies only
    their rows (``sparse.vstack`` copied the whole matrix for every chunk: ~0.1 s CPU over the
    16 pool chunks), and the compiled ``_newscore.ids_of`` looks the words up (~0.2 s -> ~0.03
    s); the same rows in the same order as stacking the parts."""

    vocab, table = ix["char"], ix["char_table"]
    with _TABLE_LOCK:
        st = _char_state()
        if st["key"] != id(ix) or len(st["index"]) > _CHAR_TABLE_MAX:
            st.clear()
            st.update(key=id(ix), index={}, G=None, rows=0, nnz=0)
        index = st["index"]
        n0 = len(index)
        if (ext := _compiled()) is not None:
            gid = ext.ids_of(words, index)
        else:
            got = list(map(index.get, words))  # (a generator of setdefault calls: ~3x slower)
            if None in got:
                for k, x in enumerate(got):
                    if x is None:
                        got[k] = index[words[k]] = len(index)
            gid = np.asarray(got, dtype=np.int64)
        if len(index) > n0:
            new = _char_gram_matrix(list(itertools.islice(index, n0, None)), vocab, table)
            st["G"] = _append_rows(st, new)
        return st["G"], gid


def _append_rows(st: dict, new: _Csr) -> _Csr:
    """CSR ``G`` (state ``st``: its buffers and used sizes) with the rows of CSR ``new`` below
    (views of the buffers; the index dtype scipy's ``csr_matrix((data, indices, indptr))``
    would keep)."""
    r0, z0 = st["rows"], st["nnz"]
    r1, z1 = r0 + new.shape[0], z0 + new.nnz
    idx = np.int32 if z1 < 2**31 - 1 else np.int64
    if st["G"] is None or z1 > len(st["data"]) or r1 + 1 > len(st["indptr"]):
        size = max(2 * z1, 1024)
        rows = max(2 * (r1 + 1), 1024)
        indptr, indices, data = (
            np.zeros(rows, idx),
            np.zeros(size, idx),
            np.zeros(size, new.data.dtype),
        )
        if st["G"] is not None:
            indptr[: r0 + 1] = st["indptr"][: r0 + 1]
            indices[:z0] = st["indices"][:z0]
            data[:z0] = st["data"][:z0]
        st.update(indptr=indptr, indices=indices, data=data)
    elif st["indices"].dtype != idx:
        st.update(indptr=st["indptr"].astype(idx), indices=st["indices"].astype(idx))
    st["indptr"][r0 + 1 : r1 + 1] = new.indptr[1:] + z0
    st["indices"][z0:z1] = new.indices
    st["data"][z0:z1] = new.data
    st.update(rows=r1, nnz=z1)
    return _Csr(st["indptr"][: r1 + 1], st["indices"][:z1], st["data"][:z1], (r1, new.shape[1]))


def _word_tfidf_dot(tokens: list[list[str]], ix: dict, ids: tuple) -> np.ndarray:
    """``_tfidf_dot(_word_counts(tokens, word vocabulary, ids, pairs), word_idf, word_coef)``:
    the word block's contribution to the prediction, bit for bit.

    With the extension and 1-2-grams, ``_newscore.word_tfidf_dot`` finds each sentence's
    unigram and bigram columns (the same look-ups as :func:`_word_counts`), sorts them (the
    canonical CSR row scipy builds from the coordinates), counts them and sums the TF-IDF terms
    with numpy's ``reduceat`` order (tested against the sparse route on pool sentences and
    SYNTHETIC ones; whole pool checked). Why: the coordinate lists, the COO -> CSR sort and the
    row sums took ~0.6 s CPU over the 16 pool chunks, the compiled pass ~0.15 s (Stop 12)."""
    ext = _compiled()
    words, uid, lens = ids
    pairs = ix["word_pairs"]
    if ext is not None and tuple(_SETTINGS["ngram_range"]) == (1, 2) and words:
        uid = np.ascontiguousarray(uid, dtype=np.int64)
        off = np.zeros(len(lens) + 1, dtype=np.int64)
        np.cumsum(lens, out=off[1:])
        got = ext.word_tfidf_dot(
            ext.token_values(words, ix["word"], uid),
            ext.token_values(words, pairs["comp"], uid),
            off,
            np.ascontiguousarray(pairs["codes"], dtype=np.int64),
            np.ascontiguousarray(pairs["cols"], dtype=np.int64),
            pairs["k"],
            np.ascontiguousarray(ix["word_idf"], dtype=np.float64),
            np.ascontiguousarray(ix["word_coef"], dtype=np.float64),
            _log_table(),
        )
        if got is not None:
            norm = np.sqrt(got[0])
            return np.divide(got[1], norm, out=np.zeros_like(norm), where=norm > 0)
    counts = _word_counts(tokens, ix["word"], ids, pairs)
    return _tfidf_dot(counts, ix["word_idf"], ix["word_coef"])


def _char_tfidf_dot(tokens: list[list[str]], ix: dict, ids: tuple) -> np.ndarray:
    """``_tfidf_dot(_char_counts_cached(tokens, ix, ids), char_idf, char_coef, True)``: the
    char block's contribution to the prediction, bit for bit.

    With the extension, ``_newscore.char_tfidf_dot`` adds each sentence's words' cached n-gram
    rows itself and sums the TF-IDF terms in the order of the sparse route (the entries of a
    row in scipy's ``csr_matmat`` output order, numpy's ``reduceat`` summation), so the floats
    are identical (tested on pool sentences and SYNTHETIC ones; whole pool checked); the
    sentence x n-gram count matrix is never built. Why: over the 16 pool chunks the sparse
    product, its row sums and terms took ~1.2 s CPU of the stage, the fused pass ~0.3 s
    (benchmarks/RESULTS_sentiment.md, Stop 12)."""
    words, uid, lens = ids
    ext = _compiled()
    if ext is not None and words and ix["char"]:
        G, gid = _char_rows_cached(ix, words)
        if G.indices.dtype in _IDX and G.indptr.dtype == G.indices.dtype:
            off = np.zeros(len(lens) + 1, dtype=np.longlong)
            np.cumsum(lens, out=off[1:])
            got = ext.char_tfidf_dot(
                np.ascontiguousarray(gid[uid], dtype=np.longlong),
                off,
                G.indptr,
                G.indices,
                np.ascontiguousarray(G.data, dtype=np.float64),
                np.ascontiguousarray(ix["char_idf"], dtype=np.float64),
                np.ascontiguousarray(ix["char_coef"], dtype=np.float64),
                _log_table(),
            )
            if got is not None:
                norm = np.sqrt(got[0])
                return np.divide(got[1], norm, out=np.zeros_like(norm), where=norm > 0)
    counts = _char_counts_cached(tokens, ix, ids)
    return _tfidf_dot(counts, ix["char_idf"], ix["char_coef"], True)


def _tfidf_dot(counts, idf: np.ndarray, coef: np.ndarray, summed: bool = False) -> np.ndarray:
    """``_sublinear_tfidf(counts, idf) @ coef`` without building the normalised matrix
    (``summed``: ``counts`` has no duplicate entries, so no sorting pass is needed)."""
    m = counts.tocsr()
    if not summed:
        m.sum_duplicates()
    n = m.shape[0]
    norm, dot = np.zeros(n), np.zeros(n)
    filled = np.flatnonzero(np.diff(m.indptr) > 0)
    if len(filled):
        starts = m.indptr[filled]  # per-row sums over the non-empty rows' segments
        terms = None
        ext = _compiled()
        if ext is not None and m.data.dtype == np.float64 and m.indices.dtype in _IDX:
            # the element-wise terms in one compiled pass (the counts are whole numbers, whose
            # logs come from a table of np.log values): ~2x less time for these terms
            terms = ext.tfidf_terms(
                m.data,
                m.indices,
                np.ascontiguousarray(idf, dtype=np.float64),
                np.ascontiguousarray(coef, dtype=np.float64),
                _log_table(),
            )
        if terms is None:
            x = (1.0 + np.log(m.data)) * idf[m.indices]
            terms = (x * x, x * coef[m.indices])
        norm[filled] = np.sqrt(np.add.reduceat(terms[0], starts))
        dot[filled] = np.add.reduceat(terms[1], starts)
    return np.divide(dot, norm, out=np.zeros_like(dot), where=norm > 0)


_IDX = (np.dtype(np.int32), np.dtype(np.int64))


@functools.lru_cache(maxsize=1)
def _log_table() -> np.ndarray:
    """``np.log`` of the counts 1..4096 (numpy's own values, looked up by the compiled
    TF-IDF terms)."""
    return np.log(np.arange(1, 4097, dtype=np.float64))


def _lex_dot(lexes: list[dict[str, float]], vocab: dict[str, int], coef: np.ndarray) -> np.ndarray:
    """``_count_matrix(lexes, vocab, values=True) @ coef``, in C when the extension is built
    (same additions in the same order; ~0.2 s of 1.1 s predict time per 40k sentences)."""
    if (ext := _compiled()) is not None:
        return ext.lex_dot(lexes, vocab, coef)
    return _count_matrix(lexes, vocab, values=True) @ coef


def _layer_index(layer: dict) -> dict:
    """Vocabulary dicts, the char n-gram code table and coefficient arrays of a JSON layer."""
    char = {g: k for k, g in enumerate(layer["char_vocab"])}
    word = {g: k for k, g in enumerate(layer["word_vocab"])}
    return {
        "word": word,
        "char": char,
        "char_table": _char_code_table(char),
        "word_pairs": _bigram_table(word),
        "lex": {w: k for k, w in enumerate(layer["lex_vocab"])},
        **{k: np.asarray(layer[k], dtype=float) for k in layer if k.endswith(("_idf", "_coef"))},
        "dense_mean": np.asarray(layer["dense_mean"], dtype=float),
        "dense_scale": np.asarray(layer["dense_scale"], dtype=float),
    }


@functools.lru_cache(maxsize=2)
def _shipped_index(variant: str) -> dict:
    """``_layer_index`` of a variant of the shipped model (built once per process)."""
    return _layer_index(_shipped_layer(variant))


def _blocks(feats: dict, index: dict) -> tuple:
    """The four feature blocks of a layer, unweighted: word TF-IDF, char TF-IDF, lexicon-word
    valences (CSR) and standardised dense features (array)."""
    words = _word_counts(feats["tokens"], index["word"], pairs=index["word_pairs"])
    W = _sublinear_tfidf(words, index["word_idf"])
    C = _char_counts(feats["tokens"], index["char"], index["char_table"])
    C = _sublinear_tfidf(C, index["char_idf"])
    L = _count_matrix(feats["lex"], index["lex"], values=True)
    D = (feats["dense"] - index["dense_mean"]) / index["dense_scale"]
    return W, C, L, D


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
    m = _count_matrix(grams, vocab)
    m.data = 1.0 + np.log(m.data)
    m = m.multiply(idf[None, :]).tocsr()
    return _l2_rows(m)


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
    n_max = s["ngram_range"][1]
    lo, hi = s["char_ngram_range"]
    df = _doc_freq([_ngrams(feats["tokens"][i], n_max) for i in idx])
    terms = sorted(g for g, c in df.items() if c >= s["min_df"])
    idf = _idf(df, terms, n)
    cdf = _doc_freq([_char_grams(feats["tokens"][i], lo, hi) for i in idx])
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


def _subset(feats: dict, idx) -> dict:
    """Rows ``idx`` of a features dict."""
    return {
        k: ([v[i] for i in idx] if isinstance(v, list) else v[idx])
        for k, v in feats.items()
        if k != "token_ids"  # (the ids of all rows' tokens)
    }


def _design(feats: dict, idx, layer: dict, groups):
    """Design matrix of rows ``idx`` for a layer (training scale: block weights applied)."""
    from scipy import sparse

    s = _SETTINGS
    W, C, L, D = _blocks(_subset(feats, idx), _layer_index(layer))
    blocks = [
        W,
        C * s["char_weight"],
        L * s["lex_weight"],
        sparse.csr_matrix(D * s["dense_weight"]),
    ]
    if layer["context"]:
        blocks.append(sparse.csr_matrix(_context_means(D, groups) * s["context_weight"]))
    return sparse.hstack(blocks).tocsr()


def _predict_layer(feats: dict, layer: dict, groups=None, index: dict | None = None) -> np.ndarray:
    """Predicted rater mean (-4..+4 scale) from a JSON layer (no scikit-learn object needed):
    sparse matrix-vector products over the four blocks (``index``: a cached ``_layer_index``)."""
    ix = _layer_index(layer) if index is None else index
    if feats["dense"].shape[1] != len(ix["dense_mean"]):
        raise ValueError(
            f"model layer expects {len(ix['dense_mean'])} dense features, the feature pass gives "
            f"{feats['dense'].shape[1]}: retrain with analysis.sentiment.train_news_scorer()"
        )
    toks = feats["tokens"]
    ids = feats.get("token_ids") or _token_ids(toks)
    D = (feats["dense"] - ix["dense_mean"]) / ix["dense_scale"]
    pred = (
        layer["intercept"]
        + _word_tfidf_dot(toks, ix, ids)
        + _char_tfidf_dot(toks, ix, ids)
        + _lex_dot(feats["lex"], ix["lex"], ix["lex_coef"])
        + D @ ix["dense_coef"]
    )
    if layer["context"]:
        pred = pred + _context_means(D, groups) @ ix["context_coef"]
    return np.asarray(pred, dtype=float).ravel()


def _grouped_cv(feats: dict, y: np.ndarray, groups: np.ndarray, context: bool) -> np.ndarray:
    """Out-of-fold predictions, ``GroupKFold`` by article: vocabulary, idf, scalers and ridge are
    all fitted on the training folds only."""
    from sklearn.model_selection import GroupKFold

    pred = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=_SETTINGS["cv_folds"]).split(y, y, groups):
        layer = _fit_layer(feats, y, tr, context, groups=groups if context else None)
        pred[te] = _predict_layer(_subset(feats, te), layer, groups=groups[te] if context else None)
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
        "description": "Ridge layer over neutralised-VADER features, bundled-lexicon features "
        "(AFINN, pattern, Harvard IV-4, Loughran-McDonald, NRC), lexicon-word valences, word "
        "1-2-gram and char 2-5-gram TF-IDF; target: NYT snippet rater mean (-4..+4); "
        "compound = pred / 4.",
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
            **lexicon_versions(),
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
        _shipped_layer.cache_clear()
        _shipped_index.cache_clear()
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


_JSON_WS = re.compile(r"[ \t\n\r]*")  # json's own white space set


def _json_member_start(text: str, pos: int, key: str, scan, seen: dict) -> int:
    """Where the value of ``key`` starts in the JSON object at ``text[pos:]``; the members
    before it are parsed with the ``json`` scanner ``scan`` into ``seen``. Raises ``ValueError``
    (or ``StopIteration``, the scanner's) on malformed text, ``KeyError`` if ``key`` is
    missing."""
    pos = _JSON_WS.match(text, pos).end()
    if text[pos] != "{":
        raise ValueError("not an object")
    pos += 1
    while True:
        pos = _JSON_WS.match(text, pos).end()
        if text[pos] != '"':
            raise KeyError(key) if text[pos] == "}" else ValueError("bad member")
        name, pos = json.decoder.scanstring(text, pos + 1)
        pos = _JSON_WS.match(text, pos).end()
        if text[pos] != ":":
            raise ValueError("bad member")
        pos = _JSON_WS.match(text, pos + 1).end()
        if name == key:
            return pos
        seen[name], pos = scan(text, pos)
        pos = _JSON_WS.match(text, pos).end()
        if text[pos] != ",":
            raise KeyError(key) if text[pos] == "}" else ValueError("bad member")
        pos += 1


@functools.lru_cache(maxsize=2)
def _shipped_layer(variant: str) -> dict | None:
    """``load_news_model()["variants"][variant]`` (``None`` when the file is missing), parsing
    only the members before it: the top-level fields (the format is checked) and, in
    ``variants``, the layers written before this one, with the ``json`` module's own scanner
    (the same objects as ``json.load``). Anything unexpected (the format after the layers, a
    malformed file, a missing variant) goes through :func:`load_news_model`, which parses and
    checks the whole file and raises its errors. Why: the scoring path needs one of the two
    layers, and parsing the other one cost each worker ~0.035 s CPU of start-up (of ~0.07 s
    for the whole file). A repeated key would give its first value here, its last in
    ``json.load`` (the shipped file, written by ``json.dump`` of a dict, has none)."""
    p = paths.MODELS_DIR / MODEL_FILE
    if not p.exists():
        return None
    text = p.read_text(encoding="utf-8")
    scan = json.scanner.make_scanner(json.JSONDecoder())
    top: dict = {}
    try:
        pos = _json_member_start(text, 0, "variants", scan, top)
        layer = scan(text, _json_member_start(text, pos, variant, scan, {}))[0]
    except (ValueError, KeyError, IndexError, StopIteration):
        layer = None
    if layer is None or top.get("format") != MODEL_FORMAT:
        return load_news_model()["variants"][variant]
    return layer


def news_polarity(texts: Sequence[str], groups: Sequence | None = None) -> pd.DataFrame:
    """News-adapted scores: ``neg, neu, pos`` (neutralised VADER) and ``compound`` (trained layer).

    ``groups`` (e.g. doc ids, one per text) switches on the ``news_context`` variant: each text
    then also gets features of the other texts of its group.
    """
    return _news_scores(texts, groups)[0]


def vader_and_news_polarity(texts: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(vader_polarity(texts), news_polarity(texts))`` with one VADER token pass where it
    suffices (the scoring pipeline's sentiment stage).

    The news scorer's batch pass runs VADER's token rules over every sentence anyway. Where it
    neutralised no word, its input was the sentence's own tokens, so the VADER columns it
    computes are plain VADER's ``neg, neu, pos, compound`` (same token scores, same arithmetic;
    equal to :func:`vader_polarity` bit for bit, tested on the whole shipped pool). The
    compiled pass also scores the unmasked tokens of the sentences with a neutralised word;
    without the extension those are scored again by :func:`vader_polarity`.
    """
    texts = [t if isinstance(t, str) else str(t) for t in texts]
    # the collector stays paused for the whole call (not only the batch pass): the memo rows
    # and tables built after the pass create ~10^5 objects per 200-article chunk and no cycles;
    # collections during them cost ~0.4 s CPU over the 16 pool chunks (cProfile: memo rows'
    # tolist 0.36 -> ~0 s, their tuples 0.33 -> 0.2 s)
    with gc_paused():
        news, vader, plain = _news_scores(texts, plain_vader=True)
        if not texts:
            return vader_polarity(texts), news
        redo = np.flatnonzero(~plain)
        if len(redo):
            vader[redo] = vader_polarity([texts[i] for i in redo]).to_numpy()
        # later VADER calls on these sentences (the actor stage's sentence compound) find them
        # in FastVader's memo, as they would after vader_polarity(texts)
        keep = np.flatnonzero(plain)
        _fast_vader().remember([texts[i] for i in keep], vader[keep])
        return pd.DataFrame(vader, columns=SCORE_COLUMNS), news


def _news_scores(
    texts: Sequence[str], groups: Sequence | None = None, plain_vader: bool = False
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """:func:`news_polarity`'s table, plus per text the VADER columns of the batch pass
    (``neg, neu, pos, compound``, n x 4) and whether they are plain VADER's scores (no word
    neutralised or, with ``plain_vader`` and the compiled pass, scored on the unmasked tokens
    too). The large per-text feature structures are freed here, not kept alive by the caller."""
    variant = "news_context" if groups is not None else "news"
    layer = _shipped_layer(variant)  # (not the whole model: see _shipped_layer)
    if layer is None:
        raise FileNotFoundError(
            f"{paths.MODELS_DIR / MODEL_FILE} is missing: "
            "run analysis.sentiment.train_news_scorer()"
        )
    texts = [t if isinstance(t, str) else str(t) for t in texts]
    if not texts:
        empty = pd.DataFrame(columns=SCORE_COLUMNS, dtype=float)
        return empty, np.zeros((0, 4)), np.zeros(0, dtype=bool)
    # identical sentences (boilerplate) are analysed and scored once
    uniq: dict[str, int] = {}
    inv = np.fromiter((uniq.setdefault(t, len(uniq)) for t in texts), np.int64, len(texts))
    with gc_paused():
        feats = _batch_features(list(uniq), plain_vader and groups is None)
        if groups is None:
            pred = _predict_layer(feats, layer, index=_shipped_index(variant))[inv]
        else:
            pred = _predict_layer(_subset(feats, inv), layer, groups, _shipped_index(variant))
    d = feats["dense"][inv]
    # an empty or lexically empty sentence with no learned features keeps a prediction from the
    # intercept; that is the model's best guess for "nothing said"
    compound = np.clip(pred / 4.0, -1.0, 1.0).round(4)
    table = pd.DataFrame(
        np.column_stack([d[:, 2], d[:, 3], d[:, 1], compound]), columns=SCORE_COLUMNS
    )
    du = feats["dense"]
    vader = np.column_stack([du[:, 2], du[:, 3], du[:, 1], du[:, 0]])
    done = feats["plain"].copy()
    if "redo_rows" in feats:
        vader[feats["redo_rows"]] = feats["redo_scores"]
        done[feats["redo_rows"]] = True
    return table, vader[inv], done[inv]


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
