"""Tests for analysis.selection: the tech-policy rules (techpolicy-1.1) and the fast matcher.

Rule behaviour is checked on SYNTHETIC texts written for these tests (not real articles) with the
shipped rule file. The fast matcher is checked against the straightforward engine and against an
independent plain-``re`` implementation, on synthetic edge cases and on real pool articles.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.corpus import load_corpus
from analysis.selection import (
    _lower_literals,
    matched_texts,
    selection_rules,
    subtopic_hits,
    tag_subtopics,
    text_without_site_boilerplate,
)
from analysis.selection_eval import proposed_subtopic_tags

FILLER = "The committee met again on Tuesday to discuss the budget and the farm bill. "  # 76 chars


def _articles(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """SYNTHETIC articles: (title, text, topic)."""
    return pd.DataFrame(
        {
            "doc_id": [f"syn{i}" for i in range(len(rows))],
            "title": [r[0] for r in rows],
            "text": [r[1] for r in rows],
            "topic": [r[2] for r in rows],
        }
    )


def _subs(rows: list[tuple[str, str, str]]) -> list[str]:
    return tag_subtopics(_articles(rows))["subtopics"].tolist()


# ----------------------------------------------------------------------------- the rule file
def test_rules_are_version_1_1_with_documented_changes():
    rules = selection_rules("techpolicy")
    assert rules["version"] == "1.1"
    assert rules["strip_boilerplate"] is True
    assert rules["lead_chars"] == 2500
    assert rules["lead_exempt_tech_topics"] is True
    tagged = tag_subtopics(_articles([("SYNTHETIC", "nothing here", "politics")]))
    assert tagged["selection_version"].iloc[0] == "techpolicy-1.1"


# ----------------------------------------------------------------------------- rule behaviour
def test_title_hit_tags_without_body_hits():
    # SYNTHETIC
    assert _subs([("Senators debate encryption rules", FILLER, "politics")]) == ["encryption"]


def test_body_threshold():
    # SYNTHETIC: encryption needs 2 body hits (min_body_hits), surveillance 4
    one = "Officials said encryption came up. " + FILLER
    two = "Officials said encryption came up, and encryption again. " + FILLER
    three_nsa = "The NSA, the NSA and the NSA were named. " + FILLER
    four_nsa = "The NSA, the NSA, the NSA and the NSA were named. " + FILLER
    subs = _subs(
        [("t", one, "politics"), ("t", two, "politics"), ("t", three_nsa, "politics")]
        + [("t", four_nsa, "politics")]
    )
    assert subs == ["", "encryption", "", "surveillance"]


def test_lead_window_requires_a_hit_in_the_first_2500_characters():
    # SYNTHETIC: the same two encryption hits early or after 2,600 characters of filler
    late_body = FILLER * 35 + "Later, encryption and encryption again."
    early_body = "Encryption and encryption again. " + FILLER * 35
    assert len(FILLER * 35) > 2500
    subs = _subs([("t", early_body, "politics"), ("t", late_body, "politics")])
    assert subs == ["encryption", ""]
    # without the lead window (v1.0 behaviour) the late hits count
    no_lead = proposed_subtopic_tags(_articles([("t", late_body, "politics")]), lead_chars=None)
    assert no_lead["subtopics"].tolist() == ["encryption"]


def test_lead_window_is_matched_as_if_the_body_ended_there():
    # SYNTHETIC: one hit ends exactly at character 2,500, one starts just before it and ends after
    ends_at_limit = "x" * (2500 - len(" encryption")) + " encryption"
    assert len(ends_at_limit) == 2500
    body_in = ends_at_limit + " and more encryption later. " + FILLER
    body_out = "x" * 2495 + " encryption and more encryption later. " + FILLER
    hits = subtopic_hits(_articles([("t", body_in, "politics"), ("t", body_out, "politics")]))
    assert hits["encryption_body"].tolist() == [2, 2]
    assert hits["encryption_lead"].tolist() == [1, 0]


def test_tech_topic_exempt_from_threshold_and_lead_window():
    # SYNTHETIC: one late hit counts when AllSides files the story under a tech topic
    late_one = FILLER * 35 + "A word on encryption."
    subs = _subs(
        [("t", late_one, "technology"), ("t", late_one, "nsa"), ("t", late_one, "politics")]
    )
    assert subs == ["encryption", "encryption", ""]


def test_boilerplate_stripped_before_matching():
    # SYNTHETIC text in The Hill's related-links layout: the headline block would give
    # platform_speech and ai 2 hits each
    block = (
        "Sen. Jane Roe Jane Q. RoeHillicon Valley: Social media giants face deepfakes | "
        "Social media giants and deepfakes again MORE (D) spoke on farm subsidies. "
    )
    text = block + FILLER + "By signing up, you agree to our Privacy Policy"
    arts = _articles([("Farm bill vote", text, "politics")])
    assert _subs([("Farm bill vote", text, "politics")]) == [""]
    unstripped = proposed_subtopic_tags(arts, strip_boilerplate=False)
    assert unstripped["subtopics"].iloc[0] == "platform_speech;ai"
    stripped = text_without_site_boilerplate(text)
    assert "Jane Q. Roe (D) spoke on farm subsidies." in stripped
    assert "Privacy Policy" not in stripped
    assert matched_texts(arts).iloc[0] == stripped


def test_boilerplate_prefilters_do_not_change_the_result():
    # SYNTHETIC: the substring prefilters (" MORE", "privacy policy") must not skip a match
    texts = [
        "no marker here Jane RoeHillicon Valley",
        "Name NameHeadline one MORE and YOU AGREE TO OUR PRIVACY POLICY now",
        "You can read our Privacy Policy here. Then text.",
        "Kelvin \u212a sign and İstanbul, no boilerplate MORE",
    ]
    hill = re.compile(r"\b([A-Z][a-z]+)(?=[A-Z][a-z])[^\n]{1,700}?(?<![A-Z]) MORE\b")
    priv = re.compile(
        r"(?:By signing up, )?you agree to our Privacy Policy[^\n]*"
        r"|This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service"
        r" apply\.?|See our Privacy Policy for further details\.|You can read our Privacy Policy"
        r" here\.",
        re.IGNORECASE,
    )
    for t in texts:
        assert text_without_site_boilerplate(t) == priv.sub("", hill.sub(r"\1", t))


def test_testimony_pattern():
    # SYNTHETIC: P4, "testimony" now counts for tech_regulation; "testified" still does
    subs = _subs(
        [
            ("After Zuckerberg's Facebook testimony, what next?", FILLER, "politics"),
            ("Google executive testified on Tuesday", FILLER, "politics"),
            ("Facebook chief on testing new features", FILLER, "politics"),
        ]
    )
    assert subs == ["tech_regulation", "tech_regulation", ""]


# ----------------------------------------------------------------------------- fast matcher
def test_lower_literals_keeps_escapes():
    assert _lower_literals(r"\bFISA\b|\W+NSA|A\.I\.|[A-Z]") == r"\bfisa\b|\W+nsa|a\.i\.|[a-z]"


def _straightforward_flags(articles: pd.DataFrame) -> pd.DataFrame:
    """An independent, plain implementation of the v1.1 rules (re, IGNORECASE, text[:lead])."""
    rules = selection_rules("techpolicy")
    by_sub = rules["min_body_hits_by_subtopic"]
    lead = rules["lead_chars"]
    tech = articles["topic"].isin(rules["tech_topics"]).to_numpy()
    bodies = [text_without_site_boilerplate(t) for t in articles["text"]]
    out = {}
    for sub, pats in rules["subtopics"].items():
        rx = re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)
        title = np.array([len(rx.findall(t)) > 0 for t in articles["title"]])
        body = np.array([len(rx.findall(b)) for b in bodies])
        in_lead = np.array([len(rx.findall(b[:lead])) > 0 for b in bodies])
        need = np.where(tech, 1, by_sub.get(sub, rules["min_body_hits"]))
        out[f"sub_{sub}"] = title | ((body >= need) & (in_lead | tech))
    return pd.DataFrame(out, index=articles.index)


SYNTHETIC_EDGE_TEXTS = [
    # SYNTHETIC: case variants, characters IGNORECASE folds to ASCII letters, length-changing
    # lower-casing, escapes in patterns (\W, \b, A\.I\.)
    "The nsa and the NSA and the Nsa and FISA and fisa.",
    "Hac\u212aed by hac\u212aers: the \u212aelvin sign folds to k; cyber attack, cyber crime.",
    "İstanbul: FACEBOOK -- censors hate speech; facebook   fact-checks A.I. and a.i. models.",
    "ſurveillance of ſnowden; Section 230 and SECTION 230; ENCRYPTION, Encrypted, backdoors.",
    "Dotless ı: prıvacy law; privacy laws; GDPR; gdpr; data breaches; PERSONAL DATA.",
]


def test_fast_matcher_equals_straightforward_on_synthetic_edge_cases():
    arts = _articles([(t[:40], t, "politics") for t in SYNTHETIC_EDGE_TEXTS])
    fast = subtopic_hits(arts)
    slow = subtopic_hits(arts, fast=False)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["cybersecurity_body"].iloc[1] >= 4  # the Kelvin-sign words still count
    sub_cols = [c for c in tag_subtopics(arts).columns if c.startswith("sub_")]
    pd.testing.assert_frame_equal(tag_subtopics(arts)[sub_cols], _straightforward_flags(arts))


@pytest.fixture(scope="module")
def pool_subset() -> pd.DataFrame:
    articles, _ = load_corpus("allsides_techpolicy")
    return articles.sort_values("doc_id").iloc[::24]  # about 128 real articles


def test_fast_matcher_equals_straightforward_on_real_articles(pool_subset):
    fast = subtopic_hits(pool_subset)
    slow = subtopic_hits(pool_subset, fast=False)
    pd.testing.assert_frame_equal(fast, slow)
    tagged = tag_subtopics(pool_subset)
    sub_cols = [c for c in tagged.columns if c.startswith("sub_")]
    pd.testing.assert_frame_equal(tagged[sub_cols], _straightforward_flags(pool_subset))
    assert tagged["in_study"].any() and not tagged["in_study"].all()
