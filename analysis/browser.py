"""Interactive article browser for JupyterLab, with a static fallback for headless runs.

An analyst picks an outlet rating, a subtopic and a period, sees the matching articles ranked by
a chosen score of the ``docs`` table (:func:`rank_articles`), and opens one highlighted with its
lexicon hits and sentence sentiment (:func:`analysis.explain.highlight_html`).

The pure parts (:func:`period_bounds`, :func:`rank_articles`, :func:`score_columns`,
:func:`filter_choices`, :func:`article_html`) are plain functions over DataFrames. The widget
wiring in :func:`article_browser` is thin: ipywidgets dropdowns and a year-range slider that call
:func:`rank_articles`. When no widget frontend can be assumed (no IPython kernel with comms, or
the environment variable ``CI`` or ``ANALYSIS_STATIC`` is set) it prints the top-N table for the
default selection and shows the first article highlighted instead. In a kernel, the widget is
displayed with that same static HTML as a fallback representation, so an executed notebook
opened without widget state still shows the table and the article.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

DEFAULT_SCORE = "vader_compound_mean"
ALL = "(all)"
TABLE_COLUMNS = ["rank", "doc_id", "date", "outlet", "rating", "title"]
STATIC_ENV_VARS = ("CI", "ANALYSIS_STATIC")


# --------------------------------------------------------------------------- pure helpers
def period_bounds(period: Any) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """``(first, last)`` timestamps of a period, or ``None`` for no period filter.

    ``period`` is ``None``; a single year/month/day (``2020``, ``"2020-06"``, ``"2020-06-10"``);
    or a ``(start, end)`` pair of those, both inclusive (``(2019, 2020)`` is 1 Jan 2019 to
    31 Dec 2020). A ``None`` end of a pair is open.
    """
    if period is None:
        return None
    if isinstance(period, (tuple, list)):
        if len(period) != 2:
            raise ValueError(f"period must be a value or a (start, end) pair, not {period!r}")
        start, end = period
    else:
        start = end = period
    lo = pd.Period(str(start)).start_time if start is not None else pd.Timestamp.min
    hi = pd.Period(str(end)).end_time if end is not None else pd.Timestamp.max
    if lo > hi:
        raise ValueError(f"period starts after it ends: {period!r}")
    return lo, hi


def _subtopic_mask(subtopics: pd.Series, subtopic: str) -> pd.Series:
    return (
        subtopics.fillna("")
        .astype(str)
        .str.split(";")
        .apply(lambda xs: subtopic in [x.strip() for x in xs])
    )


def rank_articles(
    docs: pd.DataFrame,
    rating: str | None = None,
    subtopic: str | None = None,
    period: Any = None,
    score: str = DEFAULT_SCORE,
    n: int | None = 20,
    ascending: bool = False,
) -> pd.DataFrame:
    """The articles of ``docs`` matching the filters, ranked by ``score`` (highest first unless
    ``ascending``), top ``n`` (all when ``n`` is None).

    Filters (``None`` or ``"(all)"`` means no filter): ``rating`` equals the outlet rating;
    ``subtopic`` is one of the article's ``;``-joined ``subtopics``; ``period`` as in
    :func:`period_bounds` (undated articles are dropped when a period is given). Articles whose
    score is missing are left out. Ties keep ``doc_id`` order. Columns: ``rank`` (1-based),
    ``doc_id``, ``date``, ``outlet``, ``rating``, ``title`` (those present) and ``score``.
    Raises ``KeyError`` for a filter or score column the table does not have.
    """
    if score not in docs.columns:
        raise KeyError(f"score column {score!r} not in the docs table")
    keep = pd.Series(True, index=docs.index)
    if rating not in (None, ALL):
        if "rating" not in docs.columns:
            raise KeyError("no 'rating' column to filter on")
        keep &= docs["rating"].astype(str).eq(str(rating))
    if subtopic not in (None, ALL):
        if "subtopics" not in docs.columns:
            raise KeyError("no 'subtopics' column to filter on")
        keep &= _subtopic_mask(docs["subtopics"], str(subtopic))
    bounds = period_bounds(period)
    if bounds is not None:
        if "date" not in docs.columns:
            raise KeyError("no 'date' column to filter on")
        d = pd.to_datetime(docs["date"], errors="coerce")
        keep &= d.between(*bounds).fillna(False)
    values = pd.to_numeric(docs[score], errors="coerce")
    keep &= np.isfinite(values.astype(float))
    out = docs.loc[keep].assign(_v=values[keep], _i=docs.loc[keep, "doc_id"].astype(str))
    out = out.sort_values(["_v", "_i"], ascending=[ascending, True], kind="stable")
    if n is not None:
        out = out.head(int(n))
    out = out.assign(rank=np.arange(1, len(out) + 1))
    cols = [c for c in TABLE_COLUMNS if c in out.columns and c != score]
    return out[[*cols, score]].reset_index(drop=True)


def score_columns(docs: pd.DataFrame) -> list[str]:
    """Numeric columns of ``docs`` an analyst can rank by: sentiment aggregates first, then
    lexicon rates (``<lexicon>.<category>.rate``), then the rest (counts last)."""
    numeric = [
        c
        for c in docs.columns
        if pd.api.types.is_numeric_dtype(docs[c]) and not c.endswith("_threshold")
    ]
    senti = [c for c in numeric if c.startswith(("vader_", "news_"))]
    rates = sorted(c for c in numeric if c.endswith(".rate"))
    rest = [c for c in numeric if c not in senti and c not in rates]
    return senti + rates + rest


def filter_choices(docs: pd.DataFrame) -> dict[str, Any]:
    """Options for the widgets: ``ratings`` (left-center-right first), ``subtopics`` (sorted),
    ``years`` (``(first, last)`` or ``None`` without dates)."""
    from .overview import rating_order

    ratings = rating_order(docs["rating"]) if "rating" in docs.columns else []
    subs: list[str] = []
    if "subtopics" in docs.columns:
        parts = docs["subtopics"].fillna("").astype(str).str.split(";").explode().str.strip()
        subs = sorted(s for s in parts.unique() if s)
    years = None
    if "date" in docs.columns:
        d = pd.to_datetime(docs["date"], errors="coerce").dropna()
        if len(d):
            years = (int(d.dt.year.min()), int(d.dt.year.max()))
    return {"ratings": ratings, "subtopics": subs, "years": years}


def article_html(articles: pd.DataFrame, scores: Any, doc_id: str, sentiment: str = "vader") -> str:
    """The article ``doc_id`` highlighted with its hits, sentences shaded by ``sentiment``
    (``"vader"`` or ``"news"`` compound); ``articles`` supplies ``title``/``text``."""
    from .explain import highlight_html

    row = articles.loc[articles["doc_id"] == doc_id]
    if row.empty:
        raise KeyError(f"doc_id {doc_id!r} not among the articles")
    sents = scores.sentences
    if len(sents):
        sents = sents[sents["doc_id"] == doc_id].assign(
            compound=lambda s: s[f"{sentiment}_compound"]
        )
    return highlight_html(row.iloc[0], scores.hits, sents)


# --------------------------------------------------------------------------- widget wiring
def frontend_available() -> bool:
    """True inside an IPython kernel that can open comms, unless ``CI`` or ``ANALYSIS_STATIC``
    is set in the environment."""
    if any(os.environ.get(v) for v in STATIC_ENV_VARS):
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def static_html(articles: pd.DataFrame, scores: Any, table: pd.DataFrame, score: str) -> str:
    """The ranked table as HTML followed by the first article highlighted."""
    head = f"<p>{len(table)} articles ranked by <code>{score}</code></p>"
    body = table.to_html(index=False, float_format=lambda x: f"{x:+.3f}", na_rep="")
    first = article_html(articles, scores, table["doc_id"].iloc[0]) if len(table) else ""
    return head + body + first


def article_browser(
    articles: pd.DataFrame,
    scores: Any,
    score: str = DEFAULT_SCORE,
    n: int = 10,
    interactive: bool | None = None,
):
    """Browse ``scores.docs`` by rating, subtopic and period, ranked by a score; open an article.

    ``interactive=None`` decides with :func:`frontend_available`. Headless, prints the top-``n``
    table of the default selection (everything, ranked by ``score``), displays the first article
    highlighted when IPython is present. Interactive, displays the widget box. Returns ``None``
    (so a notebook cell ending with the call shows nothing twice).
    """
    docs = scores.docs
    if score not in docs.columns:
        score = score_columns(docs)[0]
    interactive = frontend_available() if interactive is None else interactive
    table = rank_articles(docs, score=score, n=n)
    if not interactive:
        print(f"article browser (static): top {len(table)} by {score}, no filters")
        print(table.to_string(index=False, max_colwidth=70))
        if len(table):
            try:
                from IPython.display import HTML, display

                display(HTML(article_html(articles, scores, table["doc_id"].iloc[0])))
            except ImportError:
                pass
        return None
    _widget(articles, scores, score, n, static_html(articles, scores, table, score))
    return None


def _widget(articles: pd.DataFrame, scores: Any, score: str, n: int, fallback: str) -> None:
    import ipywidgets as w
    from IPython.display import HTML, display

    docs = scores.docs
    ch = filter_choices(docs)
    rating = w.Dropdown(options=[ALL, *ch["ratings"]], description="rating")
    subtopic = w.Dropdown(options=[ALL, *ch["subtopics"]], description="subtopic")
    by = w.Dropdown(options=score_columns(docs), value=score, description="rank by")
    order = w.ToggleButtons(options=["highest", "lowest"], description="first")
    top = w.IntSlider(value=n, min=5, max=100, step=5, description="top n")
    years = None
    if ch["years"]:
        lo, hi = ch["years"]
        years = w.IntRangeSlider(value=(lo, hi), min=lo, max=hi, description="years")
    pick = w.Dropdown(options=[], description="article")
    out_table, out_article = w.Output(), w.Output()

    def refresh(*_):
        period = tuple(years.value) if years is not None else None
        tab = rank_articles(
            docs, rating.value, subtopic.value, period, by.value, top.value,
            ascending=order.value == "lowest",
        )  # fmt: skip
        out_table.clear_output()
        with out_table:
            print(f"{len(tab)} articles")
            display(tab)
        pick.options = [(f"{r['rank']}. {str(r.get('title', ''))[:60]}", r["doc_id"])
                        for _, r in tab.iterrows()]  # fmt: skip

    def show(*_):
        out_article.clear_output()
        if pick.value is not None:
            with out_article:
                display(HTML(article_html(articles, scores, pick.value)))

    controls = [c for c in (rating, subtopic, years, by, order, top) if c is not None]
    for c in controls:
        c.observe(refresh, names="value")
    pick.observe(show, names="value")
    refresh()
    box = w.VBox([w.HBox(controls[:3]), w.HBox(controls[3:]), out_table, pick, out_article])
    bundle = box._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    display({**data, "text/html": fallback}, raw=True)
