"""Tables behind the sentiment chapter (notebook 02): small pure functions over pipeline output.

Every function takes the tables of :func:`analysis.pipeline.score_corpus` (``.sentences``,
``.docs``, ``.actors``) or calls a validation function of the package, and returns the tidy
DataFrame the notebook shows, draws and saves as CSV. Nothing here reads files except through
those package functions.

* :func:`seed_sentence_table` / :func:`seed_word_table`: one article sentence by sentence, with
  voice, speaker, both scores and the lexicon words that moved each score
  (:func:`analysis.sentiment.explain_sentence`).
* :func:`nyt_validation_table`: agreement with the NYT raters per scorer. Untrained scorers are
  evaluated now; the trained ones either re-run their grouped cross-validation
  (``recompute=True``, about a minute) or report the grouped-CV numbers stored in the shipped
  model JSON (the ``source`` column says which). :func:`human_ceiling` is the mean single-rater
  agreement.
* :func:`eec_gap_table`: the EEC bias audit for several scorers in one long table.
* :func:`with_group`, :func:`voice_table`, :func:`voice_gap_table`: corpus sentiment by group
  and voice, with the seeded bootstrap of :func:`analysis.compare.bootstrap_mean_table`.
* :func:`actor_group_table`: actor-targeted sentiment per actor and group, one value per article.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .compare import bootstrap_mean_table, group_summary

ALL_GROUP = "all articles"
VOICES = ("reporter", "quoted")
MAIN_ACTORS = (
    "IBM",
    "Amazon",
    "Microsoft",
    "Google/Alphabet",
    "Facebook/Meta",
    "Apple",
    "police/law enforcement",
    "Congress",
    "FTC",
    "FCC",
    "NSA",
    "FBI",
    "civil liberties groups",
)
PAPER_VADER_R = 0.492  # Hutto & Gilbert (2014), Table 3: VADER vs NYT editorial snippets
EEC_TARGET = 0.005  # largest acceptable mean identity gap (compound units)


# --------------------------------------------------------------------------- seed article
def _fmt_words(words: list[dict], key: str) -> str:
    """``"racism -3.1; protests -0.9"``: the words with a non-zero valence under ``key``."""
    parts = [
        f"{w['word']} {w[key]:+.2f}"
        for w in sorted(words, key=lambda w: -abs(w[key] if np.isfinite(w[key]) else 0))
        if np.isfinite(w[key]) and abs(w[key]) > 0
    ]
    return "; ".join(parts)


def seed_sentence_table(sentences: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence: where it is, who speaks, both scores and why.

    ``sentences`` is a scored sentence table (``score_corpus(...).sentences``) of one or more
    articles. Columns: ``doc_id, sent_idx, part, voice, speaker, text, vader_compound,
    news_compound, vader_words`` (lexicon words with their valence after VADER's rules, largest
    first), ``news_words`` (the same after neutralisation), ``neutralised`` (words set to 0 and
    the reason), ``n_lexicon_words``.
    """
    from .sentiment import explain_sentence

    rows = []
    for r in sentences.sort_values(["doc_id", "sent_idx"]).itertuples(index=False):
        words = explain_sentence(r.text)
        neut = [f"{w['word']} ({w['reason']})" for w in words if w["neutralised"]]
        rows.append(
            {
                "doc_id": r.doc_id,
                "sent_idx": int(r.sent_idx),
                "part": r.part,
                "voice": r.voice,
                "speaker": r.speaker if isinstance(r.speaker, str) else "",
                "text": r.text,
                "vader_compound": float(r.vader_compound),
                "news_compound": float(r.news_compound),
                "vader_words": _fmt_words(words, "vader_valence"),
                "news_words": _fmt_words(words, "news_valence"),
                "neutralised": "; ".join(neut),
                "n_lexicon_words": len(words),
            }
        )
    return pd.DataFrame(rows)


def seed_word_table(sentences: pd.DataFrame) -> pd.DataFrame:
    """One row per lexicon word per sentence: :func:`analysis.sentiment.explain_sentence` output
    with ``doc_id, sent_idx, voice`` in front (the long form of :func:`seed_sentence_table`)."""
    from .sentiment import explain_sentence

    frames = []
    for r in sentences.sort_values(["doc_id", "sent_idx"]).itertuples(index=False):
        words = explain_sentence(r.text)
        if words:
            f = pd.DataFrame(words)
            f.insert(0, "voice", r.voice)
            f.insert(0, "sent_idx", int(r.sent_idx))
            f.insert(0, "doc_id", r.doc_id)
            frames.append(f)
    if not frames:
        return pd.DataFrame(columns=["doc_id", "sent_idx", "voice", "word"])
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- validation
def fisher_ci(r: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Confidence interval of a Pearson r by Fisher's z (the interval scipy reports)."""
    from scipy import stats

    z = np.arctanh(r)
    half = stats.norm.ppf(0.5 + level / 2) / np.sqrt(n - 3)
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def human_ceiling() -> dict[str, float]:
    """Mean single-rater agreement with the other 19 raters (r and 3-class macro F1)."""
    from .sentiment_validation import human_ceiling_nyt

    mean = human_ceiling_nyt().set_index("scorer").loc["mean"]
    return {
        "pearson_r": float(mean["pearson_r"]),
        "f1_macro_3class": float(mean["f1_macro_3class"]),
    }


def nyt_validation_table(recompute: bool = False) -> pd.DataFrame:
    """Agreement of every scorer with the NYT rater means, one row per scorer.

    ``vader`` and ``vader_neutralised`` need no training and are evaluated now
    (:func:`analysis.sentiment_validation.evaluate_nyt`). For ``news`` and ``news_context``,
    ``recompute=True`` re-runs the grouped 5-fold CV (by article); otherwise the grouped-CV
    figures stored in the shipped model JSON are used, with the r interval recomputed by Fisher's
    z from r and n. Columns: ``scorer, protocol, source, pearson_r, r_ci_low, r_ci_high,
    spearman_rho, f1_macro_3class, n``.
    """
    from .sentiment import load_news_model
    from .sentiment_validation import evaluate_nyt

    cols = ["scorer", "protocol", "pearson_r", "r_ci_low", "r_ci_high", "spearman_rho"]
    cols += ["f1_macro_3class", "n"]
    rows = []
    for m in ("vader", "vader_neutralised"):
        rows.append(evaluate_nyt(m)[cols].assign(source="computed now"))
    model = load_news_model() or {}
    for m in ("news", "news_context"):
        stored = model.get("cv", {}).get(m)
        if recompute or not stored:
            rows.append(evaluate_nyt(m)[cols].assign(source="grouped CV computed now"))
            continue
        lo, hi = fisher_ci(stored["pearson_r"], int(stored["n"]))
        rows.append(
            pd.DataFrame(
                [
                    {
                        "scorer": m,
                        "protocol": model["cv"].get("protocol", "grouped CV"),
                        "pearson_r": float(stored["pearson_r"]),
                        "r_ci_low": lo,
                        "r_ci_high": hi,
                        "spearman_rho": float(stored["spearman_rho"]),
                        "f1_macro_3class": float(stored["f1_macro_3class"]),
                        "n": int(stored["n"]),
                        "source": "stored CV (analysis/models/news_sentiment.json)",
                    }
                ]
            )
        )
    out = pd.concat(rows, ignore_index=True)
    return out[["scorer", "protocol", "source", *cols[2:]]]


def eec_gap_table(
    scorers: Sequence[str] = ("vader", "news"), n_boot: int = 2_000, seed: int = 0
) -> pd.DataFrame:
    """:func:`analysis.bias_audit.eec_gaps` for each scorer in one table, with ``pair`` (the
    comparison, readable) and ``within_target`` (the whole 95% CI inside +-``EEC_TARGET``)."""
    from .bias_audit import eec_gaps

    out = pd.concat([eec_gaps(s, n_boot=n_boot, seed=seed) for s in scorers], ignore_index=True)
    out["pair"] = (
        out["comparison"].str.replace("_", " ")
        + " ("
        + out["group_a"]
        + " - "
        + out["group_b"]
        + ", "
        + out["n_cells"].astype(str)
        + " cells)"
    )
    out["within_target"] = (out["ci_low"] >= -EEC_TARGET) & (out["ci_high"] <= EEC_TARGET)
    first = ["scorer", "pair", "gap", "ci_low", "ci_high", "within_target"]
    return out[first + [c for c in out.columns if c not in first]]


# --------------------------------------------------------------------------- corpus
def with_group(docs: pd.DataFrame, by: str = "rating") -> tuple[pd.DataFrame, str]:
    """``docs`` and the column to group by: ``by`` when it has values, else a constant
    ``corpus`` column holding ``"all articles"`` (for corpora without that metadata)."""
    if by in docs.columns and not docs[by].fillna("").astype(str).eq("").all():
        return docs, by
    constant = pd.Series(ALL_GROUP, index=docs.index, name="corpus")
    return pd.concat([docs, constant], axis=1), "corpus"


def voice_table(
    docs: pd.DataFrame,
    method: str = "news",
    by: str = "rating",
    n_boot: int = 2_000,
    seed: int = 0,
    min_n: int = 20,
) -> pd.DataFrame:
    """Mean reporter-voice and quoted-voice compound per group with bootstrap CIs (long form).

    Uses the per-article ``<method>_reporter_compound_mean`` and ``<method>_quoted_compound_mean``
    (body sentences only); an article counts in a voice when it has sentences in it, so ``n``
    differs between voices. Columns: ``group, voice, n, mean, median, sd, ci_low, ci_high,
    caution``.
    """
    data, col = with_group(docs, by)
    voice_of = {f"{method}_{voice}_compound_mean": voice for voice in VOICES}
    out = bootstrap_mean_table(data, list(voice_of), col, n_boot=n_boot, seed=seed, min_n=min_n)
    out["voice"] = out["score"].map(voice_of)
    cols = ["group", "voice", "n", "mean", "median", "sd", "ci_low", "ci_high", "caution"]
    return out[cols]


def voice_gap_table(
    docs: pd.DataFrame,
    method: str = "news",
    by: str = "rating",
    n_boot: int = 2_000,
    seed: int = 0,
    min_n: int = 20,
) -> pd.DataFrame:
    """Within-article difference quoted minus reporter compound per group, bootstrap CI.

    Only articles with sentences in both voices count (paired comparison, so outlet style and
    topic cancel). Columns as :func:`analysis.compare.group_summary` with ``group``.
    """
    data, col = with_group(docs, by)
    data = data.assign(
        voice_gap=data[f"{method}_quoted_compound_mean"] - data[f"{method}_reporter_compound_mean"]
    )
    return group_summary(data, "voice_gap", col, n_boot=n_boot, seed=seed, min_n=min_n)


def actor_group_table(
    actors: pd.DataFrame,
    docs: pd.DataFrame,
    by: str = "rating",
    names: Sequence[str] | None = MAIN_ACTORS,
    min_articles: int = 20,
    value: str = "mean_sentiment",
    n_boot: int = 2_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Actor-targeted sentiment per actor and group: mean over articles with a bootstrap CI.

    ``actors`` is ``score_corpus(...).actors`` (one row per article and actor; ``value`` is the
    article's mean P(positive) - P(negative) over that actor's mentions). Only actors in
    ``names`` (all when None) mentioned in at least ``min_articles`` articles are kept; cells
    below ``min_articles`` are flagged in ``caution``. Columns: ``actor, group, n, mean, median,
    sd, ci_low, ci_high, caution, n_articles_actor``; actors ordered by ``n_articles_actor``.
    """
    cols = ["actor", "group", "n", "mean", "median", "sd", "ci_low", "ci_high", "caution"]
    if actors is None or len(actors) == 0 or "actor" not in actors.columns:
        return pd.DataFrame(columns=[*cols, "n_articles_actor"])
    data, col = with_group(docs, by)
    a = actors if names is None else actors[actors["actor"].isin(list(names))]
    a = a.merge(data[["doc_id", col]], on="doc_id", how="inner")
    counts = a.groupby("actor")["doc_id"].nunique()
    keep = counts[counts >= min_articles]
    a = a[a["actor"].isin(keep.index)]
    if a.empty:
        return pd.DataFrame(columns=[*cols, "n_articles_actor"])
    s = group_summary(a, value, ["actor", col], n_boot=n_boot, seed=seed, min_n=min_articles)
    s = s.drop(columns=["group"]).rename(columns={col: "group"})
    s["n_articles_actor"] = s["actor"].map(keep).astype("int64")
    order = {k: i for i, k in enumerate(keep.sort_values(ascending=False, kind="stable").index)}
    s = s.sort_values("actor", key=lambda x: x.map(order), kind="stable").reset_index(drop=True)
    s.attrs["min_articles"] = min_articles
    return s[[*cols, "n_articles_actor"]]
