"""Tables and charts of the framing chapter (notebook 03).

Pure functions over the scoring pipeline's tables (:func:`analysis.pipeline.score_corpus`) and the
validation helpers; each chart function takes the tidy table it draws and returns a matplotlib
figure whose title is computed from that table.

* :func:`article_hit_table` -- the hits of one article, readable (category, cue, matched, voice).
* :func:`sentences_with_compound` / :func:`standalone_html` -- inputs and wrapper for
  :func:`analysis.explain.highlight_html`.
* :func:`lexicon_inventory` -- the lexicon registry with citations and category names.
* :func:`frame_validation_table` / :func:`plot_frame_validation` -- per-frame F1 of the shipped
  classifier and its baselines (cross-validated scores stored in the shipped model) against the
  human ceiling and Krippendorff's alpha.
* :func:`kwic_examples` -- a seeded handful of keyword-in-context rows for one category / cue.
* :func:`rates_by_group` / :func:`plot_rates_by_group` -- cue rates per 1,000 words by outlet
  rating, subtopic or year, bootstrap CIs from :func:`analysis.compare.bootstrap_mean_table`.
* :func:`voice_rates` / :func:`plot_voice_rates` -- pooled rates in reporter prose vs quoted
  speech, with paired bootstrap CIs (``scipy.stats.bootstrap``) of both and of their difference.
* :func:`frame_prediction_table` / :func:`frame_shares_by_group` / :func:`plot_frame_shares` --
  share of articles the supervised classifier assigns each generic frame, by group.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from . import paths
from .compare import UNKNOWN_PERIOD, bootstrap_mean_table
from .plots import (
    OKABE_ITO,
    RATING_COLORS,
    RATING_ORDER,
    VOICE_COLORS,
    finding_title,
    interval_point,
    n_label,
    use_style,
)

EVALUATIVE_CATEGORIES: tuple[str, ...] = (
    "evaluative.praise",
    "evaluative.conflict",
    "evaluative.controversy",
    "evaluative.uncertainty",
    "evaluative.strategic_motive",
    "evaluative.rights",
    "evaluative.surveillance",
)
GENERIC_CATEGORIES: tuple[str, ...] = (
    "generic_frames.conflict",
    "generic_frames.human_interest",
    "generic_frames.economic",
    "generic_frames.morality",
    "generic_frames.responsibility",
)
CHAPTER_CATEGORIES: tuple[str, ...] = EVALUATIVE_CATEGORIES + GENERIC_CATEGORIES
VALIDATION_MODELS: dict[str, str] = {
    "frame_classifier": "supervised classifier (shipped)",
    "lexicon_only": "lexicon only (generic_frames rates)",
    "tfidf_logreg_plain": "plain TF-IDF + logistic regression",
}
HUMAN = "human_ceiling"
ALL_GROUP = "all articles"
HIT_TABLE_COLUMNS = (
    "part",
    "sent_idx",
    "category",
    "cue",
    "matched",
    "voice",
    "negated",
    "start",
    "end",
)


def _wrap(text: str, width: int = 95) -> str:
    return textwrap.fill(text, width)


def _short(key: str) -> str:
    """Short label: ``generic_frames.conflict`` -> ``conflict (generic)``,
    ``evaluative.praise`` -> ``praise``."""
    lex, _, cat = key.partition(".")
    return cat if lex == "evaluative" else f"{cat} ({lex.split('_')[0]})"


# --------------------------------------------------------------------------- one article
def article_hit_table(hits: pd.DataFrame, doc_id: str | None = None) -> pd.DataFrame:
    """The hits of one article (all hits when ``doc_id`` is None) in reading order.

    Columns: ``part, sent_idx, category`` (``lexicon.category``), ``cue, matched, voice,
    negated, start, end``; title hits first, then body hits by position.
    """
    h = hits if doc_id is None or not len(hits) else hits[hits["doc_id"] == doc_id]
    if not len(h):
        return pd.DataFrame(columns=list(HIT_TABLE_COLUMNS))
    out = h.assign(
        category=h["lexicon"].astype(str) + "." + h["category"].astype(str),
        _part=(h["part"] != "title").astype(int),
    )
    out = out.sort_values(["_part", "start", "end", "category"], kind="stable")
    out = out[list(HIT_TABLE_COLUMNS)].reset_index(drop=True)
    out["negated"] = out["negated"].astype(bool)
    return out


def display_row(article_row: pd.Series | dict) -> dict:
    """The article row without missing metadata (NaN, NaT, None, blank strings), so that
    :func:`analysis.explain.highlight_html` does not print "NaT" or "nan" in its header."""
    out = {}
    for k, v in dict(article_row).items():
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            continue
        if isinstance(v, str) and not v.strip() and k not in ("title", "text"):
            continue
        out[k] = v
    return out


def lexicon_hits(hits: pd.DataFrame, lexicon: str) -> pd.DataFrame:
    """The hits of one lexicon (for a highlight with one colour per category: the Okabe-Ito
    palette has 7 colours, so more categories than that would share colours)."""
    return hits[hits["lexicon"] == lexicon]


def sentences_with_compound(sentences: pd.DataFrame, method: str = "vader") -> pd.DataFrame:
    """The sentence table with a ``compound`` column (``<method>_compound``), which
    :func:`analysis.explain.highlight_html` uses to shade sentences by sentiment."""
    col = f"{method}_compound"
    if col not in sentences.columns:
        raise KeyError(f"sentence table has no {col!r} column")
    return sentences.assign(compound=sentences[col])


def standalone_html(fragment: str, title: str) -> str:
    """A complete UTF-8 HTML page around an escaped article fragment (title escaped too)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        '<body style="max-width:50em;margin:2em auto">\n'
        f"{fragment}\n</body></html>\n"
    )


# --------------------------------------------------------------------------- lexicons
def lexicon_inventory(lexicons: pd.DataFrame | None = None) -> pd.DataFrame:
    """The lexicon registry (:func:`analysis.framing.list_lexicons`) with the category names.

    Columns: ``name, version, n_categories, n_cues, categories`` (``"; "``-joined),
    ``citation, licence, path`` (relative to the project root when inside it, so the CSV is the
    same on every checkout), ``overrides``.
    """
    from .framing import list_lexicons, load_lexicons

    table = list_lexicons() if lexicons is None else lexicons
    cats: dict[str, list[str]] = {}
    for lex, cat in load_lexicons().categories():
        cats.setdefault(lex, []).append(cat)

    def rel(p: object) -> str:
        try:
            return Path(str(p)).resolve().relative_to(paths.PROJECT_ROOT).as_posix()
        except ValueError:
            return str(p)

    out = table.assign(
        categories=["; ".join(cats.get(n, [])) for n in table["name"]],
        path=[rel(p) for p in table["path"]],
    )
    cols = ["name", "version", "n_categories", "n_cues", "categories", "citation", "licence"]
    return out[[*cols, "path", "overrides"]].reset_index(drop=True)


# --------------------------------------------------------------------------- frame validation
def frame_validation_table(
    cv_scores: Sequence[dict] | pd.DataFrame,
    alpha: pd.DataFrame,
    ceiling: pd.DataFrame,
) -> pd.DataFrame:
    """Per-frame F1 of every model against the human ceiling, long format.

    ``cv_scores`` is the ``cv_scores`` block of the shipped model
    (:func:`analysis.frame_classifier.frame_model_metadata`, written by
    :func:`analysis.frame_classifier.evaluate_frames`: rows ``model``, one column per frame,
    ``macro_f1``, ``note``); ``alpha`` is :func:`analysis.agreement.frame_alpha` and ``ceiling``
    is :func:`analysis.agreement.human_ceiling`. Rows: one per (frame, model) for the three
    models in :data:`VALIDATION_MODELS` plus ``human_ceiling`` (pooled leave-one-out annotator
    F1, recomputed), then the same for ``frame = "macro"`` (mean over frames). Columns:
    ``frame, model, label, f1, human_f1, share_of_ceiling, alpha, positive_rate, source``.
    """
    cv = pd.DataFrame(cv_scores).set_index("model")
    frames = list(ceiling["frame"])
    hc = ceiling.set_index("frame")["f1_pooled"].astype(float)
    al = alpha.set_index("frame")
    rows = []
    for frame in [*frames, "macro"]:
        human = float(hc.mean()) if frame == "macro" else float(hc[frame])
        a = float(al["alpha"].mean()) if frame == "macro" else float(al.loc[frame, "alpha"])
        pos = np.nan if frame == "macro" else float(al.loc[frame, "positive_rate"])
        for model, label in VALIDATION_MODELS.items():
            if model not in cv.index:
                continue
            col = "macro_f1" if frame == "macro" else frame
            f1 = float(cv.loc[model, col])
            rows.append(
                {
                    "frame": frame,
                    "model": model,
                    "label": label,
                    "f1": f1,
                    "human_f1": human,
                    "share_of_ceiling": f1 / human if human > 0 else np.nan,
                    "alpha": a,
                    "positive_rate": pos,
                    "source": str(cv.loc[model, "note"]) if "note" in cv.columns else "",
                }
            )
        rows.append(
            {
                "frame": frame,
                "model": HUMAN,
                "label": "human ceiling (annotator vs others, leave-one-out)",
                "f1": human,
                "human_f1": human,
                "share_of_ceiling": 1.0,
                "alpha": a,
                "positive_rate": pos,
                "source": "analysis.agreement.human_ceiling (f1_pooled)",
            }
        )
    return pd.DataFrame(rows)


def validation_finding(table: pd.DataFrame) -> str:
    """One sentence on the macro row: each model's macro-F1 against the human ceiling."""
    macro = table[table["frame"] == "macro"].set_index("model")
    if "frame_classifier" not in macro.index:
        return "Frame validation"
    clf = macro.loc["frame_classifier"]
    per = table[(table["frame"] != "macro")].pivot(index="frame", columns="model", values="f1")
    beats = (
        int((per["frame_classifier"] > per["lexicon_only"]).sum()) if "lexicon_only" in per else 0
    )
    others = ", ".join(
        f"{VALIDATION_MODELS[m].split(' (')[0]} {macro.loc[m, 'f1']:.2f}"
        for m in VALIDATION_MODELS
        if m != "frame_classifier" and m in macro.index
    )
    return (
        f"Supervised classifier: macro-F1 {clf['f1']:.2f} = {clf['share_of_ceiling']:.0%} of the "
        f"human ceiling ({clf['human_f1']:.2f}); better than the lexicon on {beats} of "
        f"{len(per)} frames ({others})"
    )


def plot_frame_validation(table: pd.DataFrame, title: str | None = None):
    """Grouped bars of F1 per frame (one bar per model), the human ceiling as a black tick
    across each group, Krippendorff's alpha and the positive rate under each frame name."""
    use_style()
    models = [m for m in VALIDATION_MODELS if m in set(table["model"])]
    frames = list(dict.fromkeys(table["frame"]))
    colours = dict(zip(models, [OKABE_ITO[0], OKABE_ITO[1], "#9A9A9A"], strict=False))
    fig, ax = plt.subplots(figsize=(10, 4.8))
    width = 0.8 / max(len(models), 1)
    x = np.arange(len(frames))
    for j, m in enumerate(models):
        d = table[table["model"] == m].set_index("frame").reindex(frames)
        pos = x - 0.4 + width * (j + 0.5)
        ax.bar(pos, d["f1"], width, color=colours[m], label=VALIDATION_MODELS[m])
        for xx, v in zip(pos, d["f1"], strict=True):
            if np.isfinite(v):
                ax.text(xx, v + 0.01, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
    hum = table[table["model"] == HUMAN].set_index("frame").reindex(frames)
    for i, v in enumerate(hum["f1"]):
        ax.plot([i - 0.45, i + 0.45], [v, v], color="black", lw=2.2, zorder=5)
    ax.plot([], [], color="black", lw=2.2, label="human ceiling (annotator F1, leave-one-out)")
    labels = []
    for f, row in hum.iterrows():
        name = "macro (mean)" if f == "macro" else str(f).replace("_", " ")
        extra = f"α = {row['alpha']:.2f}"
        if np.isfinite(row["positive_rate"]):
            extra += f"\n{row['positive_rate']:.0%} positive"
        labels.append(f"{name}\n{extra}")
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("F1 against the aggregated human labels\n(models: 5-fold CV by article)")
    ax.set_xlabel(
        "α: Krippendorff's alpha between annotators (nominal); % positive: share of annotator "
        "labels that mark the frame",
        fontsize=8,
    )
    ax.grid(axis="x", alpha=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    n = table.attrs.get("n_articles")
    finding_title(
        fig,
        _wrap((title or validation_finding(table)) + (f" ({n_label(n)} articles)" if n else "")),
    )
    return fig


# --------------------------------------------------------------------------- cue validity
CUE_VERDICT_COLORS = {
    "as expected": OKABE_ITO[2],
    "no clear difference": OKABE_ITO[1],
    "contradicts": OKABE_ITO[3],
    "not valenced": "#7F7F7F",
}


def plot_cue_validity(table: pd.DataFrame, title: str | None = None):
    """One panel per dataset of :func:`analysis.lexicon_validity.cue_validity_table`: for each
    category, human sentiment of texts with a cue minus texts without, with its 95% cluster
    bootstrap CI, coloured by verdict; hollow markers for fewer than 20 texts with a cue."""
    from .lexicon_validity import cue_validity_finding

    use_style()
    sets = list(dict.fromkeys(table["dataset"]))
    cats = list(dict.fromkeys(table["category"]))
    fig, axes = plt.subplots(1, len(sets), figsize=(5.2 * len(sets), 0.36 * len(cats) + 2.2))
    axes = np.atleast_1d(axes)
    y = np.arange(len(cats))[::-1]
    for ax, ds in zip(axes, sets, strict=True):
        d = table[table["dataset"] == ds].set_index("category").reindex(cats)
        for yy, (_cat, row) in zip(y, d.iterrows(), strict=True):
            if not np.isfinite(row["difference"]):
                ax.text(0, yy, "no text with a cue", va="center", ha="center", fontsize=7)
                continue
            interval_point(
                ax,
                row["difference"],
                yy,
                row["ci_low"],
                row["ci_high"],
                color=CUE_VERDICT_COLORS[row["verdict"]],
                hollow=row["n_with"] < 20,
                capsize=2,
            )
            ax.text(
                1.01,
                yy,
                f"n={row['n_with']:,}",
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=7,
            )
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, [_short(c).replace("_", " ") for c in cats], fontsize=8)
        name, _, unit = str(ds).partition(" (")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel(
            f"mean human sentiment, texts with a cue minus without\n({unit.rstrip(')')}; "
            "n = texts with a cue; 95% CI, articles resampled)",
            fontsize=8,
        )
    for verdict, colour in CUE_VERDICT_COLORS.items():
        axes[-1].plot([], [], "o", color=colour, label=verdict)
    axes[-1].plot([], [], "o", color="black", mfc="white", label="fewer than 20 texts")
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.12, 1.0), fontsize=8)
    finding_title(fig, _wrap(title or cue_validity_finding(table)))
    return fig


# --------------------------------------------------------------------------- KWIC
def kwic_examples(
    kwic_df: pd.DataFrame,
    n: int = 10,
    seed: int = 0,
    focus_cues: Sequence[str] = (),
    columns: Sequence[str] = ("doc_id", "rating", "voice", "negated", "left", "matched", "right"),
) -> pd.DataFrame:
    """A seeded sample of ``n`` rows of a :func:`analysis.explain.kwic` table, in corpus order.

    Rows whose ``cue`` is in ``focus_cues`` are drawn first; when there are fewer than ``n`` of
    them the sample is topped up with other rows of the table (other cues of the category), and
    the ``selected`` column says which is which (``"focus cue"`` / ``"other cue"``). Columns:
    ``selected, cue`` and those of ``columns`` that are present.
    """
    focus = kwic_df["cue"].isin(list(focus_cues)).to_numpy() if len(kwic_df) else np.zeros(0, bool)
    rng = np.random.default_rng(seed)

    def draw(mask: np.ndarray, k: int) -> np.ndarray:
        idx = np.flatnonzero(mask)
        k = min(k, len(idx))
        return np.sort(rng.choice(idx, size=k, replace=False)) if k else np.zeros(0, int)

    first = draw(focus, n)
    rest = draw(~focus, n - len(first))
    idx = np.sort(np.concatenate([first, rest]).astype(int))
    cols = [c for c in ("cue", *columns) if c in kwic_df.columns]
    out = kwic_df.iloc[idx][cols].reset_index(drop=True)
    out.insert(0, "selected", np.where(focus[idx], "focus cue", "other cue"))
    return out


# --------------------------------------------------------------------------- rates by group
def rates_by_group(
    docs: pd.DataFrame,
    by: str | None,
    categories: Sequence[str] = CHAPTER_CATEGORIES,
    value: str = "rate",
    n_boot: int = 2000,
    seed: int = 0,
    min_n: int = 20,
) -> pd.DataFrame:
    """Mean per-article ``<category>.<value>`` (hits per 1,000 words) per group, with bootstrap
    95% CIs (:func:`analysis.compare.bootstrap_mean_table`), stacked for all ``categories``.

    ``by`` is ``"rating"``, ``"subtopic"`` (overlapping groups), ``"year"`` or any column;
    ``None`` gives one group, ``"all articles"``. Categories missing from ``docs`` are skipped.
    Columns: ``category, label`` (short name), ``group, n, mean, median, sd, ci_low, ci_high,
    caution`` and the ``by`` column.
    """
    data = docs if by is not None else docs.assign(_all=ALL_GROUP)
    by_col = by if by is not None else "_all"
    category_of = {f"{cat}.{value}": cat for cat in categories}
    cols = [c for c in category_of if c in data.columns]
    if not cols:
        return pd.DataFrame(columns=["category", "label", "group", "n", "mean", "ci_low"])
    table = bootstrap_mean_table(data, cols, by_col, n_boot=n_boot, seed=seed, min_n=min_n)
    out = table.drop(columns=["score"] + (["_all"] if by is None else []))
    out.insert(0, "category", table["score"].map(category_of))
    out.insert(1, "label", out["category"].map(_short))
    out.attrs.update(by=by, value=value, n_boot=n_boot, seed=seed, min_n=min_n)
    return out


def separated_categories(table: pd.DataFrame) -> list[str]:
    """Categories whose highest and lowest groups (among groups with enough articles, and
    known periods) have non-overlapping CIs."""
    known = table[table["group"] != UNKNOWN_PERIOD]
    return [str(c) for c, g in known.groupby("category", sort=False) if _separated(g)]


def rates_finding(table: pd.DataFrame, what: str) -> str:
    """Title for a rates-by-group chart: how many categories separate their extreme groups."""
    sep = separated_categories(table)
    n_cat = table["category"].nunique()
    if not sep:
        return f"Cue rates by {what}: no category separates its highest and lowest group (95% CI)"
    names = ", ".join(_short(c) for c in sep[:6]) + (" ..." if len(sep) > 6 else "")
    return (
        f"Cue rates by {what}: {len(sep)} of {n_cat} categories separate their highest and lowest "
        f"group (95% CIs do not overlap): {names}"
    )


def _group_levels(table: pd.DataFrame) -> list[str]:
    groups = list(dict.fromkeys(table["group"]))
    known = [g for g in RATING_ORDER if g in groups]
    return known + [g for g in groups if g not in known]


def plot_rates_by_group(table: pd.DataFrame, what: str, title: str | None = None):
    """Small multiples, one panel per category: mean rate per group with its 95% CI.

    Groups are rows of each panel (rating colours for left/center/right); thin groups
    (``caution``) are hollow; years are drawn in time order and ``unknown`` is left out with
    a note. Per-panel x axes (rates differ by an order of magnitude between categories).
    """
    use_style()
    cats = list(dict.fromkeys(table["category"]))
    levels = [g for g in _group_levels(table) if g != UNKNOWN_PERIOD]
    if table.attrs.get("by") == "year":
        levels = sorted(levels)
    ncol = 4 if len(cats) > 4 else len(cats)
    nrow = int(np.ceil(len(cats) / ncol))
    height = max(2.0, 0.22 * len(levels) + 1.1)
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(12, height * nrow + 0.9), sharey=True, squeeze=False
    )
    y_of = {g: i for i, g in enumerate(levels[::-1])}
    clipped = False
    for ax, cat in zip(axes.flat, cats, strict=False):
        d = table[(table["category"] == cat) & table["group"].isin(levels)]
        for _, r in d.iterrows():
            colour = RATING_COLORS.get(r["group"], OKABE_ITO[0])
            thin = bool(r["caution"])
            interval_point(
                ax,
                r["mean"],
                y_of[r["group"]],
                r["ci_low"],
                r["ci_high"],
                color=colour,
                hollow=thin,
                ms=4,
                capsize=2,
                lw=1.2,
            )
        ax.set_title(_short(cat), fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
        solid = d[~d["caution"].astype(bool)]
        # fit the solid groups' intervals and every group's point (thin whiskers may run off)
        top = max((solid if len(solid) else d)["ci_high"].max(), d["mean"].max())
        clipped |= bool(len(solid) and (d["ci_high"] > top).any())
        ax.set_xlim(0, 1.08 * top if np.isfinite(top) and top > 0 else 1)
        ax.grid(axis="y", alpha=0)
    for ax in axes.flat[len(cats) :]:
        ax.set_visible(False)
    ns = table.drop_duplicates("group").set_index("group")["n"]
    for ax in axes[:, 0]:
        ax.set_yticks(range(len(levels)))
        ax.set_yticklabels([f"{g} ({n_label(int(ns[g]))})" for g in levels[::-1]], fontsize=7)
    n_unknown = int(ns.get(UNKNOWN_PERIOD, 0))
    foot = "hits per 1,000 words (mean per article, 95% bootstrap CI; hollow: n < "
    foot += f"{table.attrs.get('min_n', 20)}; negated cues not counted)"
    if clipped:
        foot += "; axes fit the solid groups, hollow intervals may run off the panel"
    if n_unknown:
        foot += f"; {n_unknown:,} undated articles not shown"
    if table.attrs.get("by") == "subtopic":
        foot += "; an article counts in each of its subtopics"
    fig.supxlabel(foot, fontsize=8)
    finding_title(fig, _wrap(title or rates_finding(table, what), 120))
    return fig


# --------------------------------------------------------------------------- voice
def _voice_arrays(docs: pd.DataFrame, cat: str) -> dict[str, np.ndarray]:
    count = docs[f"{cat}.count"].to_numpy(dtype=float)
    rep = docs[f"{cat}.reporter_count"].to_numpy(dtype=float)
    words = docs["n_words"].to_numpy(dtype=float)
    rwords = docs["n_words_reporter"].to_numpy(dtype=float)
    return {"rc": rep, "rw": rwords, "qc": count - rep, "qw": words - rwords}


def _ratio(c, w, axis=-1):
    w_sum = np.sum(w, axis=axis)
    return np.where(
        w_sum > 0, 1000.0 * np.sum(c, axis=axis) / np.where(w_sum > 0, w_sum, 1), np.nan
    )


def _diff(rc, rw, qc, qw, axis=-1):
    return _ratio(qc, qw, axis) - _ratio(rc, rw, axis)


def voice_rates(
    docs: pd.DataFrame,
    categories: Sequence[str] = CHAPTER_CATEGORIES,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Pooled hits per 1,000 words in reporter prose and in quoted speech, per category.

    A category's rate in a voice is (hits in that voice) / (words in that voice) x 1,000 over
    all articles (negated cues not counted; words and hits of a voice come from the pipeline's
    ``n_words``, ``n_words_reporter``, ``<cat>.count`` and ``<cat>.reporter_count``). CIs: a
    percentile bootstrap over articles with ``scipy.stats.bootstrap`` (``paired=True``, the same
    resamples for both voices and the difference, because the rates are ratios of sums that no
    closed form covers). Rows: per category one ``reporter``, one ``quoted`` and one
    ``quoted - reporter`` row. Columns: ``category, label, group`` (= label), ``voice, mean``
    (the rate or difference), ``ci_low, ci_high, n`` (articles with words in that voice),
    ``hits, words``.
    """
    rows = []
    for cat in categories:
        if f"{cat}.count" not in docs.columns:
            continue
        arr = _voice_arrays(docs, cat)
        stats_spec = {
            "reporter": ((arr["rc"], arr["rw"]), _ratio),
            "quoted": ((arr["qc"], arr["qw"]), _ratio),
            "quoted - reporter": ((arr["rc"], arr["rw"], arr["qc"], arr["qw"]), _diff),
        }
        for voice, (data, fn) in stats_spec.items():
            point = float(fn(*data))
            lo = hi = np.nan
            if len(docs) > 1:
                res = stats.bootstrap(
                    data,
                    fn,
                    paired=True,
                    vectorized=True,
                    n_resamples=n_boot,
                    method="percentile",
                    rng=np.random.default_rng(seed),
                )
                lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
            key = "r" if voice == "reporter" else "q"
            words = arr["rw"] + arr["qw"] if voice == "quoted - reporter" else arr[key + "w"]
            hits = arr["rc"] + arr["qc"] if voice == "quoted - reporter" else arr[key + "c"]
            rows.append(
                {
                    "category": cat,
                    "label": _short(cat),
                    "group": _short(cat),
                    "voice": voice,
                    "mean": point,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": int((words > 0).sum()),
                    "hits": int(hits.sum()),
                    "words": int(words.sum()),
                }
            )
    out = pd.DataFrame(rows)
    out.attrs.update(n_boot=n_boot, seed=seed, n_articles=len(docs))
    return out


def voice_finding(table: pd.DataFrame) -> str:
    """How many categories are denser in quoted speech / in reporter prose (CI excludes 0)."""
    d = table[table["voice"] == "quoted - reporter"]
    more_q = d.loc[d["ci_low"] > 0, "label"].tolist()
    more_r = d.loc[d["ci_high"] < 0, "label"].tolist()
    verb = "is" if len(more_q) == 1 else "are"
    return (
        f"Of {len(d)} categories, {len(more_q)} {verb} denser in quoted speech"
        + (f" ({', '.join(more_q[:5])}{' ...' if len(more_q) > 5 else ''})" if more_q else "")
        + f" and {len(more_r)} in reporter prose"
        + (f" ({', '.join(more_r[:5])}{' ...' if len(more_r) > 5 else ''})" if more_r else "")
        + " (95% CI of the difference excludes 0)"
    )


def plot_voice_rates(table: pd.DataFrame, title: str | None = None):
    """Left: reporter vs quoted rate per category with CIs; right: the difference with its CI."""
    use_style()
    cats = list(dict.fromkeys(table["label"]))
    y = np.arange(len(cats))
    fig, (ax, axd) = plt.subplots(
        1, 2, figsize=(11, 0.38 * len(cats) + 1.8), sharey=True, width_ratios=[3, 2]
    )
    n_articles = table.attrs.get("n_articles")
    for j, voice in enumerate(("reporter", "quoted")):
        d = table[table["voice"] == voice].set_index("label").reindex(cats)
        words = int(d["words"].max()) if len(d) else 0
        interval_point(
            ax,
            d["mean"],
            y + (j - 0.5) * 0.3,
            d["ci_low"],
            d["ci_high"],
            color=VOICE_COLORS[voice],
            ms=4,
            capsize=2,
            label=f"{voice} ({words:,} words)",
        )
    ax.set_yticks(y, cats, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set_xlabel("hits per 1,000 words in that voice (pooled, 95% bootstrap CI)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="y", alpha=0)
    d = table[table["voice"] == "quoted - reporter"].set_index("label").reindex(cats)
    excl = (d["ci_low"] > 0) | (d["ci_high"] < 0)
    for yy, (_, r), e in zip(y, d.iterrows(), excl, strict=True):
        axd.errorbar(
            r["mean"],
            yy,
            xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]],
            fmt="o",
            ms=4,
            capsize=2,
            color=OKABE_ITO[3] if e else "#7F7F7F",
        )
    axd.axvline(0, color="black", lw=0.8)
    axd.set_xlabel("quoted minus reporter (per 1,000 words, 95% CI;\nvermillion: CI excludes 0)")
    axd.grid(axis="y", alpha=0)
    head = title or voice_finding(table)
    if n_articles:
        head += f"; {n_label(int(n_articles))} articles"
    fig.suptitle(_wrap(head, 110), x=0.01, ha="left", fontsize=10, fontweight="bold")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- classifier shares
def frame_prediction_table(articles: pd.DataFrame, model=None) -> pd.DataFrame:
    """The shipped classifier's frames for each article (title and body joined by a space, as
    in the training texts). Columns: ``doc_id``, ``frame_<x>`` (0/1), ``frame_<x>_prob``,
    ``status`` (see :func:`analysis.frame_classifier.predict_frames`)."""
    from .frame_classifier import predict_frames

    titles = (
        articles["title"] if "title" in articles.columns else pd.Series("", index=articles.index)
    )
    texts = [
        " ".join(p for p in (t, x) if isinstance(p, str) and p.strip())
        for t, x in zip(titles.tolist(), articles["text"].tolist(), strict=True)
    ]
    return predict_frames(texts, model=model, doc_ids=articles["doc_id"].tolist())


def frame_shares_by_group(
    predictions: pd.DataFrame,
    meta: pd.DataFrame,
    by: str | None,
    n_boot: int = 2000,
    seed: int = 0,
    min_n: int = 20,
) -> pd.DataFrame:
    """Share of articles predicted to carry each frame, per group, with bootstrap 95% CIs
    (the mean of the 0/1 label, :func:`analysis.compare.bootstrap_mean_table`).

    ``meta`` supplies ``doc_id`` and the ``by`` column (``None``: one group, ``"all
    articles"``); articles with an empty text (label NA) are left out. Columns: ``frame, group,
    n, mean, ci_low, ci_high, caution`` and the ``by`` column.
    """
    frames = [c for c in predictions.columns if c.startswith("frame_") and not c.endswith("_prob")]
    data = predictions.copy()
    for c in frames:
        data[c] = data[c].astype("Float64").astype(float)
    if by is not None:
        data = data.merge(meta[["doc_id", by]], on="doc_id", how="left")
    else:
        data["_all"] = ALL_GROUP
    by_col = by if by is not None else "_all"
    table = bootstrap_mean_table(data, frames, by_col, n_boot=n_boot, seed=seed, min_n=min_n)
    out = table.drop(columns=["score"] + (["_all"] if by is None else []))
    out.insert(0, "frame", table["score"].str.removeprefix("frame_"))
    out.attrs.update(by=by, n_boot=n_boot, seed=seed, min_n=min_n)
    return out


def plot_frame_shares(table: pd.DataFrame, title: str | None = None):
    """Share of articles per frame, one dot per group (rating colours) with 95% CIs."""
    use_style()
    frames = list(dict.fromkeys(table["frame"]))
    levels = _group_levels(table)
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(frames) * max(1, len(levels) / 2) + 1.8))
    width = 0.7 / max(len(levels), 1)
    y = np.arange(len(frames))
    for j, g in enumerate(levels):
        d = table[table["group"] == g].set_index("frame").reindex(frames)
        colour = RATING_COLORS.get(g, OKABE_ITO[j % len(OKABE_ITO)])
        n = int(d["n"].max())
        ax.errorbar(
            100 * d["mean"],
            y - 0.35 + width * (j + 0.5),
            xerr=[100 * (d["mean"] - d["ci_low"]), 100 * (d["ci_high"] - d["mean"])],
            fmt="o",
            ms=5,
            capsize=3,
            color=colour,
            label=f"{g} ({n_label(n)})",
        )
    ax.set_yticks(y, [f.replace("_", " ") for f in frames])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("articles the classifier assigns the frame (%, 95% bootstrap CI)")
    ax.legend(fontsize=8, loc="best")
    ax.grid(axis="y", alpha=0)
    if title is None:
        sep = [f for f in frames if _separated(table[table["frame"] == f])]
        pooled = (table["mean"] * table["n"]).groupby(table["frame"]).sum() / table.groupby(
            "frame"
        )["n"].sum()
        best = pooled.idxmax()
        title = (
            f"Most often predicted frame: {str(best).replace('_', ' ')} "
            f"({pooled[best]:.0%} of articles)"
        )
        if len(levels) > 1:
            title += f"; groups differ (95% CIs do not overlap) on {len(sep)} of {len(frames)}"
            title += f" frames{': ' + ', '.join(sep) if sep else ''}"
    fig.suptitle(_wrap(title, 100), x=0.01, ha="left", fontsize=10, fontweight="bold")
    fig.tight_layout()
    return fig


def _separated(g: pd.DataFrame) -> bool:
    g = g[~g["caution"].astype(bool)]
    if len(g) < 2:
        return False
    return bool(g["mean"].idxmax() != g["mean"].idxmin()) and bool(
        g.loc[g["mean"].idxmax(), "ci_low"] > g.loc[g["mean"].idxmin(), "ci_high"]
    )


def rate_differences(
    docs: pd.DataFrame,
    by: str,
    categories: Sequence[str] = CHAPTER_CATEGORIES,
    value: str = "rate",
    n_boot: int = 2000,
    seed: int = 0,
    min_n: int = 20,
) -> pd.DataFrame:
    """Pairwise differences in mean ``<category>.<value>`` between the groups of ``by``
    (:func:`analysis.compare.group_differences`: bootstrap CI, Cohen's d, Mann-Whitney U), for
    every category, with Holm's adjustment redone over *all* rows of the table (every category
    and pair is one test). Columns: ``category, label`` then those of ``group_differences``."""
    from .compare import group_differences, holm_adjust

    parts = []
    for cat in categories:
        col = f"{cat}.{value}"
        if col not in docs.columns:
            continue
        d = group_differences(docs, col, by, n_boot=n_boot, seed=seed, min_n=min_n)
        parts.append(d.assign(category=cat, label=_short(cat)))
    if not parts:
        return pd.DataFrame(columns=["category", "label", "group_a", "group_b", "diff"])
    out = pd.concat(parts, ignore_index=True)
    out["mw_p_holm"] = holm_adjust(out["mw_p"].to_numpy())
    lead = ["category", "label"]
    return out[lead + [c for c in out.columns if c not in lead]]
