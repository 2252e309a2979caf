"""add-corpus: manifest + data card written, idempotent, the new corpus loads the same way.

The example export is made from real shipped articles (12 rows, columns renamed the way a vendor
export might name them)."""

from __future__ import annotations

import yaml

from analysis.add_corpus import GEN_END, GEN_START, add_corpus
from analysis.corpus import load_corpus


def _export(tmp_path, shipped_corpus):
    arts, _ = shipped_corpus
    df = arts.head(12)[["doc_id", "title", "text", "date_raw", "url"]].rename(
        columns={"doc_id": "story_id", "text": "body", "date_raw": "published"}
    )
    f = tmp_path / "export.csv"
    df.to_csv(f, index=False)
    return f


def test_add_corpus_writes_manifest_and_card_and_is_idempotent(tmp_path, shipped_corpus):
    src = _export(tmp_path, shipped_corpus)
    corpora = tmp_path / "corpora"
    folder, rep, actions = add_corpus(src, "example", outlet_from="url", corpora_dir=corpora)
    assert actions == ["wrote corpus.yml", "wrote DATACARD.md"]
    manifest = yaml.safe_load((folder / "corpus.yml").read_text())
    assert manifest["columns"] == {
        "doc_id": "story_id",
        "text": "body",
        "title": "title",
        "date": "published",
        "url": "url",
    }
    assert manifest["source_location"] == "external" and manifest["format"] == "csv"
    assert manifest["licence"].startswith("TODO")  # never invented
    card = (folder / "DATACARD.md").read_text()
    assert "| read | 12 |" in card and GEN_START in card
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    _, _, again = add_corpus(src, "example", outlet_from="url", corpora_dir=corpora)
    assert again == ["nothing to do: the corpus folder is up to date"]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    # the analyst's own text in the data card survives a refresh
    (folder / "DATACARD.md").write_text(card.replace("TODO: one paragraph", "Our own words"))
    add_corpus(src, "example", outlet_from="url", corpora_dir=corpora)
    assert "Our own words" in (folder / "DATACARD.md").read_text()
    arts, rep2 = load_corpus(folder, use_cache=False)
    assert len(arts) == 12 and rep2.read == 12
    assert arts["outlet"].str.contains(r"\.", regex=True).all()  # outlet from URL domain


def test_add_corpus_copy_keeps_manifest_inside_folder(tmp_path, shipped_corpus):
    src = _export(tmp_path, shipped_corpus)
    folder, _, actions = add_corpus(src, "copied", copy=True, corpora_dir=tmp_path / "c")
    assert (folder / "export.csv").exists() and actions[0].startswith("copied")
    manifest = yaml.safe_load((folder / "corpus.yml").read_text())
    assert manifest["files"] == ["export.csv"] and "source_location" not in manifest
    arts, _ = load_corpus(folder, use_cache=False)
    assert len(arts) == 12


def test_edited_manifest_is_kept_unless_forced(tmp_path, shipped_corpus):
    src = _export(tmp_path, shipped_corpus)
    folder, _, _ = add_corpus(src, "edited", corpora_dir=tmp_path / "c")
    m = folder / "corpus.yml"
    m.write_text(m.read_text().replace("TODO: how to cite the source", "Doe 2026"))
    _, _, actions = add_corpus(src, "edited", corpora_dir=tmp_path / "c")
    assert "kept the existing corpus.yml" in actions[0]
    assert "Doe 2026" in m.read_text()
    _, _, actions = add_corpus(src, "edited", corpora_dir=tmp_path / "c", force=True)
    assert actions[0] == "wrote corpus.yml" and "Doe 2026" not in m.read_text()


def test_bad_name_is_refused(tmp_path, shipped_corpus):
    import pytest

    from analysis.schema import CorpusError

    with pytest.raises(CorpusError, match="corpus names"):
        add_corpus(_export(tmp_path, shipped_corpus), "../escape", corpora_dir=tmp_path)


def test_datacard_block_markers_balance(tmp_path, shipped_corpus):
    folder, _, _ = add_corpus(_export(tmp_path, shipped_corpus), "m", corpora_dir=tmp_path / "c")
    card = (folder / "DATACARD.md").read_text()
    assert card.count(GEN_START) == 1 and card.count(GEN_END) == 1
    assert card.index(GEN_START) < card.index(GEN_END)
