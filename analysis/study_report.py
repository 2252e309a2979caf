"""Tables and charts of notebooks 04 (comparisons) and 05 (inductive frames).

Thin compositions of :mod:`analysis.compare`, :mod:`analysis.keyness`, :mod:`analysis.attention`
and :mod:`analysis.topics`, so the notebooks stay short and every number they show comes from a
function that returns a DataFrame:

* :func:`rating_differences` - every key document score compared between the outlet ratings
  (left-center, left-right, center-right) with bootstrap CIs, Cohen's d and Mann-Whitney p, Holm
  adjusted over *all* comparisons of the table (one family), drawn by
  :func:`plot_rating_differences` as a forest plot of Cohen's d (a common scale for scores with
  different units).
* :func:`summaries_by` / :func:`plot_summary_panels` - per-group means with CIs for several
  scores at once (outlets, subtopics, years), small multiples with ``n`` in the labels.
* :func:`cue_terms` - lexicon hits as terms for Fightin' Words (one term per matched span).
* :func:`plot_attention_by_subtopic` - attention ratios per subtopic, rating and year.
* :func:`topic_frame_table`, :func:`min_share_sensitivity`, :func:`frame_examples`,
  :func:`frames_signature` - the inductive-frame tables of notebook 05.
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import compare, topics
from .framing_report import CHAPTER_CATEGORIES
from .plots import OKABE_ITO, RATING_COLORS, RATING_ORDER, finding_title, interval_point, use_style

# (column of Scores.docs, readable label); rates are per 1,000 words. The categories are the
# framing chapter's (framing_report.CHAPTER_CATEGORIES), so the two reports cannot drift apart.
KEY_SCORES: list[tuple[str, str]] = [
    ("news_compound_mean", "news-adapted sentiment (mean compound)"),
    ("vader_compound_mean", "VADER sentiment (mean compound)"),
    *[
        (
            f"{cat}.rate",
            f"{'evaluative' if lex == 'evaluative' else 'generic frame'}: "
            f"{name.replace('_', ' ')} (per 1,000 words)",
        )
        for cat in CHAPTER_CATEGORIES
        for lex, name in [cat.split(".", 1)]
    ],
]
RATING_PAIRS: list[tuple[str, str]] = [("left", "right"), ("left", "center"), ("center", "right")]
PAIR_COLORS = {
    "left - right": OKABE_ITO[4],
    "left - center": OKABE_ITO[0],
    "center - right": OKABE_ITO[3],
}


def score_labels(columns: Sequence[str] | None = None) -> dict[str, str]:
    """``{column: label}`` for :data:`KEY_SCORES` (restricted to ``columns`` when given)."""
    labels = dict(KEY_SCORES)
    return labels if columns is None else {c: labels[c] for c in columns if c in labels}


def available_scores(docs: pd.DataFrame, scores: Sequence[str] | None = None) -> list[str]:
    """The requested score columns (default :data:`KEY_SCORES`) that ``docs`` actually has."""
    wanted = [c for c, _ in KEY_SCORES] if scores is None else list(scores)
    return [c for c in wanted if c in docs.columns]


# --------------------------------------------------------------------------- ratings
def rating_differences(
    docs: pd.DataFrame,
    scores: Sequence[str] | None = None,
    pairs: Sequence[tuple[str, str]] = tuple(RATING_PAIRS),
    n_boot: int = 2000,
    seed: int = 0,
    min_n: int = 20,
) -> pd.DataFrame:
    """Differences between outlet ratings for every score, one row per (score, pair).

    Rows come from :func:`analysis.compare.group_differences` (``diff = mean_a - mean_b`` with a
    bootstrap CI, Cohen's d with a bootstrap CI, two-sided Mann-Whitney ``mw_p``, ``caution``
    for groups under ``min_n``). Pairs whose groups are absent are left out. ``mw_p_holm`` is
    recomputed over *every* row of this table (all scores x pairs form one family);
    ``mw_p_holm_within`` keeps the adjustment within each score. Extra columns: ``score``,
    ``label``, ``pair``.
    """
    cols = available_scores(docs, scores)
    labels = score_labels()
    frames = []
    present = set(docs["rating"].dropna().astype(str)) if "rating" in docs else set()
    for col in cols:
        diffs = compare.group_differences(
            docs, col, "rating", n_boot=n_boot, seed=seed, min_n=min_n
        )
        diffs = diffs.rename(columns={"mw_p_holm": "mw_p_holm_within"})
        key = list(zip(diffs["group_a"], diffs["group_b"]))
        rows = []
        for a, b in pairs:
            if a not in present or b not in present:
                continue
            if (a, b) in key:
                rows.append(diffs.iloc[key.index((a, b))])
            elif (b, a) in key:  # mirror so the requested orientation is kept
                r = diffs.iloc[key.index((b, a))].copy()
                r["group_a"], r["group_b"], r["n_a"], r["n_b"] = a, b, r["n_b"], r["n_a"]
                r["mean_a"], r["mean_b"] = r["mean_b"], r["mean_a"]
                r["diff"] = -r["diff"]
                r["diff_ci_low"], r["diff_ci_high"] = -r["diff_ci_high"], -r["diff_ci_low"]
                r["cohens_d"] = -r["cohens_d"]
                r["d_ci_low"], r["d_ci_high"] = -r["d_ci_high"], -r["d_ci_low"]
                rows.append(r)
        if rows:
            part = pd.DataFrame(rows).reset_index(drop=True)
            part.insert(0, "score", col)
            part.insert(1, "label", labels.get(col, col))
            frames.append(part)
    if not frames:
        return pd.DataFrame(columns=["score", "label", "pair", "mw_p_holm"])
    out = pd.concat(frames, ignore_index=True)
    out.insert(2, "pair", out["group_a"] + " - " + out["group_b"])
    out["mw_p_holm"] = compare.holm_adjust(out["mw_p"].to_numpy())
    out.attrs.update(n_boot=n_boot, seed=seed, min_n=min_n, ci=0.95, family=len(out))
    return out


def rating_differences_finding(diffs: pd.DataFrame, alpha: float = 0.05) -> str:
    """One line: how many comparisons survive Holm and which has the largest |d|."""
    if diffs.empty:
        return "No rating comparisons (fewer than two rating groups)"
    sig = diffs[diffs["mw_p_holm"] < alpha]
    top = diffs.loc[diffs["cohens_d"].abs().idxmax()]
    return (
        f"{len(sig)} of {len(diffs)} rating differences have Holm-adjusted p < {alpha:g}; "
        f"largest |d|: {top['label'].split(' (')[0]}, {top['pair']} "
        f"(d = {top['cohens_d']:.2f}, 95% CI {top['d_ci_low']:.2f} to {top['d_ci_high']:.2f})"
    )


def plot_rating_differences(diffs: pd.DataFrame, alpha: float = 0.05, title: str | None = None):
    """Forest plot of Cohen's d (bootstrap 95% CI) per score and rating pair.

    Cohen's d puts scores with different units (compound, rate per 1,000 words) on one axis.
    Filled markers: Holm-adjusted p < ``alpha`` over the whole table; hollow: not. ``n`` per
    rating is given in the legend; thin groups (``caution``) are named in the footnote.
    """
    import matplotlib.pyplot as plt

    use_style()
    scores = list(dict.fromkeys(diffs["score"]))
    pairs = list(dict.fromkeys(diffs["pair"]))
    fig, ax = plt.subplots(figsize=(9, 0.22 * len(scores) * max(1, len(pairs)) + 1.8))
    band = 0.8
    step = band / max(1, len(pairs))
    for si, score in enumerate(scores):
        y0 = len(scores) - 1 - si
        if si % 2 == 0:
            ax.axhspan(y0 - 0.5, y0 + 0.5, color="#F2F2F2", zorder=0)
        for pi, pair in enumerate(pairs):
            row = diffs[(diffs["score"] == score) & (diffs["pair"] == pair)]
            if row.empty:
                continue
            r = row.iloc[0]
            y = y0 + band / 2 - step * (pi + 0.5)
            color = PAIR_COLORS.get(pair, OKABE_ITO[pi % len(OKABE_ITO)])
            filled = bool(r["mw_p_holm"] < alpha)
            interval_point(
                ax,
                r["cohens_d"],
                y,
                r["d_ci_low"],
                r["d_ci_high"],
                color=color,
                hollow=not filled,
                capsize=2,
                ms=5,
                lw=1.2,
            )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(scores))[::-1])
    labels = score_labels()
    ax.set_yticklabels([labels.get(s, s) for s in scores], fontsize=8)
    ax.set_ylim(-0.5, len(scores) - 0.5)
    ax.grid(axis="y", alpha=0)
    first = diffs.drop_duplicates("pair").set_index("pair")
    for pi, pair in enumerate(pairs):
        r = first.loc[pair]
        ax.plot(
            [],
            [],
            "o",
            color=PAIR_COLORS.get(pair, OKABE_ITO[pi % len(OKABE_ITO)]),
            label=f"{r['group_a']} (n = {r['n_a']:,}) minus {r['group_b']} (n = {r['n_b']:,})",
        )
    ax.plot([], [], "o", color="grey", mfc="white", label=f"hollow: Holm p >= {alpha:g}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    thin = diffs.loc[diffs["caution"].astype(bool), "pair"].unique()
    min_n = diffs.attrs.get("min_n", 20)
    note = f"; thin groups (n < {min_n}): {', '.join(thin)}" if len(thin) else ""
    ax.set_xlabel(
        "Cohen's d (difference in means / pooled SD; 95% bootstrap CI)\n"
        f"Holm adjustment over all {len(diffs)} comparisons (Mann-Whitney U){note}",
        fontsize=9,
    )
    finding_title(fig, textwrap.fill(title or rating_differences_finding(diffs, alpha), 95))
    return fig


# --------------------------------------------------------------------------- group summaries
def largest_groups(docs: pd.DataFrame, column: str = "outlet", top_n: int = 15) -> list[str]:
    """The ``top_n`` most frequent non-empty values of ``column`` (ties: alphabetical)."""
    vals = docs[column].dropna().astype(str)
    vals = vals[vals != ""]
    counts = vals.value_counts()
    order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [k for k, _ in order[:top_n]]


def summaries_by(
    docs: pd.DataFrame,
    scores: Sequence[str],
    by: str,
    n_boot: int = 2000,
    seed: int = 0,
    min_n: int = 20,
) -> pd.DataFrame:
    """Group summaries of several scores, stacked long
    (:func:`analysis.compare.bootstrap_mean_table`).

    Adds a ``label`` column after ``score``, and for ``by == "outlet"`` the outlet's ``rating``
    (its most frequent rating) so charts can colour outlets. ``"subtopic"`` groups overlap
    (``attrs["overlapping_groups"]``).
    """
    labels = score_labels()
    out = compare.bootstrap_mean_table(docs, scores, by, n_boot=n_boot, seed=seed, min_n=min_n)
    overlapping = out.attrs["overlapping_groups"]
    out.insert(1, "label", [labels.get(c, c) for c in out["score"]])
    if by == "outlet" and "rating" in docs.columns:
        mode = (
            docs.dropna(subset=["outlet", "rating"])
            .groupby("outlet")["rating"]
            .agg(lambda s: sorted(s.value_counts().items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
        )
        out["rating"] = out["outlet"].map(mode)
    out.attrs.update(by=by, n_boot=n_boot, seed=seed, min_n=min_n, overlapping_groups=overlapping)
    return out


def plot_summary_panels(
    summary: pd.DataFrame, sort_by_first: bool = True, title: str | None = None
):
    """Small multiples of :func:`summaries_by`: one panel per score, groups on the y axis with
    ``n``, mean and 95% bootstrap CI; outlets are coloured by rating, thin groups hollow."""
    import matplotlib.pyplot as plt

    use_style()
    by = summary.attrs.get("by", "group")
    scores = list(dict.fromkeys(summary["score"]))
    first = summary[summary["score"] == scores[0]]
    groups = list(first.sort_values("mean")["group"] if sort_by_first else first["group"])[::-1]
    if not sort_by_first:
        groups = groups[::-1]
    fig, axes = plt.subplots(
        1,
        len(scores),
        figsize=(4.2 * len(scores) + 2.5, 0.32 * len(groups) + 1.8),
        sharey=True,
        squeeze=False,
    )
    y_of = {g: len(groups) - 1 - i for i, g in enumerate(groups)}
    for ax, score in zip(axes[0], scores, strict=True):
        sub = summary[summary["score"] == score]
        for _, r in sub.iterrows():
            color = (
                RATING_COLORS.get(r.get("rating"), OKABE_ITO[0]) if "rating" in r else OKABE_ITO[0]
            )
            thin = bool(r["caution"])
            interval_point(
                ax,
                r["mean"],
                y_of[r["group"]],
                r["ci_low"],
                r["ci_high"],
                color=color,
                hollow=thin,
                capsize=2,
                ms=4,
            )
        overall = np.average(sub["mean"], weights=sub["n"])
        ax.axvline(overall, color="black", lw=0.6, ls=":")
        ax.set_xlabel(textwrap.fill(sub["label"].iloc[0], 40), fontsize=8)
        ax.grid(axis="y", alpha=0)
    n_of = first.set_index("group")["n"]
    axes[0][0].set_yticks([y_of[g] for g in groups])
    axes[0][0].set_yticklabels([f"{g} (n = {n_of[g]:,})" for g in groups], fontsize=8)
    handles = []
    if "rating" in summary.columns:
        for r in RATING_ORDER:
            if r in set(summary["rating"].dropna()):
                handles.append(
                    plt.Line2D([], [], marker="o", ls="", color=RATING_COLORS[r], label=r)
                )
    min_n = summary.attrs.get("min_n", 20)
    handles.append(
        plt.Line2D([], [], marker="o", ls="", color="grey", mfc="white", label=f"n < {min_n}")
    )
    handles.append(plt.Line2D([], [], ls=":", color="black", label="n-weighted mean of groups"))
    axes[0][-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    if title is None:
        title = compare.summary_finding(first, first["label"].iloc[0].split(" (")[0])
        title += " (dots: mean, bars: 95% bootstrap CI)"
    if summary.attrs.get("overlapping_groups"):
        title += f"; {by} groups overlap (an article counts in each of its {by}s)"
    fig.suptitle(textwrap.fill(title, 110), x=0.01, ha="left", fontsize=10, fontweight="bold")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- keyness inputs
def cue_terms(hits: pd.DataFrame) -> pd.DataFrame:
    """Lexicon hits as terms for :func:`analysis.keyness.keyness_from_terms`.

    One row per matched text span (``doc_id, sent_idx, part, start, end``) with ``term`` = the
    lower-cased cue, so a span matched by several categories or lexicons counts once.
    """
    cols = ["doc_id", "sent_idx", "part", "start", "end"]
    out = hits.sort_values([*cols, "cue"], kind="mergesort").drop_duplicates(cols)
    out = out.assign(term=out["cue"].astype(str).str.lower())
    return out[["doc_id", "term"]].reset_index(drop=True)


def cue_keyness(hits: pd.DataFrame, docs: pd.DataFrame, group: str = "rating", **kwargs):
    """Fightin' Words keyness of lexicon cues (:func:`cue_terms`) between ``group`` values.

    ``docs`` maps ``doc_id`` to ``group``; ``kwargs`` go to
    :func:`analysis.keyness.keyness_from_terms`. ``attrs["docs_per_group"]`` counts the
    articles of each group (for chart labels).
    """
    from .keyness import keyness_from_terms

    groups = docs[["doc_id", group]].dropna()
    groups = groups[groups[group].astype(str) != ""]
    out = keyness_from_terms(cue_terms(hits), groups, term_col="term", group_col=group, **kwargs)
    out.attrs["docs_per_group"] = groups[group].astype(str).value_counts().to_dict()
    out.attrs["unit"] = "lexicon cue (one per matched span)"
    return out


# --------------------------------------------------------------------------- attention
def plot_attention_by_subtopic(att: pd.DataFrame, min_total: int = 50, title: str | None = None):
    """Small multiples: per subtopic, the share of each rating's total coverage per year.

    ``att`` is ``attention.attention_table(..., subtopics=True)``. Years with fewer than
    ``min_total`` articles in total for a rating are left out (too thin); unknown periods are
    dropped. Panel titles give the subtopic's study articles; the legend the denominators.
    """
    import matplotlib.pyplot as plt

    use_style()
    d = att[(att["period"] != "unknown") & (att["n_total"] >= min_total)].copy()
    subs = d.groupby("subtopic")["n_study"].sum().sort_values(ascending=False)
    ncol = 5
    nrow = int(np.ceil(len(subs) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(14, 2.7 * nrow + 1.2), sharex=True, sharey=True)
    axes = np.atleast_1d(axes).ravel()
    ratings = [r for r in RATING_ORDER if r in set(d["rating"])]
    ratings += sorted(set(d["rating"]) - set(ratings))
    for ax, sub in zip(axes, subs.index, strict=False):
        part = d[d["subtopic"] == sub]
        for i, r in enumerate(ratings):
            s = part[part["rating"] == r].sort_values("period")
            x = s["period"].astype(int) + (i - (len(ratings) - 1) / 2) * 0.12
            color = RATING_COLORS.get(r, OKABE_ITO[i % len(OKABE_ITO)])
            ax.errorbar(
                x,
                100 * s["share"],
                yerr=[
                    100 * (s["share"] - s["share_lo"]).clip(lower=0),
                    100 * (s["share_hi"] - s["share"]).clip(lower=0),
                ],
                marker="o",
                ms=3,
                lw=1,
                capsize=1.5,
                color=color,
            )
        ax.set_title(f"{sub.replace('_', ' ')} ({int(subs[sub]):,} articles)", fontsize=9)
        ax.tick_params(axis="x", rotation=90, labelsize=8)
    for ax in axes[len(subs) :]:
        ax.set_visible(False)
    for ax in axes[::ncol]:
        ax.set_ylabel("% of all coverage")
    tot = d.drop_duplicates(["rating", "period"]).groupby("rating")["n_total"].sum()
    handles = [
        plt.Line2D(
            [], [], marker="o", color=RATING_COLORS.get(r, OKABE_ITO[i]),
            label=f"{r} (of {int(tot.get(r, 0)):,} articles)",
        )
        for i, r in enumerate(ratings)
    ]  # fmt: skip
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.01, 0.97),
        fontsize=8,
        ncol=len(ratings),
        title="rating (denominator: all its coverage in the years shown)",
        title_fontsize=8,
    )
    top = subs.index[0].replace("_", " ") if len(subs) else "none"
    fig.suptitle(
        title
        or f"Each subtopic's share of each rating's total coverage per year; {top} is the largest "
        f"(bars: Wilson 95% CI; years with < {min_total} articles omitted)",
        x=0.01,
        ha="left",
        fontsize=10,
        fontweight="bold",
    )
    fig.supxlabel("Publication year")
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


# --------------------------------------------------------------------------- inductive frames
def n_topics_for(n_docs: int, requested: int = topics.DEFAULT_N_TOPICS, docs_per_topic: int = 5):
    """``requested`` topics, capped at one per ``docs_per_topic`` articles (at least 2), so a
    small sample is not split into more topics than it can support."""
    return int(max(2, min(requested, n_docs // docs_per_topic)))


def topic_frame_table(model: topics.TopicModel, communities: pd.DataFrame) -> pd.DataFrame:
    """One row per topic: ``topic, label, prevalence, top_terms, frame_id, frame_label``."""
    table = model.topic_table()
    return table.merge(
        communities[["topic", "frame_id", "frame_label"]], on="topic", how="left"
    ).sort_values(["frame_id", "prevalence"], ascending=[True, False], ignore_index=True)


def min_share_sensitivity(
    model: topics.TopicModel,
    communities: pd.DataFrame,
    thresholds: Sequence[float] = (0.3, 0.4, 0.5, 0.6),
) -> pd.DataFrame:
    """Share of articles per frame (and ``"no frame"``) for several ``min_share`` thresholds.

    Columns: ``frame``, then one column per threshold (share of all articles). ``attrs``:
    ``chance`` = 1 / number of frames, the share of an article whose topic weight were spread
    evenly over the frames.
    """
    cols = {}
    order = None
    for t in thresholds:
        f = topics.document_frames(model, communities, min_share=t)
        order = f.attrs["frame_order"]
        cols[f"min_share={t:g}"] = f["frame"].value_counts(normalize=True)
    out = pd.DataFrame(cols).reindex(order).fillna(0.0)
    out.index.name = "frame"
    out = out.reset_index()
    out.attrs["chance"] = 1.0 / max(1, communities["frame_id"].nunique())
    return out


def frame_examples(
    doc_frames: pd.DataFrame, articles: pd.DataFrame, n: int = 3, text_chars: int = 160
) -> pd.DataFrame:
    """Example articles: per frame the ``n`` with the largest frame share; for ``"no frame"``
    the ``n`` with the *smallest* dominant share (the least framed). Ties by ``doc_id``.

    Columns: ``frame, doc_id, share, top_topic`` plus ``outlet, rating, date, title`` when the
    articles have them, and ``opening`` (first ``text_chars`` characters of the text).
    """
    meta = [c for c in ("doc_id", "outlet", "rating", "date", "title", "text") if c in articles]
    merged = doc_frames.merge(articles[meta], on="doc_id", how="left")
    parts = []
    for frame in doc_frames.attrs.get("frame_order") or sorted(merged["frame"].unique()):
        sub = merged[merged["frame"] == frame]
        asc = frame == topics.NO_FRAME
        parts.append(sub.sort_values(["share", "doc_id"], ascending=[asc, True]).head(n))
    out = pd.concat(parts, ignore_index=True)
    if "text" in out:
        out["opening"] = (
            out["text"].fillna("").str.replace(r"\s+", " ", regex=True).str.slice(0, text_chars)
        )
        out = out.drop(columns="text")
    keep = ["frame", "doc_id", "share", "top_topic"]
    return out[keep + [c for c in out.columns if c not in keep and c != "frame_id"]]


def frames_signature(
    model: topics.TopicModel, communities: pd.DataFrame, doc_frames: pd.DataFrame
) -> str:
    """SHA-256 (16 hex digits) of the topic terms, communities and document frames, for
    checking that two runs gave identical results."""
    h = hashlib.sha256()
    for df in (model.topic_terms, communities, doc_frames):
        h.update(df.to_csv(index=False, float_format="%.10g").encode("utf-8"))
    h.update(np.round(model.doc_topic, 12).tobytes())
    return h.hexdigest()[:16]


def network_edges(graph, communities: pd.DataFrame) -> pd.DataFrame:
    """The topic network as a table: ``source, target, weight`` (topic numbers), their labels and
    frames, sorted by weight (descending) then topics - the data behind the network figure."""
    frame_of = communities.set_index("topic")["frame_label"]
    rows = [
        {
            "source": min(u, v),
            "target": max(u, v),
            "weight": float(d["weight"]),
            "source_label": graph.nodes[min(u, v)]["label"],
            "target_label": graph.nodes[max(u, v)]["label"],
            "source_frame": frame_of.get(min(u, v)),
            "target_frame": frame_of.get(max(u, v)),
        }
        for u, v, d in graph.edges(data=True)
    ]
    cols = ["source", "target", "weight", "source_label", "target_label", "source_frame"]
    out = pd.DataFrame(rows, columns=[*cols, "target_frame"])
    return out.sort_values(
        ["weight", "source", "target"], ascending=[False, True, True]
    ).reset_index(drop=True)
