"""Actor dictionaries, mentions and actor-targeted sentiment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import actors as A
from analysis.files import load_yaml_safe
from analysis.paths import CORPORA_DIR
from analysis.text import sentence_table

SEED = CORPORA_DIR / "seed_article" / "ibm_facial_recognition_2020.txt"


@pytest.fixture(scope="module")
def seed_sentences() -> tuple[str, pd.DataFrame]:
    text = SEED.read_text(encoding="utf-8")
    arts = pd.DataFrame({"doc_id": ["seed"], "title": [""], "text": [text]})
    return text, sentence_table(arts)


@pytest.fixture(scope="module")
def seed_mentions(seed_sentences) -> pd.DataFrame:
    return A.actor_mentions(seed_sentences[1], A.load_actors())


def test_shipped_actors_load_and_cover_the_study_actors():
    actors = A.load_actors()
    names = {a.name for a in actors}
    for required in ("IBM", "Amazon", "Microsoft", "Congress", "FTC", "civil liberties groups"):
        assert required in names
    assert {a.category for a in actors} <= set(A.CATEGORIES)
    ibm = next(a for a in actors if a.name == "IBM")
    assert "Arvind Krishna" in ibm.aliases and "Big Blue" in ibm.aliases


def test_seed_article_mentions_have_right_offsets(seed_sentences, seed_mentions):
    text, _ = seed_sentences
    m = seed_mentions
    assert list(m.columns) == list(A.MENTION_COLUMNS)
    # every offset indexes the article text and reproduces the matched string
    for s, e, matched in zip(m["start"], m["end"], m["matched"]):
        assert text[s:e] == matched
    for actor in ("IBM", "Amazon"):
        assert (m["actor"] == actor).any()
    # "Arvind Krishna" is one mention (longest alias), not also "Krishna"
    first = text.index("Arvind Krishna")
    at = m[m["start"] == first]
    assert at[["actor", "alias", "end"]].values.tolist() == [["IBM", "Arvind Krishna", first + 14]]
    assert not ((m["start"] == first + 7) & (m["alias"] == "Krishna")).any()
    # Krishna alone, e.g. "Krishna's letter also supported ..."
    k = text.index("Krishna's letter also supported")
    assert ((m["start"] == k) & (m["alias"] == "Krishna") & (m["actor"] == "IBM")).any()
    # Amazon and its product in "Amazon's controversial Rekognition service ..."
    r = text.index("Rekognition")
    assert ((m["start"] == r) & (m["end"] == r + 11) & (m["actor"] == "Amazon")).any()
    # the long Krishna quote is quoted voice; the reporter's own sentences are reporter voice
    q = text.index("IBM firmly opposes")
    assert m.loc[m["start"] == q, "voice"].tolist() == ["quoted"]
    assert m.loc[m["start"] == r, "voice"].tolist() == ["reporter"]


def test_case_rule_apple_vs_apple():
    # synthetic sentences (test data, not from any corpus)
    sents = pd.DataFrame(
        {
            "doc_id": ["syn", "syn", "syn"],
            "sent_idx": [0, 1, 2],
            "part": ["body"] * 3,
            "start": [0, 40, 90],
            "end": [39, 89, 130],
            "text": [
                "She ate an apple and an Apple Daily.",
                "Apple's Tim Cook met POLICE and Police chiefs.",
                "The Amazon rainforest is not Amazon.",
            ],
            "voice": ["reporter"] * 3,
        }
    )
    m = A.actor_mentions(sents, A.load_actors())
    got = list(zip(m["sent_idx"], m["actor"], m["matched"]))
    assert (0, "Apple", "apple") not in got and not (m["sent_idx"] == 0).any()
    assert (1, "Apple", "Apple") in got and (1, "Apple", "Tim Cook") in got
    assert (1, "police/law enforcement", "POLICE") in got
    assert (1, "police/law enforcement", "Police") in got
    assert got.count((2, "Amazon", "Amazon")) == 1  # the rainforest is excluded
    assert m.loc[m["matched"] == "Tim Cook", "start"].item() == 40 + 8


def test_malformed_actor_yaml_errors_name_file_actor_and_key(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("actors:\n  - name: Foo\n    category: company\n    aliases: []\n")
    with pytest.raises(A.ActorsError) as e:
        A.load_actors(bad)
    msg = str(e.value)
    assert "bad.yml" in msg and "'Foo'" in msg and "'aliases'" in msg

    bad.write_text("actors:\n  - name: Foo\n    category: corporation\n    aliases: [Foo]\n")
    with pytest.raises(A.ActorsError, match="'category'"):
        A.load_actors(bad)
    bad.write_text("actors:\n  - name: Foo\n    category: company\n    aliasses: [Foo]\n")
    with pytest.raises(A.ActorsError, match="unknown key"):
        A.load_actors(bad)
    bad.write_text(
        "actors:\n  - {name: A, category: company, aliases: [Foo]}\n"
        "  - {name: B, category: company, aliases: [Foo]}\n"
    )
    with pytest.raises(A.ActorsError, match="already an alias of 'A'"):
        A.load_actors(bad)
    bad.write_text("actors: [unclosed\n")
    with pytest.raises(A.ActorsError, match="not valid YAML"):
        A.load_actors(bad)


def test_analyst_yaml_is_used(tmp_path):
    own = tmp_path / "own.yml"
    own.write_text(
        "actors:\n  - {name: Widgets, category: company, aliases: [Widgetco, widgets]}\n"
    )
    sents = pd.DataFrame(  # synthetic
        {
            "doc_id": ["syn"],
            "sent_idx": [0],
            "part": ["title"],
            "start": [0],
            "end": [30],
            "text": ["Widgetco sells Widgets to IBM"],
            "voice": ["reporter"],
        }
    )
    m = A.actor_mentions(sents, own)
    assert m["matched"].tolist() == ["Widgetco", "Widgets"]
    assert set(m["actor"]) == {"Widgets"}


def test_amazon_negative_in_rekognition_sentence(seed_sentences, seed_mentions):
    _, sents = seed_sentences
    sid = sents.loc[sents["text"].str.startswith("Amazon's controversial Rekognition"), "sent_idx"]
    assert len(sid) == 1
    ment = seed_mentions[seed_mentions["sent_idx"] == sid.item()]
    scored = A.mention_sentiment(sents, ment)
    amazon = scored[scored["alias"] == "Amazon"]
    assert amazon["score"].item() < 0
    assert amazon["label"].item() == "negative"
    per_doc = A.actor_sentiment(sents, ment)
    row = per_doc[per_doc["actor"] == "Amazon"].iloc[0]
    assert row["n_mentions"] == 2 and row["n_sentences"] == 1
    assert row["mean_sentiment"] < 0 and row["share_negative"] > 0


def test_actor_sentiment_table_for_seed_article(seed_sentences, seed_mentions):
    _, sents = seed_sentences
    out = A.actor_sentiment(sents, seed_mentions)
    ibm = out[out["actor"] == "IBM"].iloc[0]
    assert ibm["n_mentions"] == (seed_mentions["actor"] == "IBM").sum()
    assert ibm["n_mentions_reporter"] < ibm["n_mentions"]  # some IBM mentions are quoted
    assert out["mean_sentiment"].between(-1, 1).all()
    assert ((out["share_negative"] + out["share_positive"]) <= 1 + 1e-9).all()


def test_actor_sentiment_table_equals_the_per_group_definition():
    """SYNTHETIC scored mentions: the vectorised table equals the plain per-group computation
    (count, distinct sentences, mean score, label shares), overall and in reporter voice."""
    rng = np.random.default_rng(3)
    n = 400
    scored = pd.DataFrame(
        {
            "doc_id": rng.choice(["d1", "d2", "d3", "d4"], n),
            "actor": rng.choice(["IBM", "Amazon", "police"], n),
            "sent_idx": rng.integers(0, 12, n),
            "voice": rng.choice(["reporter", "quoted"], n, p=[0.7, 0.3]),
            "score": rng.uniform(-1, 1, n),
            "label": rng.choice(["negative", "neutral", "positive"], n),
        }
    )
    scored.loc[(scored["doc_id"] == "d4") & (scored["actor"] == "police"), "voice"] = "quoted"
    out = A.actor_sentiment_table(scored).set_index(["doc_id", "actor"])
    assert list(out.reset_index().columns) == A.ACTOR_COLUMNS
    for (doc, actor), g in scored.groupby(["doc_id", "actor"]):
        row = out.loc[(doc, actor)]
        for sfx, part in (("", g), ("_reporter", g[g["voice"] == "reporter"])):
            assert row[f"n_mentions{sfx}"] == len(part)
            assert row[f"n_sentences{sfx}"] == part["sent_idx"].nunique()
            if len(part):
                assert row[f"mean_sentiment{sfx}"] == pytest.approx(part["score"].mean())
                assert row[f"share_negative{sfx}"] == pytest.approx(
                    (part["label"] == "negative").mean()
                )
                assert row[f"share_positive{sfx}"] == pytest.approx(
                    (part["label"] == "positive").mean()
                )
            else:
                assert np.isnan(row[f"mean_sentiment{sfx}"])
    assert out.loc[("d4", "police"), "n_mentions_reporter"] == 0
    assert A.actor_sentiment_table(scored.iloc[:0]).columns.tolist() == A.ACTOR_COLUMNS


def _reference_mentions(sentences: pd.DataFrame, actors) -> list[tuple]:
    """The plain definition: ``pattern.finditer`` over each sentence on its own."""
    matcher = A.actor_matcher(actors)
    rows = []
    for d, i, part, s0, text, voice in zip(
        sentences["doc_id"],
        sentences["sent_idx"],
        sentences["part"],
        sentences["start"],
        sentences["text"],
        sentences["voice"],
        strict=True,
    ):
        for m in matcher.pattern.finditer(text):
            hit = matcher.lookup(m.group(0))
            if hit is not None:
                rows.append((d, i, part, *hit, m.group(0), s0 + m.start(), s0 + m.end(), voice))
    return rows


def test_candidate_scan_finds_exactly_what_finditer_finds_on_real_articles():
    """actor_mentions runs the alias expression only where an Aho-Corasick pass found a phrase's
    first word; on 150 real pool articles it must give exactly the per-sentence finditer result."""
    from analysis.corpus import load_corpus

    arts, _ = load_corpus("allsides_techpolicy")
    sents = sentence_table(arts.head(150))
    got = A.actor_mentions(sents)
    ref = _reference_mentions(sents, A.load_actors())
    assert len(ref) > 1000
    assert list(got.itertuples(index=False, name=None)) == ref


def test_candidate_scan_edge_cases_are_identical_to_finditer():
    # synthetic sentences: multiword aliases over odd whitespace, exclusions, word boundaries,
    # a NUL inside a text, case rules, adjacent sentences, non-ASCII case changes
    texts = [
        "Big\n  Blue and big blue; Apple pie is not Apple.",
        "ibm\x00IBM IBMs xIBM IBM-led the NSA's compensation (NSA) police policemen",
        "İstanbul İBM Amazon's Amazon rainforest Amazon\u00a0Web Services",
        "",
        "Congress. Congress",
        # multiword aliases split by tabs, newlines, several spaces, NBSP; a word prefix of an
        # alias inside a longer word; lower-case forms of case-sensitive aliases; digits/"_"
        "Federal\tTrade  Commission and FEDERAL TRADE COMMISSION, federal trade commission",
        "Department of\nJustice; Department\u00a0of Justice; Departmental Justice",
        "us US U.S. u.s. US_Congress 2US USA trump Trump administration TRUMP",
        "Amazonian Amazon.com amazon.com's ﬁ Amazon é Amazon Amazon_x Amazonx",
        "Mark Zuckerberg's, Bill Gates, billgates, White House, white house",
        # the second word of a multiword phrase after one space, several, a tab, NBSP, none
        "Trump  administration; Trump\tadministration, Trump,administration Trump administrator",
        "Federal\u00a0Trade Commission; Federal Trade\x00Commission; Federal Tradecraft; Federal",
        "White\u2003House and White \u00a0House, Department  of  Justice; Department",
    ]
    sents = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(len(texts))],
            "sent_idx": range(len(texts)),
            "part": "body",
            "start": 0,
            "text": texts,
            "voice": "reporter",
        }
    )
    actors = A.load_actors()
    got = A.actor_mentions(sents, actors)
    assert list(got.itertuples(index=False, name=None)) == _reference_mentions(sents, actors)
    assert len(got) >= 20
    # the same texts in an object column (no pyarrow join) and with a missing text (empty)
    as_object = sents.astype({"text": object})
    pd.testing.assert_frame_equal(A.actor_mentions(as_object, actors), got, check_exact=True)
    gap = sents.astype({"text": object})
    gap.loc[3, "text"] = None
    pd.testing.assert_frame_equal(A.actor_mentions(gap, actors), got, check_exact=True)
    # a KELVIN SIGN folds to an ASCII "k": such texts take the Aho-Corasick path, same result
    kelvin = sents.assign(text=sents["text"].str.replace("Ama", "\u212aAma", regex=False))
    kelvin.loc[len(kelvin)] = ["dk", 0, "body", 0, "\u212aKK IBM \u212aaiser Amazon", "quoted"]
    got = A.actor_mentions(kelvin, actors)
    assert list(got.itertuples(index=False, name=None)) == _reference_mentions(kelvin, actors)


def test_only_the_kelvin_sign_lowercases_to_one_ascii_character():
    # _candidate_starts compares folded UTF-8 bytes; it relies on this fact of Unicode
    import sys

    folds = [
        c for c in range(128, sys.maxunicode + 1) if len(lc := chr(c).lower()) == 1 and lc.isascii()
    ]
    assert [chr(c) for c in folds] == list(A._FOLDS_TO_ASCII)


def test_candidate_starts_cover_every_match_on_real_sentences():
    from analysis.corpus import load_corpus

    arts, _ = load_corpus("allsides_techpolicy")
    sents = sentence_table(arts.iloc[150:400])
    matcher = A.actor_matcher(A.load_actors())
    big = "\x00".join(sents["text"])
    starts = set(A._candidate_starts(matcher, big))
    found = [m.start() for m in matcher.pattern.finditer(big)]
    assert len(found) > 1000 and set(found) <= starts
    # and the filter is selective: far fewer candidates than the automaton's occurrences of
    # first words (which include every occurrence inside a longer word)
    auto = A._candidate_starts_automaton(A._first_words(matcher), big)
    assert set(found) <= set(auto) and len(starts) < len(auto) / 2


def test_mention_sentiment_takes_the_sentence_vader_it_is_given(seed_sentences, seed_mentions):
    from analysis.sentiment import vader_polarity

    _, sents = seed_sentences
    vader = vader_polarity(sents["text"].tolist())
    senti = pd.DataFrame(
        {
            "doc_id": sents["doc_id"].to_numpy()[::-1],  # order does not matter: keyed rows
            "sent_idx": sents["sent_idx"].to_numpy()[::-1],
            "vader_compound": vader["compound"].to_numpy()[::-1],
        }
    )
    plain = A.mention_sentiment(sents, seed_mentions)
    given = A.mention_sentiment(sents, seed_mentions, sentiment=senti)
    pd.testing.assert_frame_equal(plain, given, check_exact=True)
    # the sentence table's own row order (the pipeline's case: rows taken by position)
    in_order = senti.iloc[::-1].reset_index(drop=True).astype({"doc_id": sents["doc_id"].dtype})
    assert in_order["doc_id"].equals(sents["doc_id"])
    same = A.mention_sentiment(sents, seed_mentions, sentiment=in_order)
    pd.testing.assert_frame_equal(plain, same, check_exact=True)
    # different compounds really change the scores (the input is used, not ignored)
    shifted = senti.assign(vader_compound=-senti["vader_compound"])
    other = A.mention_sentiment(sents, seed_mentions, sentiment=shifted)
    assert not np.array_equal(other["score"].to_numpy(), plain["score"].to_numpy())
    with pytest.raises(ValueError, match="vader_compound"):
        A.mention_sentiment(sents, seed_mentions, sentiment=senti.iloc[:3])


def test_actors_file_parses_as_with_safe_load(tmp_path):
    """The loader used (libyaml's safe loader when available) reads the shipped file exactly as
    yaml.safe_load does; a cached parse is handed out as a fresh list and an edited file is read
    anew."""
    import yaml

    from analysis import paths

    src = (paths.RESOURCES_DIR / A.ACTORS_FILE).read_text(encoding="utf-8")
    assert load_yaml_safe(src) == yaml.safe_load(src)
    assert A.load_actors() == A.actors_from_dict(yaml.safe_load(src))
    first = A.load_actors()
    first.clear()
    assert A.load_actors()  # the caller's list, not the cache
    p = tmp_path / "actors.yml"
    p.write_text(
        "actors:\n  - {name: Acme, category: company, aliases: [Acme]}\n", encoding="utf-8"
    )
    assert [a.name for a in A.load_actors(p)] == ["Acme"]
    p.write_text(
        "actors:\n  - {name: Zenith, category: company, aliases: [Zenith]}\n", encoding="utf-8"
    )
    assert [a.name for a in A.load_actors(p)] == ["Zenith"]


def test_eight_byte_keys_equal_shifted_bytes():
    """_eight_bytes(pad)[i] is bytes i..i+7 as a little-endian integer (SYNTHETIC bytes)."""
    rng = np.random.default_rng(7)
    pad = rng.integers(0, 256, 300, dtype=np.uint8)
    got = A._eight_bytes(pad)
    assert len(got) == len(pad) - 7
    want = [int.from_bytes(pad[i : i + 8].tobytes(), "little") for i in range(len(pad) - 7)]
    assert got.tolist() == want
    assert len(A._eight_bytes(pad[:5])) == 0


def test_shared_matcher_and_small_calls_match_the_whole_table(seed_sentences):
    """The cached matcher is the one actor_matcher builds; mentions found sentence by sentence
    (calls where most first words have no candidate) equal those of the whole table."""
    actors = A.load_actors()
    shared = A._shared_matcher(tuple(actors))
    assert shared is A._shared_matcher(tuple(A.load_actors()))
    fresh = A.actor_matcher(actors)
    assert shared.pattern.pattern == fresh.pattern.pattern
    assert shared.exact == fresh.exact and shared.folded == fresh.folded
    sents = seed_sentences[1]
    whole = A.actor_mentions(sents)
    assert len(whole) > 5
    parts = [A.actor_mentions(sents.iloc[i : i + 1]) for i in range(len(sents))]
    pieces = pd.concat([p for p in parts if len(p)], ignore_index=True)
    pd.testing.assert_frame_equal(pieces, whole.reset_index(drop=True), check_exact=True)
