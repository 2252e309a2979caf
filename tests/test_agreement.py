"""Tests for analysis.agreement on the real Narrative Frames development split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import agreement as A


@pytest.fixture(scope="module")
def articles() -> pd.DataFrame:
    return A.load_narrative_frames()


def test_loader_keeps_all_296_articles_with_binary_frames(articles):
    assert len(articles) == A.EXPECTED_ARTICLES == 296
    assert articles["doc_id"].is_unique
    assert list(A.FRAME_COLUMNS) == [
        "frame_conflict",
        "frame_economic",
        "frame_human_interest",
        "frame_moral",
        "frame_resolution",
    ]
    for col in A.FRAME_COLUMNS:
        assert set(articles[col].unique()) <= {0, 1}
    assert (articles["text"].str.strip() != "").all()


def test_article_405_is_repaired_not_dropped(articles):
    row = articles.set_index("doc_id").loc["405"]
    assert row["label_source"] == "role_and_frame_annotations"
    # role_and_frame_annotations.tsv gives RE=True, everything else False for article 405
    assert row["frame_resolution"] == 1
    assert (
        row[["frame_conflict", "frame_economic", "frame_human_interest", "frame_moral"]].sum() == 0
    )
    assert row["text"].startswith("U.S. report says climate change will batter economy")
    # every other article keeps the labels of articles_metadata.tsv
    assert (articles["label_source"] == "articles_metadata").sum() == 295


def test_load_report_names_the_repaired_rows():
    rep = A.narrative_frames_load_report()
    assert rep.read == rep.kept == 296 and rep.rejected == 0
    warnings = rep.warnings_frame()
    assert set(warnings["doc_id"]) == {"405", "716"}
    msg405 = warnings.loc[warnings["doc_id"] == "405", "message"].iloc[0]
    assert "role_and_frame_annotations" in msg405
    msg716 = warnings.loc[warnings["doc_id"] == "716", "message"].iloc[0]
    assert "False)" in msg716


def test_annotator_rule_reproduces_aggregated_labels():
    check = A.label_rule_check().set_index("frame")
    assert list(check.index) == list(A.FRAMES)
    assert (check["match_question_majority"] >= 0.99).all()
    # the README-literal resolution questions do not reproduce the labels; re2/re6 do
    assert check.loc["resolution", "match_readme_questions"] < 0.8


def test_annotator_labels_come_from_real_annotations():
    ann = A.annotator_frame_labels()
    assert set(ann["annotator"]) <= {1, 2, 3, 4}
    per_doc = ann.groupby("doc_id").size()
    assert len(per_doc) == 296 and per_doc.between(2, 3).all()
    # article 286: annotators 1 and 2 answered co1 yes/yes, co2 yes/yes -> conflict for both
    a286 = ann[ann["doc_id"] == "286"].set_index("annotator")
    assert list(a286.index) == [1, 2]
    assert (a286["frame_conflict"] == 1).all()


def test_frame_alpha_is_a_valid_alpha_per_frame():
    alpha = A.frame_alpha()
    assert list(alpha["frame"]) == list(A.FRAMES)
    assert alpha["alpha"].between(-1, 1).all()
    assert alpha["alpha"].notna().all()
    assert (alpha["n_articles"] == 296).all()
    # agreement is real but imperfect on this corpus
    assert (alpha["alpha"] > 0).all() and (alpha["alpha"] < 0.95).all()


def test_alpha_drops_when_annotator_labels_are_shuffled():
    import krippendorff

    ann = A.annotator_frame_labels()
    mat = ann.pivot(index="annotator", columns="doc_id", values="frame_economic").astype(float)
    real = krippendorff.alpha(mat.to_numpy(), level_of_measurement="nominal")
    rng = np.random.default_rng(0)
    shuffled = mat.to_numpy().copy()
    for i in range(shuffled.shape[0]):
        ok = ~np.isnan(shuffled[i])
        shuffled[i, ok] = rng.permutation(shuffled[i, ok])
    fake = krippendorff.alpha(shuffled, level_of_measurement="nominal")
    assert real == pytest.approx(
        A.frame_alpha().set_index("frame").loc["economic", "alpha"], abs=1e-12
    )
    assert fake < real - 0.3


def test_human_ceiling_is_leave_one_out_f1():
    hc = A.human_ceiling().set_index("frame")
    assert list(hc.index) == list(A.FRAMES)
    assert hc["f1_pooled"].between(0, 1).all()
    pairs = A.annotator_loo_pairs()
    assert (hc["n_pairs"] == pairs.groupby("frame").size().reindex(hc.index)).all()
    per = A.annotator_f1()
    assert per["f1"].between(0, 1).all()
    # annotators are not perfect against each other
    assert (hc["f1_pooled"] < 0.95).all()


def test_question_yes_share_is_the_soft_question_majority():
    share = A.question_yes_share()
    assert share.shape[0] == 296
    assert ((share >= 0) & (share <= 1) | share.isna()).all().all()
    assert (share["re1"] == 1).all()  # the screening question: yes for every article
    assert share.loc["286", "co1"] == 1.0
    # share > 0.5 is the group "yes", so the frame rule on it rebuilds the aggregate labels
    rebuilt = pd.DataFrame(index=share.index)
    for frame, rule in A.FRAME_RULES.items():
        yes = (share[list(rule.questions)] > 0.5).sum(axis=1)
        rebuilt[f"frame_{frame}"] = (yes >= rule.min_yes).astype(int)
    agg = A.aggregate_frame_labels()
    assert rebuilt.reindex(agg.index).equals(agg)


def test_annotator_soft_labels_shares_and_agreement(articles):
    soft = A.annotator_soft_labels(articles)
    assert list(soft["doc_id"]) == list(articles["doc_id"])
    assert soft["n_annotators"].between(2, 3).all()
    for col in A.FRAME_COLUMNS:
        for kind in ("share", "agreement"):
            assert soft[f"{col}_{kind}"].between(0, 1).all()
    row = soft.set_index("doc_id").loc["286"]
    assert row["frame_conflict_share"] == 1.0
    # a share of 0 or 1 fixes the agreement with the aggregate: it is 1 - share or share
    s, g = soft["frame_economic_share"], articles["frame_economic"].to_numpy()
    unanimous = s.isin([0.0, 1.0]).to_numpy()
    expect = np.where(g == 1, s, 1 - s)[unanimous]
    assert np.allclose(soft["frame_economic_agreement"].to_numpy()[unanimous], expect)
    # the released labels are stricter than one annotator (question majority): shares run higher
    assert soft["frame_moral_share"].mean() > articles["frame_moral"].mean()
