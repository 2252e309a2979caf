"""Tables and charts of notebooks 04 and 05 (analysis.study_report).

Real data: the shipped study corpus (``study_articles()``) with scores computed here from the
text (word and character counts), so the tests need no scoring run. Synthetic data (labelled
SYNTHETIC) is used where the exact answer must be known: lexicon-hit spans, small topic models
and an attention table.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis import compare, study_report, topics
from analysis.corpus import study_articles


@pytest.fixture(scope="module")
def docs() -> pd.DataFrame:
    a = study_articles()
    a["n_words"] = a["text"].str.split().str.len().astype(float)
    a["title_chars"] = a["title"].str.len().astype(float)
    return a


# --------------------------------------------------------------------------- ratings
def test_rating_differences_orientation_family_and_values(docs):
    d = study_report.rating_differences(docs, scores=["n_words", "title_chars"], n_boot=300)
    assert len(d) == 6 and d.attrs["family"] == 6
    assert list(d["pair"][:3]) == ["left - right", "left - center", "center - right"]
    means = docs.groupby("rating")["n_words"].mean()
    row = d[(d["score"] == "n_words") & (d["pair"] == "left - right")].iloc[0]
    assert row["diff"] == pytest.approx(means["left"] - means["right"])
    assert row["n_a"] == (docs["rating"] == "left").sum()
    assert row["diff_ci_low"] < row["diff"] < row["diff_ci_high"]
    # Holm over the whole table is at least the within-score adjustment and the raw p
    assert (d["mw_p_holm"] >= d["mw_p_holm_within"] - 1e-12).all()
    assert (d["mw_p_holm"] >= d["mw_p"] - 1e-12).all()
    assert (d["mw_p_holm"] <= 1).all()


def test_rating_differences_mirrors_requested_pair_and_skips_absent_groups(docs):
    fwd = study_report.rating_differences(docs, ["n_words"], pairs=[("left", "right")], n_boot=200)
    rev = study_report.rating_differences(docs, ["n_words"], pairs=[("right", "left")], n_boot=200)
    assert rev["group_a"].iloc[0] == "right" and rev["n_a"].iloc[0] == fwd["n_b"].iloc[0]
    assert rev["diff"].iloc[0] == pytest.approx(-fwd["diff"].iloc[0])
    assert rev["cohens_d"].iloc[0] == pytest.approx(-fwd["cohens_d"].iloc[0])
    assert rev["diff_ci_low"].iloc[0] == pytest.approx(-fwd["diff_ci_high"].iloc[0])
    assert rev["mw_p"].iloc[0] == pytest.approx(fwd["mw_p"].iloc[0])
    no_center = docs[docs["rating"] != "center"]
    d = study_report.rating_differences(no_center, ["n_words"], n_boot=200)
    assert list(d["pair"]) == ["left - right"]


def test_rating_differences_flags_thin_groups_and_plots(docs):
    thin = pd.concat([docs[docs["rating"] != "center"], docs[docs["rating"] == "center"].head(5)])
    d = study_report.rating_differences(thin, ["n_words", "title_chars"], n_boot=200, min_n=20)
    assert (d.loc[d["pair"].str.contains("center"), "caution"] == "n < 20").all()
    assert (d.loc[d["pair"] == "left - right", "caution"] == "").all()
    fig = study_report.plot_rating_differences(d)
    assert fig._suptitle.get_text().split(" of ")[1].startswith("6 rating differences")
    assert "thin groups (n < 20): left - center, center - right" in fig.axes[0].get_xlabel()
    plt.close(fig)


def test_available_scores_and_labels():
    frame = pd.DataFrame(columns=["news_compound_mean", "evaluative.praise.rate", "other"])
    assert study_report.available_scores(frame) == ["news_compound_mean", "evaluative.praise.rate"]
    assert len(study_report.KEY_SCORES) == 14
    assert "per 1,000 words" in study_report.score_labels()["generic_frames.morality.rate"]


# --------------------------------------------------------------------------- summaries
def test_largest_groups_and_outlet_summaries(docs):
    top = study_report.largest_groups(docs, "outlet", 5)
    counts = docs["outlet"].value_counts()
    assert len(top) == 5 and counts[top[0]] == counts.max()
    assert [counts[o] for o in top] == sorted([counts[o] for o in top], reverse=True)
    sub = docs[docs["outlet"].isin(top)]
    s = study_report.summaries_by(sub, ["n_words", "title_chars"], "outlet", n_boot=200)
    assert len(s) == 10 and set(s["score"]) == {"n_words", "title_chars"}
    for _, row in s[s["score"] == "n_words"].iterrows():
        assert row["n"] == counts[row["outlet"]]
        assert row["rating"] == sub.loc[sub["outlet"] == row["outlet"], "rating"].mode()[0]
    fig = study_report.plot_summary_panels(s)
    assert len(fig.axes) == 2
    plt.close(fig)


def test_subtopic_summaries_overlap(docs):
    s = study_report.summaries_by(docs, ["n_words"], "subtopic", n_boot=200)
    assert s.attrs["overlapping_groups"] is True
    assert s["n"].sum() > len(docs)  # articles with several subtopics count in each
    assert s["n"].sum() == len(compare.explode_subtopics(docs))


# --------------------------------------------------------------------------- keyness inputs
def _synthetic_hits() -> pd.DataFrame:
    # SYNTHETIC lexicon hits: d1's span 0-6 is matched by two categories (counts once).
    return pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d1", "d2", "d3", "d3"],
            "sent_idx": [0, 0, 1, 0, 0, 0],
            "part": ["body"] * 6,
            "start": [0, 0, 5, 0, 0, 10],
            "end": [6, 6, 11, 6, 6, 16],
            "cue": ["Attack", "attack", "praise", "attack", "praise", "praise"],
            "category": ["conflict", "controversy", "praise", "conflict", "praise", "praise"],
        }
    )


def test_cue_terms_counts_each_span_once():
    terms = study_report.cue_terms(_synthetic_hits())
    assert len(terms) == 5
    assert terms.groupby("doc_id")["term"].apply(list).to_dict() == {
        "d1": ["attack", "praise"],
        "d2": ["attack"],
        "d3": ["praise", "praise"],
    }


def test_cue_keyness_groups_and_counts():
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "rating": ["left", "left", "right"]})
    k = study_report.cue_keyness(_synthetic_hits(), docs)
    left = k[k["group"] == "left"].set_index("term")
    assert left.loc["attack", "count_group"] == 2 and left.loc["attack", "count_rest"] == 0
    assert left.loc["praise", "count_group"] == 1 and left.loc["praise", "count_rest"] == 2
    assert left.loc["attack", "rank"] == 1
    assert k.attrs["docs_per_group"] == {"left": 2, "right": 1}


# --------------------------------------------------------------------------- attention
def test_plot_attention_by_subtopic_drops_thin_years():
    # SYNTHETIC attention table: 2 subtopics x 2 ratings x 3 years; 2015 is thin for everyone.
    rows = []
    for sub in ("privacy", "ai"):
        for rating in ("left", "right"):
            for year, total in (("2015", 10), ("2016", 200), ("2017", 300)):
                k = 6 if sub == "privacy" else 2
                rows.append((rating, year, sub, total, k))
    att = pd.DataFrame(rows, columns=["rating", "period", "subtopic", "n_total", "n_study"])
    att["share"] = att["n_study"] / att["n_total"]
    att["share_lo"], att["share_hi"] = att["share"] * 0.5, att["share"] * 1.5
    fig = study_report.plot_attention_by_subtopic(att, min_total=50)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["privacy (24 articles)", "ai (8 articles)"]
    xs = {round(x) for line in visible[0].get_lines() for x in line.get_xdata()}
    assert 2015 not in xs and {2016, 2017} <= xs
    plt.close(fig)


# --------------------------------------------------------------------------- frames
@pytest.fixture()
def synthetic_frames():
    # SYNTHETIC: 5 documents x 3 topics; topics 0 and 1 form frame 1, topic 2 frame 2.
    w = np.array(
        [
            [0.5, 0.3, 0.2],  # frame 1 share 0.8
            [0.1, 0.1, 0.8],  # frame 2 share 0.8
            [0.3, 0.15, 0.55],  # frame 2 share 0.55
            [0.2, 0.25, 0.55],  # frame 2 0.55 (tie with d3 on share)
            [0.35, 0.0, 0.65],  # frame 2 0.65
        ]
    )
    model = topics.TopicModel(
        doc_ids=["d1", "d2", "d3", "d4", "d5"],
        doc_topic=w,
        topic_word=np.ones((3, 2)),
        vocab=np.array(["a", "b"]),
        topic_terms=pd.DataFrame(
            {"topic": [0, 1, 2], "rank": [1, 1, 1], "term": ["a", "b", "c"], "weight": [1.0] * 3}
        ),
        labels=["T01 a", "T02 b", "T03 c"],
    )
    comms = pd.DataFrame(
        {
            "topic": [0, 1, 2],
            "label": model.labels,
            "prevalence": [0.3, 0.2, 0.5],
            "frame_id": [1, 1, 2],
            "frame_label": ["F1 a", "F1 a", "F2 c"],
        }
    )
    return model, comms


def test_min_share_sensitivity(synthetic_frames):
    model, comms = synthetic_frames
    s = study_report.min_share_sensitivity(model, comms, thresholds=(0.5, 0.6, 0.7))
    assert list(s["frame"]) == ["F1 a", "F2 c", "no frame"]
    assert s.set_index("frame").loc["no frame"].tolist() == pytest.approx([0.0, 0.4, 0.6])
    assert s.drop(columns="frame").sum().tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert s.attrs["chance"] == pytest.approx(0.5)


def test_frame_examples_strongest_per_frame_weakest_for_no_frame(synthetic_frames):
    model, comms = synthetic_frames
    frames = topics.document_frames(model, comms, min_share=0.6)
    arts = pd.DataFrame({"doc_id": [f"d{i}" for i in range(1, 6)], "title": list("ABCDE")})
    ex = study_report.frame_examples(frames, arts, n=2)
    assert ex[ex["frame"] == "F2 c"]["doc_id"].tolist() == ["d2", "d5"]
    assert ex[ex["frame"] == "no frame"]["doc_id"].tolist() == ["d3", "d4"]  # tie: by doc_id
    assert ex[ex["frame"] == "F1 a"]["title"].tolist() == ["A"]


def test_frames_signature_detects_changes(synthetic_frames):
    model, comms = synthetic_frames
    frames = topics.document_frames(model, comms, min_share=0.5)
    sig = study_report.frames_signature(model, comms, frames)
    assert sig == study_report.frames_signature(model, comms.copy(), frames.copy())
    other = topics.document_frames(model, comms, min_share=0.6)
    assert sig != study_report.frames_signature(model, comms, other)


def test_topic_frame_table_and_network_edges(synthetic_frames):
    model, comms = synthetic_frames
    table = study_report.topic_frame_table(model, comms)
    assert list(table["topic"]) == [0, 1, 2] and list(table["frame_id"]) == [1, 1, 2]
    graph = topics.topic_network(model)
    edges = study_report.network_edges(graph, comms)
    assert len(edges) == graph.number_of_edges()
    assert (edges["weight"] > 0).all() and edges["weight"].is_monotonic_decreasing
    assert (edges["source"] < edges["target"]).all()


def test_n_topics_for():
    assert study_report.n_topics_for(1158) == 20
    assert study_report.n_topics_for(60) == 12
    assert study_report.n_topics_for(3) == 2
