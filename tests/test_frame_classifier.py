"""Tests for analysis.frame_classifier on the real Narrative Frames development split.

Texts written inside this file (CSV training, empty-text handling) are SYNTHETIC test text.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from analysis import frame_classifier as F
from analysis.agreement import FRAME_COLUMNS, load_narrative_frames

FAST = dict(inner_splits=3, max_features=5000)


@pytest.fixture(scope="module")
def data():
    df = load_narrative_frames()
    return df, F._as_texts(df["text"]), df[list(FRAME_COLUMNS)].to_numpy()


@pytest.fixture(scope="module")
def small_model(data):
    df, texts, Y = data
    return F.FrameClassifier(**FAST).fit(texts[:200], df[list(FRAME_COLUMNS)].iloc[:200])


def test_estimator_api(small_model, data):
    _, texts, _ = data
    params = small_model.get_params()
    assert params["inner_splits"] == 3 and params["lead_words"] == 60
    fresh = clone(small_model)
    assert not hasattr(fresh, "coef_")
    fresh.set_params(C=0.5)
    assert fresh.get_params()["C"] == 0.5
    proba = small_model.predict_proba(texts[200:220])
    assert proba.shape == (20, 5)
    assert ((proba > 0) & (proba < 1)).all()
    pred = small_model.predict(texts[200:220])
    assert set(np.unique(pred)) <= {0, 1}
    assert (pred == (proba >= small_model.thresholds_)).all()
    assert small_model.label_names_ == list(FRAME_COLUMNS)
    assert small_model.coef_.shape == (5, small_model.n_features_)


def test_json_round_trip_is_exact(small_model, data, tmp_path):
    _, texts, _ = data
    path = F.save_frame_classifier(small_model, tmp_path / "m.json")
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["format"] == F.MODEL_FORMAT
    loaded = F.load_frame_classifier(path)
    sample = texts[200:260]
    assert np.array_equal(loaded.predict_proba(sample), small_model.predict_proba(sample))
    assert np.array_equal(loaded.thresholds_, small_model.thresholds_)
    assert loaded.get_params() == small_model.get_params()


def test_shipped_model_matches_retraining(data):
    df, texts, Y = data
    meta = F.frame_model_metadata()
    assert meta["training"]["n_articles"] == 296
    assert meta["training"]["sha256"] == F.training_sha256(texts, Y, FRAME_COLUMNS)
    assert "scikit-learn" in meta["package_versions"]
    models = {r["model"] for r in meta["cv_scores"]}
    assert {"tfidf_logreg_plain", "frame_classifier", "human_ceiling"} <= models
    shipped = F.load_frame_classifier()
    retrained = F.train_frame_classifier(df)
    sample = texts[:40]
    assert np.array_equal(shipped.predict_proba(sample), retrained.predict_proba(sample))


def test_beats_plain_tfidf_in_cross_validation(data):
    _, texts, Y = data
    folds = F.frame_folds(Y, n_splits=3, seed=0)
    plain = F._scores_row("plain", Y, F.plain_tfidf_predictions(texts, Y, folds))
    ours = F._scores_row("ours", Y, F.classifier_predictions(texts, Y, folds, FAST))
    assert ours["macro_f1"] > plain["macro_f1"] + 0.15
    # the plain baseline misses the rare frames; ours finds some of them
    assert ours["human_interest"] > plain["human_interest"]
    assert ours["moral"] > plain["moral"]


def test_folds_are_by_article_and_stratified(data):
    _, _, Y = data
    folds = F.frame_folds(Y, n_splits=5, seed=0)
    test_idx = np.concatenate([te for _, te in folds])
    assert sorted(test_idx) == list(range(len(Y)))
    for tr, te in folds:
        assert not set(tr) & set(te)
        assert (Y[te].sum(axis=0) >= 5).all()  # every frame has positives in every fold
    again = F.frame_folds(Y, n_splits=5, seed=0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again, strict=True))


def test_predict_frames_handles_empty_text(small_model, data):
    _, texts, _ = data
    inputs = [texts[250], "", "   ", None, texts[251]]
    out = F.predict_frames(inputs, model=small_model, doc_ids=["a", "b", "c", "d", "e"])
    assert list(out["status"]) == ["ok", "empty_text", "empty_text", "empty_text", "ok"]
    assert out.loc[1:3, list(F.PROB_COLUMNS)].isna().all().all()
    assert out.loc[[0, 4], list(F.PROB_COLUMNS)].notna().all().all()
    assert out.loc[1:3, list(FRAME_COLUMNS)].isna().all().all()
    expected = small_model.predict(inputs[0:1])[0]
    assert list(out.loc[0, list(FRAME_COLUMNS)].astype(int)) == list(expected)
    assert list(out.columns[:1]) == ["doc_id"]


def _write_synthetic_csv(path, rows):
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


SYNTHETIC = [  # synthetic test texts
    {"body": "Lawmakers clashed and attacked each other over the bill.", "conflict": "1"},
    {"body": "The budget will cost taxpayers billions of dollars.", "conflict": "0"},
    {"body": "Rivals traded blame in a bitter dispute over the rules.", "conflict": "yes"},
    {"body": "A family described how the flood changed their lives.", "conflict": "no"},
    {"body": "The senators fought over the vote and accused opponents.", "conflict": "True"},
    {"body": "Prices rose as the market reacted to the new tariff.", "conflict": "False"},
]


def test_train_from_csv_on_synthetic_labels(tmp_path):
    path = _write_synthetic_csv(tmp_path / "ok.csv", SYNTHETIC)
    model = F.train_from_csv(path, "body", ["conflict"], inner_splits=2, min_df=1, lead_words=None)
    assert model.label_names_ == ["conflict"]
    out = F.predict_frames(["Opponents clashed in a bitter dispute."], model=model)
    assert list(out.columns) == ["conflict", "conflict_prob", "status"]
    assert 0 < out.loc[0, "conflict_prob"] < 1


def test_bad_csv_missing_column(tmp_path):
    path = _write_synthetic_csv(tmp_path / "missing.csv", SYNTHETIC)
    with pytest.raises(ValueError, match=r"missing\.csv.*missing column.*'moral'"):
        F.train_from_csv(path, "body", ["conflict", "moral"])
    with pytest.raises(ValueError, match=r"missing column.*'text'"):
        F.train_from_csv(path, "text", ["conflict"])


def test_bad_csv_non_binary_label_names_file_row_column(tmp_path):
    rows = [dict(r) for r in SYNTHETIC]
    rows[3]["conflict"] = "maybe"
    path = _write_synthetic_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(ValueError, match=r"bad\.csv: row 4 \(line 5\), column 'conflict'.*maybe"):
        F.train_from_csv(path, "body", ["conflict"])
    rows[3]["conflict"] = "2"
    path = _write_synthetic_csv(tmp_path / "two.csv", rows)
    with pytest.raises(ValueError, match=r"row 4 .*non-binary label '2'"):
        F.train_from_csv(path, "body", ["conflict"])
    rows[3]["conflict"] = ""
    path = _write_synthetic_csv(tmp_path / "empty.csv", rows)
    with pytest.raises(ValueError, match=r"row 4 .*empty label"):
        F.train_from_csv(path, "body", ["conflict"])
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        F.train_from_csv(tmp_path / "nope.csv", "body", ["conflict"])
