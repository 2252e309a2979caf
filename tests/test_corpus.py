"""Corpus layer: readers, reconciliation, rules, manifests, duplicates, the CLI contract.

Texts written here are SYNTHETIC test data.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pandas as pd
import pytest

from analysis import paths
from analysis.corpus import load_corpus, study_articles
from analysis.dedup import DedupConfig, duplicate_groups, duplicate_pairs
from analysis.schema import ARTICLE_COLUMNS, CorpusError, validate_articles

SYN = "SYNTHETIC test article about encryption policy and data privacy rules. "


def _load(path, **kw):
    return load_corpus(path, use_cache=False, **kw)


# ------------------------------------------------------------------ readers
def test_csv_with_common_names_loads_without_manifest(tmp_path):
    f = tmp_path / "export.csv"
    pd.DataFrame(
        {
            "id": ["a", "b"],
            "content": [SYN + "one", SYN + "two"],
            "publish_date": ["2019-06-28", ""],
            "media_name": ["Fox Online News", "vox.com"],
            "headline": ["A", "B"],
            "extra": [1, 2],
        }
    ).to_csv(f, index=False)
    arts, rep = _load(f)
    assert list(arts.columns[: len(ARTICLE_COLUMNS)]) == list(ARTICLE_COLUMNS)
    assert rep.columns_mapped == {
        "doc_id": "id",
        "text": "content",
        "title": "headline",
        "date": "publish_date",
        "outlet": "media_name",
    }
    assert rep.metadata_columns == ["extra"]
    assert rep.reader == "csv" and rep.read == 2 == rep.kept
    assert arts.loc[1, "date"] is pd.NaT and arts.loc[1, "date_raw"] == ""
    validate_articles(arts)


def test_tsv_and_parquet_and_lines(tmp_path):
    df = pd.DataFrame({"doc_id": ["x1", "x2", "x3"], "text": [SYN + "a", SYN + "b", SYN + "c"]})
    df.to_csv(tmp_path / "a.tsv", sep="\t", index=False)
    df.to_parquet(tmp_path / "a.parquet")
    (tmp_path / "docs.txt").write_text(f"{SYN} one\n\n{SYN} two\n{SYN} three\n")
    for name in ("a.tsv", "a.parquet"):
        arts, rep = _load(tmp_path / name)
        assert arts["doc_id"].tolist() == ["x1", "x2", "x3"], name
    arts, rep = _load(tmp_path / "docs.txt", format="lines", fold=False)
    assert rep.read == 3 and arts["doc_id"].tolist() == ["docs-1", "docs-3", "docs-4"]


def test_jsonl_gz_with_malformed_lines_reports_line_numbers(tmp_path):
    lines = [
        json.dumps({"id": "1", "text": SYN + "first"}),
        "{not json",
        "[1, 2]",
        json.dumps({"id": "2", "text": SYN + "second"}),
    ]
    f = tmp_path / "c.jsonl.gz"
    f.write_bytes(gzip.compress("\n".join(lines).encode()))
    arts, rep = _load(f)
    assert rep.read == 4 and rep.kept == 2 and rep.rejected == 2
    pos = {r.reason: r.position for r in rep.rejections}
    assert pos == {"malformed_json": "line 2", "not_an_object": "line 3"}


def test_txt_folder_with_sidecar_subfolders_and_readme(tmp_path):
    (tmp_path / "left").mkdir()
    (tmp_path / "right").mkdir()
    (tmp_path / "left" / "a1.txt").write_text(SYN + "left one")
    (tmp_path / "right" / "b1.txt").write_text(SYN + "right one")
    (tmp_path / "README.md").write_text("How this folder was made")
    (tmp_path / "metadata.csv").write_text(
        "file,outlet,date\nleft/a1.txt,Vox,2019-01-02\n"
        "right/b1.txt,Fox News,1/21/18\nmissing.txt,X,\n"
    )
    arts, rep = _load(tmp_path, fold=False)
    assert sorted(arts["doc_id"]) == ["left/a1", "right/b1"]
    assert sorted(arts["category"]) == ["left", "right"]
    assert dict(zip(arts["doc_id"], arts["outlet"])) == {"left/a1": "Vox", "right/b1": "Fox News"}
    assert rep.reasons == {"not_an_article": 1}  # README reported, not loaded
    assert rep.read == 3 == rep.kept + rep.rejected
    assert any("missing" in w.message for w in rep.warnings)


# ------------------------------------------------------------------ the broken corpus
def _broken_corpus(tmp_path):
    rows = [
        json.dumps({"id": "ok1", "text": SYN + "fine"}).encode(),
        json.dumps({"id": "empty", "text": "   "}).encode(),
        json.dumps({"id": "ok1", "text": SYN + "same id again"}).encode(),
        b'{"id": "badbytes", "text": "caf\xe9 au lait"}',
        b'{"id": "trunc", "text": "cut off',
        json.dumps({"text": SYN + "no id"}).encode(),
        json.dumps({"id": "big", "text": (SYN * 150_000)[:10_000_000]}).encode(),
        json.dumps({"id": "html", "text": "<p>" + SYN + "</p><script>alert(1)</script>"}).encode(),
        json.dumps({"id": "bin", "text": "\x00\x01\x02" * 100}).encode(),
        json.dumps({"id": "ok2", "text": SYN + "fine too", "date": "0001-11-30"}).encode(),
    ]
    f = tmp_path / "broken.jsonl"
    f.write_bytes(b"\n".join(rows))
    return f


def test_broken_corpus_reconciles_and_names_every_reason(tmp_path):
    arts, rep = _load(_broken_corpus(tmp_path), fold=False)
    assert rep.read == 10
    assert rep.read == rep.kept + rep.rejected
    assert rep.reasons == {
        "duplicate_doc_id": 1,
        "empty_text": 1,
        "malformed_json": 1,
        "missing_field": 1,
        "not_text": 1,
        "undecodable_bytes": 1,
    }
    assert sorted(arts["doc_id"]) == ["big", "html", "ok1", "ok2"]
    by_reason = {r.reason: r for r in rep.rejections}
    assert by_reason["malformed_json"].position == "line 5"
    assert by_reason["undecodable_bytes"].position == "line 4"
    assert by_reason["duplicate_doc_id"].doc_id == "ok1"
    assert "first occurrence kept" in by_reason["duplicate_doc_id"].detail
    # the 10 MB article is kept whole with a warning; HTML converted; impossible date kept as NaT
    big = arts.set_index("doc_id").loc["big", "text"]
    assert len(big) == 10_000_000
    msgs = " ".join(w.message for w in rep.warnings)
    assert "very_long_text" in msgs and "html_stripped" in msgs and "impossible date" in msgs
    html = arts.set_index("doc_id").loc["html", "text"]
    assert "<p>" not in html and "alert" not in html and "encryption policy" in html


def test_missing_text_column_is_fatal_and_names_the_file(tmp_path):
    f = tmp_path / "notext.csv"
    f.write_text("id,headline_only\n1,hello\n")
    with pytest.raises(CorpusError) as err:
        _load(f)
    assert "notext.csv" in str(err.value) and "no text column" in str(err.value)
    assert "--text-column" in str(err.value)


def test_text_column_override(tmp_path):
    f = tmp_path / "odd.csv"
    f.write_text(f"key,words\n1,{SYN}\n")
    arts, rep = _load(f, columns={"text": "words", "doc_id": "key"})
    assert arts["doc_id"].tolist() == ["1"] and rep.columns_mapped["text"] == "words"


def test_fatal_errors_for_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(CorpusError, match="file not found"):
        _load(tmp_path / "nope.csv")
    odd = tmp_path / "data.xyz"
    odd.write_bytes(b"\x89\x00\x00binary")
    with pytest.raises(CorpusError) as err:
        _load(odd)
    assert "--format" in str(err.value) and "csv" in str(err.value)


# ------------------------------------------------------------------ manifests
def test_manifest_path_escape_is_refused(tmp_path):
    folder = tmp_path / "corpora" / "evil"
    folder.mkdir(parents=True)
    (tmp_path / "secret.csv").write_text(f"id,text\n1,{SYN}\n")
    (folder / "corpus.yml").write_text("name: evil\nfiles: [../../secret.csv]\n")
    with pytest.raises(CorpusError, match="leaves the corpus folder"):
        _load(folder)
    (folder / "corpus.yml").write_text(f"name: evil\nfiles: [{tmp_path / 'secret.csv'}]\n")
    with pytest.raises(CorpusError, match="absolute path"):
        _load(folder / "corpus.yml")


def test_malformed_manifest_names_line(tmp_path):
    (tmp_path / "corpus.yml").write_text("name: x\nfiles: [a.csv\ncolumns: {text: body}\n")
    with pytest.raises(CorpusError, match=r"line \d+"):
        _load(tmp_path)
    (tmp_path / "corpus.yml").write_text("name: x\nfiles: [a.csv]\ncolums: {}\n")
    with pytest.raises(CorpusError, match="unknown manifest key"):
        _load(tmp_path)


# ------------------------------------------------------------------ duplicates
def test_near_duplicates_grouped_within_window():
    base = (
        "SYNTHETIC. The Senate voted on Tuesday to extend the surveillance programme for two "
        "more years after a long debate about privacy, warrants and the role of the secret "
        "court that approves requests from intelligence agencies. Critics said the bill did "
        "not go far enough to protect Americans from bulk collection of their phone records."
    )
    near = base.replace("Tuesday", "Wednesday")
    other = "SYNTHETIC. A completely different story about net neutrality rules and the FCC."
    arts = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d", "e"],
            "text": [base, near, other, base.upper(), near + " Extra final sentence."],
            "date": pd.to_datetime(
                ["2019-01-01", "2019-01-03", "2019-01-02", "2019-01-05", "2020-06-01"]
            ),
        }
    )
    pairs = duplicate_pairs(arts, DedupConfig(threshold=0.7, window_days=30))
    linked = {frozenset(p) for p in zip(pairs["doc_id_a"], pairs["doc_id_b"])}
    assert frozenset({"a", "d"}) in linked  # exact after normalisation (case)
    assert frozenset({"a", "b"}) in linked  # near copy within 30 days
    assert not any("e" in p for p in linked)  # a near copy 17 months later is not folded
    assert not any("c" in p for p in linked)
    groups = duplicate_groups(arts, pairs)
    assert set(groups.iloc[[0, 1, 3]]) == {groups.iloc[0]}
    pairs_all = duplicate_pairs(arts, DedupConfig(threshold=0.7, window_days=None))
    assert any("e" in p for p in zip(pairs_all["doc_id_a"], pairs_all["doc_id_b"]))


def test_shipped_corpus_reconciles_and_folds(shipped_corpus):
    arts, rep = shipped_corpus
    assert rep.read == 3077
    assert rep.read == rep.kept + rep.rejected
    assert rep.kept == len(arts)
    assert rep.duplicates_folded == sum(r.reason.endswith("_duplicate") for r in rep.rejections)
    validate_articles(arts)
    # outlet spellings normalised through the manifest table
    fox = arts[arts["outlet_raw"].isin(["Fox Online News", "Fox News (Online)", "Fox News"])]
    assert set(fox["outlet"]) == {"Fox News"}
    assert set(arts["rating"]) == {"left", "center", "right"}


def test_second_load_uses_cache_and_is_identical():
    a1, r1 = load_corpus("allsides_techpolicy")
    a2, r2 = load_corpus("allsides_techpolicy")
    pd.testing.assert_frame_equal(a1, a2)
    assert r1.to_dict() == r2.to_dict()
    assert any((paths.CACHE_DIR / "corpora").glob("*/articles.parquet"))


def test_study_selection_flags_and_sample():
    s = study_articles(sample=50, seed=1)
    assert len(s) == 50 and s["in_study"].all()
    assert (s["subtopics"] != "").all()
    assert s["selection_version"].nunique() == 1


def test_seed_article_corpus():
    arts, rep = load_corpus("seed_article", use_cache=False)
    assert len(arts) == 1 and rep.read == 1
    row = arts.iloc[0]
    assert row["title"].startswith("IBM to stop selling facial recognition")
    assert "×" not in row["text"] and pd.isna(row["date"])  # no date was supplied: none invented


# ------------------------------------------------------------------ CLI contract
def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        cwd=paths.PROJECT_ROOT,
    )


def test_cli_validate_json_contract(tmp_path):
    out = _cli("corpus", "validate", str(_broken_corpus(tmp_path)), "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    for key in ("read", "kept", "rejected", "reasons", "duplicates_folded", "columns_mapped"):
        assert key in d
    assert d["read"] == d["kept"] + d["rejected"] == 10


def test_cli_fatal_problem_exits_nonzero_with_message(tmp_path):
    out = _cli("corpus", "validate", str(tmp_path / "missing.csv"), "--json")
    assert out.returncode == 2 and "missing.csv" in out.stderr and out.stdout == ""
