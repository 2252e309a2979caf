"""Precision of the tech-policy selection rules, measured on a hand-judged sample.

Two samples ship in ``data/selection/``: ``relevance_sample_v1.csv`` (rules techpolicy-1.0,
:data:`SAMPLE_SEED`, the historical record) and ``relevance_sample_v2.csv`` (rules
techpolicy-1.1, :data:`SAMPLE_SEED_V2`, drawn excluding every v1 article). Each (drawn by
:func:`relevance_sample_frame`) holds 100 random ``in_study`` articles ("selected") and 50 random
not-in-study articles ("rejected") from the pool, each judged by reading the title and the first
paragraphs. :func:`selection_precision` turns the judgements into precision (selected sample,
overall and per subtopic) and the share of relevant stories among rejected articles (what the
rules miss), each with a Wilson 95% interval; :func:`pool_recall_estimate` combines the two.

Proposed rule changes are scored on the same judgements with :func:`proposed_subtopic_tags`
(what-if tagging: the study's rules with some keys overridden) and :func:`rule_change_effect`.
That check is in-sample and therefore optimistic: a rule change needs a freshly drawn and judged
sample (as v2 was for techpolicy-1.1). Site-boilerplate stripping lives in
:mod:`analysis.selection` (re-exported here as ``text_without_site_boilerplate``).

The Wilson interval comes from ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``
(scipy is already a dependency; statsmodels is not), tested against a hand-computed case.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
from scipy.stats import binomtest

from . import paths
from .selection import selection_rules, tag_subtopics
from .selection import text_without_site_boilerplate as text_without_site_boilerplate  # re-export

SAMPLE_FILE = "relevance_sample_v1.csv"  # v1: rules techpolicy-1.0 (historical record)
SAMPLE_SEED = 20261126
SAMPLE_FILE_V2 = "relevance_sample_v2.csv"  # v2: rules techpolicy-1.1, fresh articles
SAMPLE_SEED_V2 = 20261127
N_SELECTED = 100
N_REJECTED = 50
JUDGEMENTS = ("relevant", "not_relevant", "unclear")
SAMPLE_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "sample",
    "outlet",
    "bias_text",
    "date_raw",
    "title",
    "subtopics",
    "judgement",
    "reason",
    "judged_by",
    "selection_version",
)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval (no continuity correction) for ``k`` successes in ``n`` trials,
    from ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``; ``(nan, nan)`` when
    ``n == 0``."""
    if n <= 0:
        return (math.nan, math.nan)
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))


def relevance_sample_frame(
    tagged: pd.DataFrame,
    seed: int = SAMPLE_SEED,
    n_selected: int = N_SELECTED,
    n_rejected: int = N_REJECTED,
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    """The articles of the relevance sample (judgement columns empty), drawn from the output of
    :func:`analysis.selection.tag_subtopics`.

    Rows whose ``doc_id`` is in ``exclude`` (e.g. every article of an earlier sample, so a new
    sample holds only articles nobody has judged) are dropped first. Rows are sorted by
    ``doc_id`` before ``DataFrame.sample(random_state=seed)`` so the draw depends only on the
    corpus content and the seed, not on load order. ``bias_text`` is the outlet rating (taken
    from ``rating`` when the corpus names it so).
    """
    base = tagged[~tagged["doc_id"].isin(set(exclude))]
    base = base.sort_values("doc_id", kind="stable").reset_index(drop=True)
    if "bias_text" not in base.columns:
        # the manifest may map the source's bias_text to the schema's ``rating`` column
        base["bias_text"] = base["rating"] if "rating" in base.columns else ""
    sel = base[base["in_study"]].sample(n=n_selected, random_state=seed)
    rej = base[~base["in_study"]].sample(n=n_rejected, random_state=seed)
    parts = []
    for name, df in (("selected", sel), ("rejected", rej)):
        part = df[
            ["doc_id", "outlet", "bias_text", "date_raw", "title", "subtopics", "selection_version"]
        ].copy()
        part.insert(1, "sample", name)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    for col in ("judgement", "reason", "judged_by"):
        out[col] = ""
    return out[list(SAMPLE_COLUMNS)]


def load_relevance_sample(file_name: str = SAMPLE_FILE) -> pd.DataFrame:
    """The hand-judged relevance sample from ``analysis.paths.SELECTION_DIR``, with checks:
    all columns present, ``sample`` in {selected, rejected}, every ``judgement`` one of
    :data:`JUDGEMENTS`, no duplicate ``doc_id``. Raises ``ValueError`` naming the problem."""
    p = paths.SELECTION_DIR / file_name
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in SAMPLE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{p}: missing columns {missing}")
    bad_sample = sorted(set(df["sample"]) - {"selected", "rejected"})
    if bad_sample:
        raise ValueError(f"{p}: unknown sample values {bad_sample}")
    bad_j = df.loc[~df["judgement"].isin(JUDGEMENTS), "doc_id"].tolist()
    if bad_j:
        raise ValueError(f"{p}: missing or unknown judgement for doc_id {bad_j[:10]}")
    dup = df.loc[df["doc_id"].duplicated(), "doc_id"].tolist()
    if dup:
        raise ValueError(f"{p}: duplicate doc_id {dup[:10]}")
    return df


def _row(sample: str, measure: str, subtopic: str, judgements: pd.Series) -> dict:
    n_rel = int((judgements == "relevant").sum())
    n_not = int((judgements == "not_relevant").sum())
    n_unc = int((judgements == "unclear").sum())
    n = n_rel + n_not
    n_all = n + n_unc
    lo, hi = wilson_interval(n_rel, n)
    return {
        "sample": sample,
        "measure": measure,
        "subtopic": subtopic,
        "n_articles": len(judgements),
        "n_judged": n,
        "n_relevant": n_rel,
        "n_not_relevant": n_not,
        "n_unclear": n_unc,
        "share_relevant": n_rel / n if n else math.nan,
        "ci_low": lo,
        "ci_high": hi,
        # bounds for the unclear cases: all counted not relevant / all counted relevant
        "share_if_unclear_not": n_rel / n_all if n_all else math.nan,
        "share_if_unclear_relevant": (n_rel + n_unc) / n_all if n_all else math.nan,
    }


def selection_precision(sample_df: pd.DataFrame) -> pd.DataFrame:
    """Precision of the selection, with Wilson 95% intervals.

    Rows: ``precision`` for the selected sample overall (``subtopic == "all"``) and per subtopic
    (an article counts once for each of its subtopics, so per-subtopic ``n_articles`` add up to
    more than the sample), then ``missed_relevant_share`` for the rejected sample (the share of
    not-selected pool articles that are relevant: what the rules miss). ``share_relevant`` is
    relevant / (relevant + not_relevant); ``unclear`` articles are excluded from it and counted in
    ``n_unclear``; ``share_if_unclear_not`` / ``share_if_unclear_relevant`` give the two bounds
    when every unclear article is counted one way or the other.
    """
    rows = []
    sel = sample_df[sample_df["sample"] == "selected"]
    rows.append(_row("selected", "precision", "all", sel["judgement"]))
    long = sel.assign(subtopic=sel["subtopics"].fillna("").str.split(";")).explode("subtopic")
    long = long[long["subtopic"] != ""]
    for sub, grp in sorted(long.groupby("subtopic"), key=lambda kv: -len(kv[1])):
        rows.append(_row("selected", "precision", str(sub), grp["judgement"]))
    rej = sample_df[sample_df["sample"] == "rejected"]
    rows.append(_row("rejected", "missed_relevant_share", "all", rej["judgement"]))
    return pd.DataFrame(rows)


def recoded_judgements(sample_df: pd.DataFrame, reason_prefix: str, judgement: str) -> pd.DataFrame:
    """``sample_df`` with every judgement whose ``reason`` starts with ``reason_prefix`` set to
    ``judgement``: a sensitivity check for a scope decision (e.g. ``"P3 scope"``, the stories on
    surveillance of the Trump campaign that the v2 judge coded by the scope rule of
    techpolicy-1.1), to be passed to :func:`selection_precision`."""
    if judgement not in JUDGEMENTS:
        raise ValueError(f"judgement must be one of {JUDGEMENTS}, not {judgement!r}")
    hit = sample_df["reason"].fillna("").str.startswith(reason_prefix)
    return sample_df.assign(judgement=sample_df["judgement"].where(~hit, judgement))


# ----------------------------------------------------------------------------- rule what-ifs
def proposed_subtopic_tags(
    articles: pd.DataFrame, name: str = "techpolicy", **overrides
) -> pd.DataFrame:
    """What-if tagging for proposed rule changes, to be scored with :func:`rule_change_effect`.

    Runs :func:`analysis.selection.tag_subtopics` with the rules ``name`` updated by
    ``overrides`` (rule-file keys, e.g. ``strip_boilerplate=False``, ``lead_chars=1500`` or
    ``lead_chars=None`` to switch the lead window off, ``subtopics={...}``), so a what-if uses the
    same engine as the study's selection. Returns ``doc_id``, ``subtopics``, one ``sub_<x>``
    column per subtopic and ``in_study``. This is an evaluation helper, not the study's
    selection; a what-if measured on a judged sample is in-sample (see :func:`rule_change_effect`).
    """
    rules = {**selection_rules(name), **overrides}
    tagged = tag_subtopics(articles, rules)
    sub_cols = [f"sub_{s}" for s in rules["subtopics"]]
    return tagged[["doc_id", "subtopics", *sub_cols, "in_study"]]


def rule_change_effect(sample_df: pd.DataFrame, new_tags: pd.DataFrame) -> pd.DataFrame:
    """How a proposed tagging (``doc_id, in_study``, e.g. from :func:`proposed_subtopic_tags`)
    changes the judged sample: one row per sample and judgement with how many articles the new
    rules keep in the study and drop, plus precision among the kept selected articles (Wilson
    95% interval, unclear excluded).

    The sample was drawn under the current rules, so this is an in-sample check of a proposal
    designed after reading it: it is optimistic, and a changed rule needs a fresh sample.
    """
    flag = new_tags.set_index("doc_id")["in_study"]
    missing = sorted(set(sample_df["doc_id"]) - set(flag.index))
    if missing:
        raise ValueError(f"doc_ids not in new_tags: {missing[:10]}")
    df = sample_df.assign(new_in_study=sample_df["doc_id"].map(flag).astype(bool))
    rows = []
    for (sample, judgement), grp in df.groupby(["sample", "judgement"], sort=True):
        rows.append(
            {
                "sample": sample,
                "judgement": judgement,
                "n_articles": len(grp),
                "n_in_study_new": int(grp["new_in_study"].sum()),
                "n_out_of_study_new": int((~grp["new_in_study"]).sum()),
            }
        )
    out = pd.DataFrame(rows)
    kept = df[(df["sample"] == "selected") & df["new_in_study"]]
    k = int((kept["judgement"] == "relevant").sum())
    n = int(kept["judgement"].isin(["relevant", "not_relevant"]).sum())
    lo, hi = wilson_interval(k, n)
    out["precision_kept"] = k / n if n else math.nan
    out["precision_kept_ci_low"] = lo
    out["precision_kept_ci_high"] = hi
    return out


def pool_recall_estimate(
    sample_df: pd.DataFrame, n_in_study: int, n_not_in_study: int
) -> pd.DataFrame:
    """Share of the pool's relevant articles that the rules select, from the two samples
    (one-row table).

    relevant in study ~ ``n_in_study`` x precision; relevant missed ~ ``n_not_in_study`` x the
    rejected sample's relevant share; recall = in / (in + missed). ``recall_low`` /
    ``recall_high`` combine the ends of the two Wilson intervals (a conservative range, not a
    confidence interval). Only misses inside the candidate pool are measured: stories the
    upstream pool rule never caught are out of reach of this sample.
    """
    res = selection_precision(sample_df).set_index(["sample", "subtopic"])
    p = res.loc[("selected", "all")]
    m = res.loc[("rejected", "all")]

    def recall(prec: float, miss: float) -> float:
        hit = n_in_study * prec
        return hit / (hit + n_not_in_study * miss)

    row = {
        "n_in_study": n_in_study,
        "n_not_in_study": n_not_in_study,
        "est_relevant_in_study": float(n_in_study * p["share_relevant"]),
        "est_relevant_missed": float(n_not_in_study * m["share_relevant"]),
        "recall": float(recall(p["share_relevant"], m["share_relevant"])),
        "recall_low": float(recall(p["ci_low"], m["ci_high"])),
        "recall_high": float(recall(p["ci_high"], m["ci_low"])),
    }
    return pd.DataFrame([row])
