"""Keyness: which words (or cue phrases) distinguish a group of articles from the others.

Method: Monroe, Colaresi & Quinn (2008), "Fightin' Words", Political Analysis 16(4), section 3.5:
the weighted log-odds ratio with an *informative Dirichlet prior*, reported as a z-score.
For a term ``w``, a group ``i`` and the rest of the corpus ``j`` (all other groups pooled, so any
number of groups can be compared, each against all others)::

    a_w     = alpha0 * y_w / n          # prior pseudo-counts: whole-corpus frequency, scaled
    a0      = sum_w a_w = alpha0
    delta_w = log((y_wi + a_w) / (n_i + a0 - y_wi - a_w))
            - log((y_wj + a_w) / (n_j + a0 - y_wj - a_w))
    var_w   = 1 / (y_wi + a_w) + 1 / (y_wj + a_w)
    z_w     = delta_w / sqrt(var_w)

where ``y_w`` / ``n`` are the term's count / the token total in the whole corpus and ``y_wi``,
``n_i`` (``y_wj``, ``n_j``) the same within the group (the rest). ``alpha0`` is the prior's total
weight in pseudo-tokens (default ``DEFAULT_ALPHA0 = 1000``): small next to the ~10^5 tokens per
outlet rating in the study, so the prior mainly stabilises rare terms, whose variance it keeps
finite, while frequent terms are driven by the data. Larger ``alpha0`` shrinks log-odds more
toward zero. With two groups, group B's z is exactly minus group A's.

Words: scikit-learn ``CountVectorizer`` with ``lowercase=True`` and ``TOKEN_PATTERN``: a token
starts with a letter, ends with a letter or digit, is at least two characters long and may hold
letters, digits and hyphens in between ("e-mail", "h-1b" stay whole). Apostrophes split tokens,
so "it's" / "it’s" give the stop word "it" whatever the apostrophe; bare numbers, years and
one-letter tokens (the pieces of "U.S.") are dropped. English stop words (scikit-learn's list) are
*removed* by default: the study reads keyness as content (what each side talks about), and
function-word differences mostly reflect house style (opinion pieces say "we" and "I"). Pass
``stop_words=None`` to keep them (Monroe et al. keep them; the prior then handles them).

The result does not depend on the order of documents or groups: counts are sums and groups are
sorted. Charts: :func:`plot_keyness` (static, one panel per group, any number of groups).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from .plots import OKABE_ITO, RATING_COLORS, RATING_ORDER, use_style

DEFAULT_ALPHA0 = 1000.0
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w-]*[^\W_]\b"
KEYNESS_COLUMNS = ("group", "term", "count_group", "count_rest", "log_odds", "z", "rank")


def _ordered_groups(labels: Sequence) -> list[str]:
    """Group names in rating order when they are ratings, otherwise sorted."""
    uniq = sorted(set(map(str, labels)))
    if set(uniq) <= set(RATING_ORDER):
        return [g for g in RATING_ORDER if g in uniq]
    return uniq


def fightin_words(counts: pd.DataFrame, alpha0: float = DEFAULT_ALPHA0) -> pd.DataFrame:
    """Keyness table from a group x term count matrix (rows: groups, columns: terms).

    Each group is compared with all other groups pooled. Returns one row per (group, term) with
    ``KEYNESS_COLUMNS``: ``count_group`` and ``count_rest`` (raw counts), ``log_odds`` (delta,
    natural log), ``z`` and ``rank`` (1 = most distinctive *of* the group; ties broken by term).
    Terms never used in the corpus are dropped. ``attrs`` records method, alpha0 and totals.
    """
    if alpha0 <= 0:
        raise ValueError("alpha0 must be positive")
    counts = counts.loc[:, counts.sum(axis=0) > 0]
    groups = _ordered_groups(list(counts.index))
    counts = counts.rename(index=str).loc[groups]
    counts = counts[sorted(counts.columns, key=str)]
    terms = np.asarray(counts.columns, dtype=object)
    y = counts.to_numpy(dtype=float)  # groups x terms
    total_w = y.sum(axis=0)
    n = total_w.sum()
    a_w = alpha0 * total_w / n
    frames = []
    for gi, group in enumerate(groups):
        yi = y[gi]
        yj = total_w - yi
        ni = yi.sum()
        nj = n - ni
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = np.log((yi + a_w) / (ni + alpha0 - yi - a_w)) - np.log(
                (yj + a_w) / (nj + alpha0 - yj - a_w)
            )
            var = 1.0 / (yi + a_w) + 1.0 / (yj + a_w)
            z = delta / np.sqrt(var)
        frame = pd.DataFrame(
            {
                "group": group,
                "term": terms,
                "count_group": yi.astype("int64"),
                "count_rest": yj.astype("int64"),
                "log_odds": delta,
                "z": z,
            }
        )
        frame = frame.sort_values(["z", "term"], ascending=[False, True], kind="mergesort")
        frame["rank"] = np.arange(1, len(frame) + 1, dtype="int64")
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KEYNESS_COLUMNS)
    out = out[list(KEYNESS_COLUMNS)]
    out.attrs.update(
        method="weighted log-odds, informative Dirichlet prior (Monroe et al. 2008)",
        alpha0=float(alpha0),
        groups=groups,
        tokens=int(n),
        tokens_per_group={g: int(y[i].sum()) for i, g in enumerate(groups)},
    )
    return out


def term_counts(
    texts: Sequence[str],
    groups: Sequence,
    stop_words: str | list[str] | None = "english",
    ngram_range: tuple[int, int] = (1, 1),
    min_df: int = 1,
) -> pd.DataFrame:
    """Group x word count matrix from raw texts (``CountVectorizer``, ``TOKEN_PATTERN``)."""
    from sklearn.feature_extraction.text import CountVectorizer

    texts = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in texts]
    labels = np.asarray([str(g) for g in groups], dtype=object)
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} group labels")
    vec = CountVectorizer(
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
        stop_words=stop_words,
        ngram_range=ngram_range,
        min_df=min_df,
        dtype=np.int64,
    )
    x = vec.fit_transform(texts)
    names = _ordered_groups(labels)
    onehot = sparse.csr_matrix(
        (np.ones(len(labels)), ([names.index(g) for g in labels], np.arange(len(labels)))),
        shape=(len(names), len(labels)),
    )
    mat = np.asarray((onehot @ x).todense())
    return pd.DataFrame(mat, index=names, columns=vec.get_feature_names_out())


def keyness(
    texts: Sequence[str],
    groups: Sequence,
    alpha0: float = DEFAULT_ALPHA0,
    stop_words: str | list[str] | None = "english",
    ngram_range: tuple[int, int] = (1, 1),
    min_df: int = 1,
) -> pd.DataFrame:
    """Fightin' Words keyness of words for two or more groups of texts (each vs all others).

    ``texts`` and ``groups`` are aligned sequences (e.g. ``arts["text"]``, ``arts["rating"]``).
    Returns ``group, term, count_group, count_rest, log_odds, z, rank`` (see
    :func:`fightin_words`; tokenisation and stop words in the module docstring).
    """
    counts = term_counts(texts, groups, stop_words, ngram_range, min_df)
    out = fightin_words(counts, alpha0)
    out.attrs.update(
        unit="word",
        token_pattern=TOKEN_PATTERN,
        stop_words=stop_words if isinstance(stop_words, str) or stop_words is None else "custom",
        ngram_range=list(ngram_range),
        min_df=min_df,
        docs_per_group=pd.Series([str(g) for g in groups]).value_counts().to_dict(),
    )
    return out


def keyness_from_terms(
    terms_df: pd.DataFrame,
    groups: Mapping | pd.Series | pd.DataFrame,
    alpha0: float = DEFAULT_ALPHA0,
    doc_col: str = "doc_id",
    term_col: str = "term",
    group_col: str | None = None,
) -> pd.DataFrame:
    """Keyness of arbitrary terms given as a long table, one row per occurrence.

    ``terms_df`` has ``doc_col`` and ``term_col`` (e.g. lexicon hits with ``term_col="cue"``).
    ``groups`` maps doc_id -> group: a Series indexed by doc_id, a dict, or a DataFrame with
    ``doc_col`` and ``group_col``. Occurrences in documents without a group are left out and
    counted in ``attrs["unmatched_rows"]``. Note the token totals are totals of *these terms*,
    so the comparison is "share of cue occurrences", not "per word of text".
    """
    if isinstance(groups, pd.DataFrame):
        if group_col is None:
            others = [c for c in groups.columns if c != doc_col]
            if len(others) != 1:
                raise ValueError("pass group_col: the groups table has several columns")
            group_col = others[0]
        mapping = groups.set_index(doc_col)[group_col]
    else:
        mapping = pd.Series(groups)
    mapping = mapping[mapping.notna()].astype(str)
    labels = terms_df[doc_col].map(mapping)
    used = terms_df.loc[labels.notna(), term_col].astype(str)
    counts = pd.crosstab(labels[labels.notna()].to_numpy(), used.to_numpy())
    out = fightin_words(counts, alpha0)
    out.attrs.update(unit=term_col, unmatched_rows=int(labels.isna().sum()))
    return out


def keyness_finding(table: pd.DataFrame, top_n: int = 3) -> str:
    """One line naming each group's top terms by z, e.g. ``left: privacy, data; right: ...``."""
    parts = []
    for group in table.attrs.get("groups") or _ordered_groups(table["group"].unique()):
        top = table[(table["group"] == group) & (table["rank"] <= top_n)]
        parts.append(f"{group}: " + ", ".join(top.sort_values("rank")["term"]))
    return "Most distinctive terms - " + "; ".join(parts)


def plot_keyness(table: pd.DataFrame, top_n: int = 15, title: str | None = None):
    """Static chart, one panel per group: its ``top_n`` most distinctive terms by z.

    Bars show z (the weighted log-odds over its standard error; |z| > 1.96 is marked by a dashed
    line), labels give the term and its count in the group. Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    use_style()
    groups = table.attrs.get("groups") or _ordered_groups(table["group"].unique())
    ncols = min(3, len(groups))
    nrows = int(np.ceil(len(groups) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.2 * ncols, 0.28 * top_n * nrows + 1.6), squeeze=False
    )
    for i, group in enumerate(groups):
        ax = axes[i // ncols][i % ncols]
        top = table[(table["group"] == group) & (table["rank"] <= top_n)].sort_values("rank")
        color = RATING_COLORS.get(group, OKABE_ITO[i % len(OKABE_ITO)])
        y = np.arange(len(top))[::-1]
        ax.barh(y, top["z"], color=color)
        ax.set_yticks(y)
        ax.set_yticklabels([f"{t} ({c:,})" for t, c in zip(top["term"], top["count_group"])])
        ax.axvline(1.96, color="black", ls="--", lw=0.8)
        n_tok = table.attrs.get("tokens_per_group", {}).get(group)
        n_doc = table.attrs.get("docs_per_group", {}).get(group)
        sub = f"{n_doc:,} articles, " if n_doc is not None else ""
        sub = f" ({sub}{n_tok:,} tokens)" if n_tok is not None else ""
        ax.set_title(f"{group}{sub}", fontsize=10, loc="left")
        ax.set_xlabel("z (weighted log-odds / SE)")
        ax.grid(axis="y", alpha=0)
    for j in range(len(groups), nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)
    alpha0 = table.attrs.get("alpha0", DEFAULT_ALPHA0)
    fig.suptitle(
        title
        or f"{keyness_finding(table)}\n(each group vs all others; prior alpha0 = {alpha0:g};"
        " dashed: z = 1.96)",
        fontsize=10,
        x=0.01,
        ha="left",
    )
    fig.tight_layout()
    return fig
