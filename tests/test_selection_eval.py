"""Tests for analysis.selection_eval: the hand-judged relevance samples and their arithmetic.

Two samples ship. v1 (``relevance_sample_v1.csv``) was judged under techpolicy-1.0 and is kept as
the historical record: it is checked for integrity and for its recorded version only (its flags
were computed with rules that no longer ship). v2 (``relevance_sample_v2.csv``) measures the
current rules: if a rule change moves any v2 article in or out of the study or changes its
subtopics or the version, these tests fail and a new sample must be drawn and judged.
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
    SAMPLE_FILE_V2,
    SAMPLE_SEED,
    load_relevance_sample,
    pool_recall_estimate,
    proposed_subtopic_tags,
    recoded_judgements,
    relevance_sample_frame,
    rule_change_effect,
    selection_precision,
    text_without_site_boilerplate,
    wilson_interval,
)


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    """v1: judged under techpolicy-1.0 (historical)."""
    return load_relevance_sample()


@pytest.fixture(scope="module")
def sample_v2() -> pd.DataFrame:
    """v2: judged under the current rules (techpolicy-1.1), fresh articles."""
    return load_relevance_sample(SAMPLE_FILE_V2)


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    articles, _ = load_corpus("allsides_techpolicy")
    return articles


@pytest.fixture(scope="module")
def tagged(corpus, sample, sample_v2) -> pd.DataFrame:
    """The sampled articles (v1 and v2) tagged with the current rules. Tagging is row by row
    (title, text, topic of the same article), so tagging only these gives the same flags as
    tagging the whole pool, at a fraction of the time."""
    ids = set(sample["doc_id"]) | set(sample_v2["doc_id"])
    return tag_subtopics(corpus[corpus["doc_id"].isin(ids)])


def _check_sample_file(df: pd.DataFrame) -> None:
    counts = df["sample"].value_counts()
    assert counts["selected"] == N_SELECTED
    assert counts["rejected"] == N_REJECTED
    assert len(df) == N_SELECTED + N_REJECTED
    assert df["judgement"].isin(JUDGEMENTS).all()
    assert (df["reason"].str.strip() != "").all()
    assert (df["reason"].str.split().str.len() <= 20).all()
    assert (df["judged_by"].str.contains("AI assistant")).all()
    assert df["doc_id"].is_unique
    # rejected articles carry no subtopic, selected ones at least one
    assert (df.loc[df["sample"] == "rejected", "subtopics"] == "").all()
    assert (df.loc[df["sample"] == "selected", "subtopics"] != "").all()


# ----------------------------------------------------------------------------- v1 (historical)
def test_sample_file_exists_with_all_judgements(sample):
    assert (paths.SELECTION_DIR / SAMPLE_FILE).is_file()
    _check_sample_file(sample)


def test_v1_sample_records_rules_1_0(sample, corpus):
    # v1's flags were computed with techpolicy-1.0; they are not compared to the current rules
    assert (sample["selection_version"] == "techpolicy-1.0").all()
    missing = sorted(set(sample["doc_id"]) - set(corpus["doc_id"]))
    assert missing == [], f"sampled doc_ids no longer in the corpus: {missing[:5]}"


def test_rules_1_1_only_widen_through_the_testimony_pattern(sample, tagged):
    # P1 (boilerplate) and P2 (lead window) only narrow the selection; P4 widens tech_regulation.
    # So every v1 article that 1.1 adds to the study must carry tech_regulation.
    cur = tagged.set_index("doc_id")
    rej = sample[sample["sample"] == "rejected"]
    added = rej[rej["doc_id"].map(cur["in_study"])]
    assert added["doc_id"].map(cur["sub_tech_regulation"]).all()
    effect = rule_change_effect(sample, tagged[["doc_id", "in_study"]])
    assert effect["n_articles"].sum() == len(sample)


# ----------------------------------------------------------------------------- v2 (current rules)
def test_v2_sample_file_with_all_judgements(sample_v2):
    assert (paths.SELECTION_DIR / SAMPLE_FILE_V2).is_file()
    _check_sample_file(sample_v2)


def test_v2_sample_holds_only_articles_new_to_v1(sample, sample_v2):
    assert not sample_v2["doc_id"].isin(sample["doc_id"]).any()


def test_v2_sample_matches_current_selection(sample_v2, corpus, tagged):
    missing = sorted(set(sample_v2["doc_id"]) - set(corpus["doc_id"]))
    assert missing == [], f"sampled doc_ids no longer in the corpus: {missing[:5]}"
    cur = tagged.set_index("doc_id")
    version = cur["selection_version"].iloc[0]
    assert (sample_v2["selection_version"] == version).all(), (
        "selection rules changed since sample v2 was judged: draw and judge a new sample"
    )
    in_study = sample_v2["doc_id"].map(cur["in_study"])
    assert in_study[sample_v2["sample"] == "selected"].all()
    assert not in_study[sample_v2["sample"] == "rejected"].any()
    assert (sample_v2["subtopics"] == sample_v2["doc_id"].map(cur["subtopics"])).all()


def test_v2_titles_match_corpus(sample_v2, corpus):
    titles = corpus.set_index("doc_id")["title"]
    assert (sample_v2["title"] == sample_v2["doc_id"].map(titles)).all()


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
    # excluding an earlier sample: none of its doc_ids can be drawn again
    d = relevance_sample_frame(
        pool, seed=SAMPLE_SEED, n_selected=5, n_rejected=3, exclude=a["doc_id"]
    )
    assert not d["doc_id"].isin(a["doc_id"]).any()
    with pytest.raises(ValueError):  # 20 rejected minus 3 excluded < 18 requested
        relevance_sample_frame(pool, n_selected=5, n_rejected=18, exclude=a["doc_id"])


@pytest.mark.parametrize("file_name", [SAMPLE_FILE, SAMPLE_FILE_V2])
def test_precision_table_on_shipped_sample(file_name):
    sample = load_relevance_sample(file_name)
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
    same = proposed_subtopic_tags(sub)
    assert same["subtopics"].tolist() == sub["subtopics"].tolist()
    assert same["in_study"].tolist() == sub["in_study"].tolist()
    looser = proposed_subtopic_tags(sub, strip_boilerplate=False, lead_chars=None)
    # switching P1 and P2 off only widens the selection
    assert not (sub["in_study"].to_numpy() & ~looser["in_study"].to_numpy()).any()


def test_recoded_judgements_for_scope_sensitivity(sample_v2):
    p3 = sample_v2["reason"].str.startswith("P3 scope")
    rec = recoded_judgements(sample_v2, "P3 scope", "unclear")
    assert (rec.loc[p3, "judgement"] == "unclear").all()
    assert rec.loc[~p3, "judgement"].tolist() == sample_v2.loc[~p3, "judgement"].tolist()
    a = selection_precision(sample_v2).set_index(["sample", "subtopic"])
    b = selection_precision(rec).set_index(["sample", "subtopic"])
    sel = sample_v2["sample"] == "selected"
    moved = int((p3 & sel & (sample_v2["judgement"] != "unclear")).sum())
    assert moved > 0
    before, after = a.loc[("selected", "all")], b.loc[("selected", "all")]
    assert after["n_unclear"] == before["n_unclear"] + moved
    assert after["n_judged"] == before["n_judged"] - moved
    with pytest.raises(ValueError):
        recoded_judgements(sample_v2, "P3 scope", "maybe")


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
