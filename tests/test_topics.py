"""Inductive frames: NMF topics on the shipped corpus, network, communities, document frames.

The full study corpus is fitted once per module and once more in the determinism test. Small
hand-built topic models (labelled SYNTHETIC) check the frame-assignment rule exactly.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from analysis import topics
from analysis.corpus import study_articles


@pytest.fixture(scope="module")
def arts() -> pd.DataFrame:
    return study_articles()


def _fit(arts: pd.DataFrame) -> topics.TopicModel:
    return topics.fit_topics(arts["title"] + "\n" + arts["text"], doc_ids=arts["doc_id"])


@pytest.fixture(scope="module")
def fitted(arts):
    model = _fit(arts)
    graph = topics.topic_network(model)
    comms = topics.topic_communities(graph, seed=0)
    frames = topics.document_frames(model, comms)
    return model, graph, comms, frames


def test_model_shape_and_topic_order(arts, fitted):
    model, *_ = fitted
    assert model.doc_topic.shape == (len(arts), topics.DEFAULT_N_TOPICS)
    assert model.doc_ids == list(arts["doc_id"])
    assert model.params["vocabulary_size"] <= 5000 and model.params["init"] == "nndsvda"
    prev = model.prevalence()
    assert np.all(np.diff(prev) <= 0)  # renumbered by prevalence
    assert prev.sum() == pytest.approx(1.0)
    assert len(set(model.labels)) == model.n_topics
    assert (model.topic_terms.groupby("topic").size() == 10).all()
    # labels are built from each topic's own top terms
    for t, label in enumerate(model.labels):
        top3 = model.topic_terms[model.topic_terms["topic"] == t].nsmallest(3, "rank")["term"]
        assert label == f"T{t + 1:02d} " + ", ".join(top3)


def test_network_has_positive_edges_only(fitted):
    model, graph, *_ = fitted
    assert sorted(graph.nodes) == list(range(model.n_topics))
    weights = [d["weight"] for *_, d in graph.edges(data=True)]
    assert weights and min(weights) > 0 and max(weights) <= 1
    shares = model.doc_topic_shares()
    i, j, w = next(iter(graph.edges(data="weight")))
    assert w == pytest.approx(np.corrcoef(shares[:, i], shares[:, j])[0, 1])


def test_communities_cover_every_topic_once(fitted):
    model, graph, comms, _ = fitted
    assert sorted(comms["topic"]) == list(range(model.n_topics))
    assert comms.attrs["method"].endswith("louvain_communities") and comms.attrs["seed"] == 0
    fids = sorted(comms["frame_id"].unique())
    assert fids == list(range(1, len(fids) + 1))
    weight = comms.groupby("frame_id")["prevalence"].sum()
    assert weight.is_monotonic_decreasing
    assert comms.groupby("frame_id")["frame_label"].nunique().eq(1).all()
    greedy = topics.topic_communities(graph, method="greedy")
    assert sorted(greedy["topic"]) == list(range(model.n_topics))
    assert greedy.attrs["method"].endswith("greedy_modularity_communities")


def test_two_runs_are_identical(arts, fitted):
    model, graph, comms, frames = fitted
    model2 = _fit(arts)
    np.testing.assert_array_equal(model.doc_topic, model2.doc_topic)
    pd.testing.assert_frame_equal(model.topic_terms, model2.topic_terms)
    assert model.labels == model2.labels
    graph2 = topics.topic_network(model2)
    assert nx.utils.graphs_equal(graph, graph2)
    comms2 = topics.topic_communities(graph2, seed=0)
    pd.testing.assert_frame_equal(comms, comms2)
    assert comms.attrs == comms2.attrs
    pd.testing.assert_frame_equal(frames, topics.document_frames(model2, comms2))


def _synthetic_model() -> tuple[topics.TopicModel, pd.DataFrame]:
    # SYNTHETIC: 4 documents x 3 topics; topics 0 and 1 form frame 1, topic 2 frame 2.
    w = np.array(
        [
            [0.5, 0.3, 0.2],  # frame 1 share 0.8
            [0.1, 0.1, 0.8],  # frame 2 share 0.8
            [0.0, 0.0, 0.0],  # empty document
            [0.15, 0.1, 0.75],
        ]
    )
    model = topics.TopicModel(
        doc_ids=["d1", "d2", "d3", "d4"],
        doc_topic=w,
        topic_word=np.ones((3, 2)),
        vocab=np.array(["a", "b"]),
        topic_terms=pd.DataFrame(columns=["topic", "rank", "term", "weight"]),
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


def test_document_frames_rule_on_synthetic_model():
    model, comms = _synthetic_model()
    df = topics.document_frames(model, comms, min_share=0.3)
    assert list(df["frame"]) == ["F1 a", "F2 c", topics.NO_FRAME, "F2 c"]
    assert df["share"].tolist() == pytest.approx([0.8, 0.8, 0.0, 0.75])
    assert df["frame_id"].isna().tolist() == [False, False, True, False]
    strict = topics.document_frames(model, comms, min_share=0.78)
    assert list(strict["frame"]) == ["F1 a", "F2 c", topics.NO_FRAME, topics.NO_FRAME]


def test_frame_shares_counts_and_wilson_intervals(arts, fitted):
    *_, frames = fitted
    by_rating = topics.frame_shares(frames, arts, by="rating")
    assert list(dict.fromkeys(by_rating["rating"])) == ["left", "center", "right"]
    n = by_rating.groupby("rating")["count"].sum()
    assert (n == arts["rating"].value_counts().reindex(n.index)).all()
    assert (by_rating.groupby("rating")["share"].sum().round(9) == 1).all()
    assert (by_rating["ci_low"] <= by_rating["share"]).all()
    assert (by_rating["share"] <= by_rating["ci_high"]).all()
    assert (by_rating["frame"] == topics.NO_FRAME).sum() == 3  # present for every rating
    by_year = topics.frame_shares(frames, arts, by="year")
    unknown = by_year[by_year["year"] == "unknown"]
    assert unknown["count"].sum() == arts["date"].isna().sum()
    assert (by_year.loc[by_year["n"] < 20, "caution"] == "n < 20").all()


def test_charts(fitted, arts):
    _, graph, comms, frames = fitted
    fig = topics.plot_topic_network(graph, comms, seed=0)
    assert "candidate frames" in fig.axes[0].get_title(loc="left")
    fig2 = topics.plot_frame_shares(topics.frame_shares(frames, arts, by="rating"))
    labels = [t.get_text() for t in fig2.axes[0].get_yticklabels()]
    assert any(lab.startswith(topics.NO_FRAME) for lab in labels)
    fig3 = topics.plot_frame_shares(topics.frame_shares(frames, arts, by="year"))
    assert sum(ax.get_visible() for ax in fig3.axes) == comms["frame_id"].nunique() + 1
