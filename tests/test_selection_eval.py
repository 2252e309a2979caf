"""Tests for analysis.selection_eval: the hand-judged relevance sample and its arithmetic.

The sample tests run on the shipped corpus and the shipped sample CSV: if a rule change moves any
sampled article in or out of the study, these tests fail and the sample must be redrawn and
re-judged (the sample is tied to ``selection_version``).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import paths
from analysis.corpus import load_corpus
from analysis.selection import tag_subtopics
from analysis.selection_eval import (
    JUDGEMENTS,
    N_REJECTED,
    N_SELECTED,
    SAMPLE_FILE,
    SAMPLE_SEED,
    load_relevance_sample,
    pool_recall_estimate,
    proposed_subtopic_tags,
    relevance_sample_frame,
    rule_change_effect,
    selection_precision,
    text_without_site_boilerplate,
    wilson_interval,
)


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return load_relevance_sample()


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    articles, _ = load_corpus("allsides_techpolicy")
    return articles


@pytest.fixture(scope="module")
def tagged(corpus, sample) -> pd.DataFrame:
    """The sampled articles tagged with the current rules. Tagging is row by row (title, text,
    topic of the same article), so tagging only these gives the same flags as tagging the whole
    pool, at a fraction of the time (the full pool takes minutes on a shared machine)."""
    return tag_subtopics(corpus[corpus["doc_id"].isin(sample["doc_id"])])


# ----------------------------------------------------------------------------- the shipped sample
def test_sample_file_exists_with_all_judgements(sample):
    assert (paths.SELECTION_DIR / SAMPLE_FILE).is_file()
    counts = sample["sample"].value_counts()
    assert counts["selected"] == N_SELECTED
    assert counts["rejected"] == N_REJECTED
    assert len(sample) == N_SELECTED + N_REJECTED
    assert sample["judgement"].isin(JUDGEMENTS).all()
    assert (sample["reason"].str.strip() != "").all()
    assert (sample["reason"].str.split().str.len() <= 20).all()
    assert (sample["judged_by"].str.contains("AI assistant")).all()
    assert sample["doc_id"].is_unique


def test_sample_matches_current_selection(sample, corpus, tagged):
    missing = sorted(set(sample["doc_id"]) - set(corpus["doc_id"]))
    cur = tagged.set_index("doc_id")
    assert missing == [], f"sampled doc_ids no longer in the corpus: {missing[:5]}"
    version = cur["selection_version"].iloc[0]
    assert (sample["selection_version"] == version).all(), (
        "selection rules changed since the sample was judged: redraw and re-judge it"
    )
    in_study = sample["doc_id"].map(cur["in_study"])
    assert in_study[sample["sample"] == "selected"].all()
    assert not in_study[sample["sample"] == "rejected"].any()
    assert (sample["subtopics"] == sample["doc_id"].map(cur["subtopics"])).all()


def test_sample_titles_match_corpus(sample, corpus):
    titles = corpus.set_index("doc_id")["title"]
    assert (sample["title"] == sample["doc_id"].map(titles)).all()


def test_sample_frame_draw_is_seeded_and_order_free():
    # synthetic tagged pool (not real articles): 30 in study, 20 not
    pool = pd.DataFrame(
        {
            "doc_id": [f"d{i:02d}" for i in range(50)],
            "outlet": "x",
            "rating": "left",
            "date_raw": "",
            "title": "synthetic",
            "subtopics": ["ai"] * 30 + [""] * 20,
            "in_study": [True] * 30 + [False] * 20,
            "selection_version": "techpolicy-test",
        }
    )
    a = relevance_sample_frame(pool, seed=SAMPLE_SEED, n_selected=5, n_rejected=3)
    b = relevance_sample_frame(pool.iloc[::-1], seed=SAMPLE_SEED, n_selected=5, n_rejected=3)
    c = relevance_sample_frame(pool, seed=SAMPLE_SEED + 1, n_selected=5, n_rejected=3)
    assert a["doc_id"].tolist() == b["doc_id"].tolist()
    assert a["doc_id"].tolist() != c["doc_id"].tolist()
    assert a["sample"].tolist() == ["selected"] * 5 + ["rejected"] * 3
    assert a.loc[a["sample"] == "selected", "subtopics"].eq("ai").all()
    assert (a["bias_text"] == "left").all()


def test_precision_table_on_shipped_sample(sample):
    res = selection_precision(sample)
    overall = res[(res["sample"] == "selected") & (res["subtopic"] == "all")].iloc[0]
    assert overall["n_articles"] == N_SELECTED
    assert overall["n_judged"] + overall["n_unclear"] == N_SELECTED
    assert overall["ci_low"] <= overall["share_relevant"] <= overall["ci_high"]
    subs = res[(res["sample"] == "selected") & (res["subtopic"] != "all")]
    n_tags = sample.loc[sample["sample"] == "selected", "subtopics"].str.split(";").str.len()
    assert subs["n_articles"].sum() == n_tags.sum()
    rej = res[res["sample"] == "rejected"].iloc[0]
    assert rej["measure"] == "missed_relevant_share"
    assert rej["n_articles"] == N_REJECTED


def test_proposed_tags_without_changes_reproduce_current_rules(tagged):
    sub = tagged.iloc[::3]
    same = proposed_subtopic_tags(sub, strip_boilerplate=False)
    assert same["subtopics"].tolist() == sub["subtopics"].tolist()
    assert same["in_study"].tolist() == sub["in_study"].tolist()
    stricter = proposed_subtopic_tags(sub, strip_boilerplate=True, lead_chars=1500)
    # the proposals only narrow the selection
    assert not (stricter["in_study"] & ~sub["in_study"]).any()


# ----------------------------------------------------------------------------- arithmetic
def test_wilson_interval_hand_computed():
    # p = 0.8, n = 10, z = 1.959964: centre 0.716746, half-width 0.226577 (worked by hand)
    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.490162, abs=1e-5)
    assert hi == pytest.approx(0.943318, abs=1e-5)
    lo0, hi0 = wilson_interval(0, 10)
    assert lo0 == 0.0 and hi0 == pytest.approx(0.277533, abs=1e-5)
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def _synthetic_sample() -> pd.DataFrame:
    # synthetic judgements (not real articles): 4 selected, 3 rejected
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d", "e", "f", "g"],
            "sample": ["selected"] * 4 + ["rejected"] * 3,
            "subtopics": ["privacy;ai", "privacy", "ai", "surveillance", "", "", ""],
            "judgement": [
                "relevant",
                "not_relevant",
                "relevant",
                "unclear",
                "relevant",
                "not_relevant",
                "not_relevant",
            ],
        }
    )


def test_selection_precision_synthetic():
    res = selection_precision(_synthetic_sample()).set_index(["sample", "subtopic"])
    overall = res.loc[("selected", "all")]
    assert (overall["n_relevant"], overall["n_judged"], overall["n_unclear"]) == (2, 3, 1)
    assert overall["share_relevant"] == pytest.approx(2 / 3)
    assert overall["share_if_unclear_not"] == pytest.approx(2 / 4)
    assert overall["share_if_unclear_relevant"] == pytest.approx(3 / 4)
    lo, hi = wilson_interval(2, 3)
    assert (overall["ci_low"], overall["ci_high"]) == pytest.approx((lo, hi))
    assert res.loc[("selected", "privacy"), "n_articles"] == 2
    assert res.loc[("selected", "privacy"), "share_relevant"] == pytest.approx(0.5)
    assert res.loc[("selected", "ai"), "share_relevant"] == pytest.approx(1.0)
    assert res.loc[("selected", "surveillance"), "n_judged"] == 0
    assert math.isnan(res.loc[("selected", "surveillance"), "share_relevant"])
    assert res.loc[("rejected", "all"), "share_relevant"] == pytest.approx(1 / 3)


def test_rule_change_effect_and_recall_synthetic():
    s = _synthetic_sample()
    new = pd.DataFrame(
        {"doc_id": list("abcdefg"), "in_study": [True, False, True, True, False, False, False]}
    )
    eff = rule_change_effect(s, new).set_index(["sample", "judgement"])
    assert eff.loc[("selected", "not_relevant"), "n_out_of_study_new"] == 1
    assert eff.loc[("selected", "relevant"), "n_in_study_new"] == 2
    assert eff["precision_kept"].iloc[0] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        rule_change_effect(s, new.iloc[:3])
    rec = pool_recall_estimate(s, n_in_study=300, n_not_in_study=600).iloc[0]
    # 300 * 2/3 = 200 found, 600 * 1/3 = 200 missed
    assert rec["recall"] == pytest.approx(0.5)
    assert rec["recall_low"] <= rec["recall"] <= rec["recall_high"]


def test_boilerplate_stripping_synthetic():
    # synthetic text in The Hill's related-links layout
    text = (
        "Sen. Bill Nelson Clarence (Bill) William NelsonHillicon Valley: Senators urge social "
        "media giants to act on deepfakes | FTC sues Match MORE (D) faces a challenge. "
        "READ MORE about the race. By signing up, you agree to our Privacy Policy"
    )
    out = text_without_site_boilerplate(text)
    assert "deepfakes" not in out and "social media giants" not in out
    assert "William Nelson (D) faces a challenge." in out
    assert "READ MORE about the race." in out
    assert "Privacy Policy" not in out


def test_load_relevance_sample_rejects_bad_judgement(tmp_path, monkeypatch):
    bad = load_relevance_sample().head(3).copy()
    bad.loc[bad.index[0], "judgement"] = "maybe"
    monkeypatch.setattr(paths, "SELECTION_DIR", tmp_path)
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match="judgement"):
        load_relevance_sample("bad.csv")
