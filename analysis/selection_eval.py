"""Precision of the tech-policy selection rules, measured on a hand-judged sample.

The sample (``data/selection/relevance_sample_v1.csv``, drawn by :func:`relevance_sample_frame`
with :data:`SAMPLE_SEED`) holds 100 random ``in_study`` articles ("selected") and 50 random
not-in-study articles ("rejected") from the pool, each judged by reading the title and the first
paragraphs. :func:`selection_precision` turns the judgements into precision (selected sample,
overall and per subtopic) and the share of relevant stories among rejected articles (what the
rules miss), each with a Wilson 95% interval; :func:`pool_recall_estimate` combines the two.

Proposed rule changes are scored on the same judgements with :func:`proposed_subtopic_tags`
(what-if tagging: site boilerplate stripped, hits required in the lead) and
:func:`rule_change_effect`. That check is in-sample and therefore optimistic: a rule change
needs a freshly drawn and judged sample (``relevance_sample_v2.csv``).

The Wilson interval comes from ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``
(scipy is already a dependency; statsmodels is not), tested against a hand-computed case.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from . import paths
from .selection import selection_rules, subtopic_hits

SAMPLE_FILE = "relevance_sample_v1.csv"
SAMPLE_SEED = 20261126
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
) -> pd.DataFrame:
    """The articles of the relevance sample (judgement columns empty), drawn from the output of
    :func:`analysis.selection.tag_subtopics`.

    Rows are sorted by ``doc_id`` before ``DataFrame.sample(random_state=seed)`` so the draw
    depends only on the corpus content and the seed, not on load order. ``bias_text`` is the
    outlet rating (taken from ``rating`` when the corpus names it so).
    """
    base = tagged.sort_values("doc_id", kind="stable").reset_index(drop=True)
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


# ----------------------------------------------------------------------------- rule what-ifs
# The Hill renders each linked name as "<name><headline> <headline> ... MORE" (a related-stories
# block glued to the name, e.g. "Bill NelsonBottom Line ... regrets resigning MORE"). Those
# headlines ("Hillicon Valley: ... social media giants ... deepfakes") tag politics stories with
# tech subtopics. The block starts at a capitalised word glued to the next capitalised word and
# ends at " MORE" (not "READ MORE"); a span is at most 700 characters.
_HILL_LINK_BLOCK = re.compile(r"\b([A-Z][a-z]+)(?=[A-Z][a-z])[^\n]{1,700}?(?<![A-Z]) MORE\b")
# Newsletter sign-up lines whose "Privacy Policy" matches the privacy pattern.
_PRIVACY_BOILERPLATE = re.compile(
    r"(?:By signing up, )?you agree to our Privacy Policy[^\n]*"
    r"|This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service"
    r" apply\.?"
    r"|See our Privacy Policy for further details\."
    r"|You can read our Privacy Policy here\.",
    re.IGNORECASE,
)


def text_without_site_boilerplate(text: str) -> str:
    """``text`` with The Hill's related-story link blocks and newsletter privacy-policy lines
    removed (the name that carried a link block is kept)."""
    text = _HILL_LINK_BLOCK.sub(r"\1", text)
    return _PRIVACY_BOILERPLATE.sub("", text)


def proposed_subtopic_tags(
    articles: pd.DataFrame,
    name: str = "techpolicy",
    *,
    strip_boilerplate: bool = True,
    lead_chars: int | None = None,
    lead_exempt: tuple[str, ...] = (),
    lead_for_tech_topics: bool = False,
) -> pd.DataFrame:
    """What-if tagging for proposed rule changes, to be scored with :func:`rule_change_effect`.

    Same rules and thresholds as :func:`analysis.selection.tag_subtopics` (title hit, or at
    least ``min_body_hits`` body hits, one when the corpus topic is a tech topic), plus:

    * ``strip_boilerplate``: match on :func:`text_without_site_boilerplate` of the body;
    * ``lead_chars``: a body-only tag also needs one hit in the first ``lead_chars`` characters
      of the body (the story's lead), except for subtopics in ``lead_exempt`` and, unless
      ``lead_for_tech_topics``, for articles the corpus already files under a tech topic.

    Returns ``doc_id``, ``subtopics``, one ``sub_<x>`` column per subtopic and ``in_study``.
    This is an evaluation helper, not the study's selection (that is ``analysis.selection``).
    """
    rules = selection_rules(name)
    subs = list(rules["subtopics"])
    min_body = int(rules.get("min_body_hits", 2))
    by_sub = rules.get("min_body_hits_by_subtopic") or {}
    tcol = rules.get("topic_column")
    tech_topic = (
        articles[tcol].isin(rules.get("tech_topics") or []).to_numpy()
        if tcol and tcol in articles.columns
        else np.zeros(len(articles), dtype=bool)
    )
    frame = articles[["title", "text"]].copy()
    if strip_boilerplate:
        frame["text"] = frame["text"].fillna("").astype(str).map(text_without_site_boilerplate)
    hits = subtopic_hits(frame, name)
    lead = None
    if lead_chars is not None:
        lead_frame = frame.assign(text=frame["text"].fillna("").astype(str).str[:lead_chars])
        lead = subtopic_hits(lead_frame, name)
    out = pd.DataFrame({"doc_id": articles["doc_id"].to_numpy()}, index=articles.index)
    for sub in subs:
        need = np.where(tech_topic, 1, int(by_sub.get(sub, min_body)))
        body_ok = hits[f"{sub}_body"].to_numpy() >= need
        if lead is not None and sub not in lead_exempt:
            in_lead = lead[f"{sub}_body"].to_numpy() > 0
            body_ok &= in_lead if lead_for_tech_topics else (in_lead | tech_topic)
        out[f"sub_{sub}"] = (hits[f"{sub}_title"].to_numpy() > 0) | body_ok
    flags = out[[f"sub_{s}" for s in subs]].to_numpy()
    out["subtopics"] = [";".join(s for s, f in zip(subs, row, strict=True) if f) for row in flags]
    out["in_study"] = out["subtopics"] != ""
    return out


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
