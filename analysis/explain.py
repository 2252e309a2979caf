"""Explanations of lexicon hits: keyword-in-context tables, coding sheets, coded precision and
article highlighting.

* :func:`kwic` -- one row per hit with its left and right context (CSV-ready).
* :func:`coding_sample` -- a stratified, seeded sample of KWIC rows with an empty ``judgement``
  column for human coders.
* :func:`coded_precision` -- reads a coded sheet back: precision per category with Wilson 95%
  intervals and, with two coders, Krippendorff's alpha (``krippendorff`` package).
* :func:`highlight_html` / :func:`display_article` -- the article with its cues marked by
  category (Okabe-Ito colours, colour-blind safe), a legend, hover titles, negated hits struck
  through and, when the sentence table has a ``compound`` column, sentence sentiment shading.
  Every piece of article text goes through :func:`html.escape`.

Judgements: a coder writes 1 (the cue does signal the category here) or 0 (misfire). ``yes``,
``y``, ``true``, ``correct``, ``tp`` count as 1; ``no``, ``n``, ``false``, ``wrong``, ``fp`` as
0; anything else (blank, "?", "unsure") is left out of precision and reported as ``n_uncoded``.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .plots import OKABE_ITO

KWIC_COLUMNS = (
    "doc_id",
    "sent_idx",
    "part",
    "lexicon",
    "category",
    "cue",
    "left",
    "matched",
    "right",
    "voice",
    "negated",
    "start",
    "end",
)
_META_COLUMNS = ("outlet", "source", "bias_text", "bias", "rating", "date")
_YES = {"1", "1.0", "yes", "y", "true", "t", "correct", "tp", "x"}
_NO = {"0", "0.0", "no", "n", "false", "f", "wrong", "fp"}


def _article_lookup(articles: pd.DataFrame) -> tuple[dict, dict]:
    arts = articles.drop_duplicates("doc_id")
    ids = arts["doc_id"].tolist()
    titles = arts["title"].tolist() if "title" in arts.columns else [""] * len(arts)
    texts = arts["text"].tolist()
    lookup = {
        (d, "title"): (t if isinstance(t, str) else "") for d, t in zip(ids, titles, strict=True)
    }
    lookup.update(
        {(d, "body"): (t if isinstance(t, str) else "") for d, t in zip(ids, texts, strict=True)}
    )
    meta = {}
    for col in _META_COLUMNS:
        if col in arts.columns:
            meta[col] = dict(zip(ids, arts[col].tolist(), strict=True))
    return lookup, meta


def _one_line(s: str) -> str:
    return " ".join(s.split())


def kwic(
    hits: pd.DataFrame,
    articles: pd.DataFrame,
    window: int = 60,
    category: str | list[str] | None = None,
    cue: str | list[str] | None = None,
) -> pd.DataFrame:
    """Keyword in context: one row per hit with ``window`` characters of context each side.

    Columns: ``doc_id, sent_idx, part, lexicon, category, cue, left, matched, right, voice,
    negated, start, end`` plus the article metadata columns present among ``outlet``,
    ``source``, ``bias_text``, ``bias``, ``rating``, ``date``. Context is cut at the article's
    own boundaries and line breaks are shown as spaces. ``category`` / ``cue`` filter hits (a
    name or a list; categories may be written ``lexicon.category``). Write it out with
    ``df.to_csv(path, index=False)``.
    """
    h = hits
    if category is not None:
        cats = [category] if isinstance(category, str) else list(category)
        full = h["lexicon"].astype(str) + "." + h["category"].astype(str)
        h = h[h["category"].isin(cats) | full.isin(cats)]
    if cue is not None:
        cues = [cue] if isinstance(cue, str) else list(cue)
        h = h[h["cue"].isin(cues)]
    lookup, meta = _article_lookup(articles)
    lefts, rights, matched = [], [], []
    for doc, part, s, e in zip(
        h["doc_id"].tolist(),
        h["part"].tolist(),
        h["start"].tolist(),
        h["end"].tolist(),
        strict=True,
    ):
        text = lookup.get((doc, part), "")
        lefts.append(_one_line(text[max(0, s - window) : s]))
        matched.append(text[s:e] if text else "")
        rights.append(_one_line(text[e : e + window]))
    out = pd.DataFrame(
        {
            "doc_id": h["doc_id"].to_numpy(),
            "sent_idx": h["sent_idx"].to_numpy(),
            "part": h["part"].to_numpy(),
            "lexicon": h["lexicon"].to_numpy(),
            "category": h["category"].to_numpy(),
            "cue": h["cue"].to_numpy(),
            "left": lefts,
            "matched": [m or hm for m, hm in zip(matched, h["matched"].tolist(), strict=True)],
            "right": rights,
            "voice": h["voice"].to_numpy(),
            "negated": h["negated"].to_numpy(dtype=bool),
            "start": h["start"].to_numpy(),
            "end": h["end"].to_numpy(),
        }
    )
    for col, values in meta.items():
        out[col] = [values.get(d) for d in out["doc_id"]]
    return out.reset_index(drop=True)


def coding_sample(
    kwic_df: pd.DataFrame,
    per_stratum: int = 10,
    strata: tuple[str, ...] | list[str] = ("category", "bias_text"),
    seed: int = 0,
) -> pd.DataFrame:
    """A stratified random sample of KWIC rows for manual coding.

    Up to ``per_stratum`` rows from each combination of ``strata`` (columns missing from
    ``kwic_df`` are skipped; all rows when a stratum is smaller), drawn with ``seed`` so the
    sheet can be regenerated. Adds ``item`` (1..n), an empty ``judgement`` column and an empty
    ``comment`` column; rows are shuffled so coders do not see strata in blocks.
    """
    cols = [c for c in strata if c in kwic_df.columns]
    rng = np.random.default_rng(seed)
    if cols:
        parts = []
        for _key, g in kwic_df.groupby(cols, sort=True, dropna=False):
            take = min(per_stratum, len(g))
            parts.append(g.iloc[np.sort(rng.choice(len(g), size=take, replace=False))])
        sample = pd.concat(parts) if parts else kwic_df.iloc[0:0]
    else:
        take = min(per_stratum, len(kwic_df))
        sample = kwic_df.iloc[np.sort(rng.choice(len(kwic_df), size=take, replace=False))]
    sample = sample.iloc[rng.permutation(len(sample))].reset_index(drop=True)
    sample.insert(0, "item", np.arange(1, len(sample) + 1))
    sample["judgement"] = ""
    sample["comment"] = ""
    return sample


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (95% by default); (nan, nan) if n == 0."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def _judgement_values(col: pd.Series) -> pd.Series:
    """Map judgements to 1.0 / 0.0 / NaN (see module docstring)."""

    def one(v: Any) -> float:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return math.nan
        s = str(v).strip().lower()
        if s in _YES:
            return 1.0
        if s in _NO:
            return 0.0
        return math.nan

    return col.map(one).astype(float)


def coded_precision(sheet: str | Path | pd.DataFrame, by: str = "category") -> pd.DataFrame:
    """Precision per ``by`` group from a coded sheet (a CSV path or a DataFrame).

    Judgements come from ``judgement`` (one coder), from ``coder_1``, ``coder_2`` ... (one
    column per coder) or from a long sheet with ``coder`` and ``judgement`` columns. With several
    coders, precision pools their judgements (each coded judgement counts once), so disagreement
    widens nothing but shows in alpha. Returns one row per group plus ``ALL``: ``n_coded``,
    ``n_correct``, ``precision``, ``ci_low``, ``ci_high`` (Wilson 95%), ``n_uncoded`` and, when two
    or more coders are present, ``alpha`` (Krippendorff's alpha, nominal, over the group's items)
    and ``n_coders``.
    """
    df = (
        pd.read_csv(sheet, dtype=str, keep_default_na=False)
        if not isinstance(sheet, pd.DataFrame)
        else sheet.copy()
    )
    if by not in df.columns:
        raise ValueError(f"coded sheet has no column {by!r}; columns: {list(df.columns)}")
    if "item" not in df.columns:
        df = df.assign(item=np.arange(1, len(df) + 1))
    # reliability data: rows = coders, columns = items
    if {"coder_1", "coder_2"} <= set(df.columns):
        coder_cols = sorted(c for c in df.columns if c.startswith("coder_"))
        long = pd.concat(
            [
                pd.DataFrame(
                    {"item": df["item"], by: df[by], "coder": c, "value": _judgement_values(df[c])}
                )
                for c in coder_cols
            ]
        )
    elif "coder" in df.columns:
        if "judgement" not in df.columns:
            raise ValueError("a sheet with a 'coder' column needs a 'judgement' column")
        long = pd.DataFrame(
            {
                "item": df["item"],
                by: df[by],
                "coder": df["coder"],
                "value": _judgement_values(df["judgement"]),
            }
        )
    elif "judgement" in df.columns:
        long = pd.DataFrame(
            {
                "item": df["item"],
                by: df[by],
                "coder": "coder",
                "value": _judgement_values(df["judgement"]),
            }
        )
    else:
        raise ValueError("coded sheet needs 'judgement', 'coder_1'/'coder_2' or 'coder' columns")
    n_coders = long["coder"].nunique()

    def summarise(g: pd.DataFrame, name: str) -> dict:
        coded = g["value"].dropna()
        n, k = int(len(coded)), int(coded.sum())
        lo, hi = wilson_interval(k, n)
        row = {
            by: name,
            "n_coded": n,
            "n_correct": k,
            "precision": k / n if n else math.nan,
            "ci_low": lo,
            "ci_high": hi,
            "n_uncoded": int(g["value"].isna().sum()),
        }
        if n_coders >= 2:
            row["alpha"] = _alpha(g)
            row["n_coders"] = n_coders
        return row

    rows = [summarise(g, name) for name, g in long.groupby(by, sort=True)]
    rows.append(summarise(long, "ALL"))
    return pd.DataFrame(rows)


def _alpha(long: pd.DataFrame) -> float:
    """Krippendorff's alpha (nominal) of coders x items; NaN when it is undefined."""
    import krippendorff

    mat = long.pivot_table(index="coder", columns="item", values="value", aggfunc="first")
    data = mat.to_numpy(dtype=float)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    values = data[:, pairable]
    if values.shape[1] == 0 or len(np.unique(values[~np.isnan(values)])) < 2:
        return math.nan  # no pairable items, or no variation: alpha is undefined
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


# --------------------------------------------------------------------------- highlighting


def category_colours(keys: list[str]) -> dict[str, str]:
    """Okabe-Ito colours for category keys, in order (cycled when there are more than 7)."""
    palette = [c for c in OKABE_ITO if c != "#000000"]
    return {k: palette[i % len(palette)] for i, k in enumerate(keys)}


def _sentiment_colour(compound: float) -> str:
    """Light blue for positive, light orange for negative sentences (Okabe-Ito hues)."""
    a = min(abs(float(compound)), 1.0) * 0.25
    if compound > 0.05:
        return f"rgba(0,114,178,{a:.2f})"
    if compound < -0.05:
        return f"rgba(230,159,0,{a:.2f})"
    return "transparent"


def _marks(text: str, lo: int, hi: int, spans: list[dict], colours: dict[str, str]) -> str:
    """Escaped HTML of ``text[lo:hi]`` with the display spans starting inside it marked."""
    out, pos = [], lo
    for sp in spans:
        if sp["start"] < lo or sp["start"] >= hi or sp["start"] < pos:
            continue
        end = min(sp["end"], hi)
        out.append(html.escape(text[pos : sp["start"]]))
        key0, _cue0, neg0 = sp["labels"][0]
        title = "; ".join(
            f"{k} — cue: {c}" + (" (negated)" if n else "") for k, c, n in sp["labels"]
        )
        colour = colours.get(key0, "#000000")
        style = f"border-bottom:3px solid {colour};background:{colour}22;"
        if neg0:
            style += "text-decoration:line-through;"
        out.append(
            f'<mark class="cue" style="{style}" title="{html.escape(title, quote=True)}">'
            f"{html.escape(text[sp['start'] : end])}</mark>"
        )
        pos = end
    out.append(html.escape(text[pos:hi]))
    return "".join(out)


def _mark_part(
    text: str,
    hits: pd.DataFrame,
    colours: dict[str, str],
    sentences: pd.DataFrame | None,
) -> str:
    """HTML of one part (title or body) with hits marked; all text escaped.

    Overlapping hits (different lexicons may mark the same words) are shown as one mark, the
    earliest and longest first; the other labels are listed in the mark's hover title.
    """
    spans: list[dict] = []
    for row in hits.sort_values(["start", "end"], ascending=[True, False]).itertuples():
        label = (f"{row.lexicon}.{row.category}", row.cue, bool(row.negated))
        if spans and row.start < spans[-1]["end"]:
            spans[-1]["labels"].append(label)
            continue
        spans.append({"start": int(row.start), "end": int(row.end), "labels": [label]})
    bounds: list[tuple[int, int, float]] = []
    if sentences is not None and "compound" in sentences.columns:
        for s in sentences.sort_values("start").itertuples():
            if not pd.isna(s.compound):
                bounds.append((int(s.start), int(s.end), float(s.compound)))
    out, pos = [], 0
    for a, b, comp in bounds:
        if a < pos:
            continue
        out.append(_marks(text, pos, a, spans, colours))
        out.append(
            f'<span class="sent" style="background:{_sentiment_colour(comp)}" '
            f'title="sentence sentiment (compound) {comp:+.2f}">'
            f"{_marks(text, a, b, spans, colours)}</span>"
        )
        pos = b
    out.append(_marks(text, pos, len(text), spans, colours))
    return "".join(out).replace("\n", "<br>\n")


def highlight_html(
    article_row: pd.Series | dict,
    hits: pd.DataFrame,
    sentences: pd.DataFrame | None = None,
) -> str:
    """The article as HTML with every hit marked by category.

    ``article_row`` has ``doc_id``, ``title``, ``text`` (and optionally ``outlet``,
    ``bias_text``). Hits of other articles are ignored. Each mark carries a hover title with the
    category key(s) and cue, negated hits are struck through, and a legend lists the categories
    present with their hit counts. If ``sentences`` has a ``compound`` column, sentences are
    shaded by sentiment (blue positive, orange negative). All article text is escaped.
    """
    row = dict(article_row)
    doc = row.get("doc_id")
    h = hits[hits["doc_id"] == doc] if len(hits) else hits
    keys = sorted((h["lexicon"].astype(str) + "." + h["category"].astype(str)).unique())
    colours = category_colours(keys)
    counts = (h["lexicon"].astype(str) + "." + h["category"].astype(str)).value_counts()
    sents = None
    if sentences is not None and len(sentences):
        sents = sentences[sentences["doc_id"] == doc]
    parts_html = []
    for part, tag in (("title", "h3"), ("body", "div")):
        text = row.get("title" if part == "title" else "text") or ""
        if not isinstance(text, str) or not text:
            continue
        ph = h[h["part"] == part]
        ps = sents[sents["part"] == part] if sents is not None else None
        parts_html.append(f'<{tag} class="{part}">{_mark_part(text, ph, colours, ps)}</{tag}>')
    legend = "".join(
        f'<span style="border-bottom:3px solid {colours[k]};background:{colours[k]}22;'
        f'margin-right:1em">{html.escape(k)} ({int(counts.get(k, 0))})</span>'
        for k in keys
    )

    def _shown(v: object) -> bool:  # missing values (None, "", NaN, NaT) are not printed
        return v is not None and not (isinstance(v, str) and not v) and not pd.isna(v)

    meta = " · ".join(
        html.escape(str(row.get(c)))
        for c in ("outlet", "rating", "bias_text", "date")
        if _shown(row.get(c))
    )
    n_neg = int(h["negated"].sum()) if len(h) else 0
    header = (
        f'<div class="meta">{html.escape(str(doc))}{" · " + meta if meta else ""} · '
        f"{len(h)} hits ({n_neg} negated, struck through)</div>"
    )
    legend_html = f'<div class="legend">{legend or "no hits"}</div>'
    if sents is not None and "compound" in sents.columns:
        legend_html += (
            '<div class="legend">sentence shading: '
            '<span style="background:rgba(0,114,178,0.25)">positive</span> '
            '<span style="background:rgba(230,159,0,0.25)">negative</span></div>'
        )
    return (
        '<div class="framing-article" style="font-family:sans-serif;line-height:1.6">'
        + header
        + legend_html
        + "".join(parts_html)
        + "</div>"
    )


def display_article(
    article_row: pd.Series | dict,
    hits: pd.DataFrame,
    sentences: pd.DataFrame | None = None,
):
    """:func:`highlight_html` wrapped in an ``IPython.display.HTML`` object for notebooks."""
    from IPython.display import HTML

    return HTML(highlight_html(article_row, hits, sentences))


def cue_counts(hits: pd.DataFrame) -> pd.DataFrame:
    """Which cues drive each category: one row per (lexicon, category, cue) with ``n_hits``,
    ``n_docs``, ``share_quoted`` and ``share_negated``, most frequent first. Use it to pick the
    cues to check with :func:`kwic` before trusting a category's rates."""
    cols = ["lexicon", "category", "cue", "n_hits", "n_docs", "share_quoted", "share_negated"]
    if not len(hits):
        return pd.DataFrame(columns=cols)
    g = hits.assign(
        _q=(hits["voice"] == "quoted").astype(float), _n=hits["negated"].astype(float)
    ).groupby(["lexicon", "category", "cue"], sort=False)
    out = pd.DataFrame(
        {
            "n_hits": g.size(),
            "n_docs": g["doc_id"].nunique(),
            "share_quoted": g["_q"].mean(),
            "share_negated": g["_n"].mean(),
        }
    ).reset_index()
    return out.sort_values(
        ["n_hits", "lexicon", "category", "cue"], ascending=[False, True, True, True]
    ).reset_index(drop=True)[cols]


def explain_text(text: str, lexicons: Any = None, title: str = "") -> dict:
    """Everything the toolkit sees in one text, as plain data (for the CLI and quick checks).

    Returns ``{"sentences": [...], "hits": [...]}``: one dict per sentence (``sent_idx, part,
    start, end, text, voice, speaker, compound``; ``compound`` from
    :func:`analysis.sentiment.sentence_sentiment` with its default method) and one dict per
    lexicon hit (the :data:`analysis.framing.HIT_COLUMNS`).
    """
    from .framing import frame_hits
    from .sentiment import sentence_sentiment
    from .text import sentence_table

    arts = pd.DataFrame({"doc_id": ["text"], "title": [title or ""], "text": [text or ""]})
    sents = sentence_table(arts)
    hits = frame_hits(sents, lexicons, articles=arts)
    scored = sentence_sentiment(sents) if len(sents) else sents.assign(compound=[])
    cols = ["sent_idx", "part", "start", "end", "text", "voice", "speaker", "compound"]
    sentences = [
        {k: (None if pd.isna(v) else v) if not isinstance(v, str) else v for k, v in r.items()}
        for r in scored[cols].to_dict("records")
    ]
    return {"sentences": sentences, "hits": hits.to_dict("records")}
