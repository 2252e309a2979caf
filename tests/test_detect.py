"""Format detection from content (SYNTHETIC fixtures and small synthetic files written here) and
the vendor decoding rule."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from analysis.importers.detect import (
    GENERIC_FORMATS,
    VENDOR_FORMATS,
    declared_charset,
    decode_bytes,
    detect_format,
    supported_formats,
)
from analysis.schema import CorpusError

FIX = Path(__file__).parent / "fixtures" / "vendor"


@pytest.mark.parametrize(
    "name,fmt",
    [
        ("SYNTHETIC_lexisnexis.txt", "lexisnexis"),
        ("SYNTHETIC_lexisnexis.html", "lexisnexis"),
        ("SYNTHETIC_factiva_table.html", "factiva"),
        ("SYNTHETIC_factiva_article.html", "factiva"),
        ("SYNTHETIC_factiva.txt", "factiva"),
        ("SYNTHETIC_factiva.rtf", "factiva"),
        ("SYNTHETIC_factiva.xml", "factiva"),
        ("SYNTHETIC_proquest.txt", "proquest"),
        ("SYNTHETIC_proquest.eml", "proquest"),
        ("SYNTHETIC_mediacloud_search.csv", "mediacloud"),
        ("SYNTHETIC_mediacloud_explorer.csv", "mediacloud"),
        ("SYNTHETIC_mediacloud_stories.json", "mediacloud"),
        ("SYNTHETIC_gdelt_artlist.json", "gdelt"),
        ("SYNTHETIC_gdelt_artlist.csv", "gdelt"),
        ("SYNTHETIC_gdelt_rate_limited.txt", "gdelt"),
        ("SYNTHETIC_gdelt_keyword_error.txt", "gdelt"),
        ("SYNTHETIC_page.html", "html_page"),
    ],
)
def test_fixture_formats(name, fmt):
    got, reason = detect_format(FIX / name)
    assert got == fmt and reason


@pytest.mark.parametrize(
    "name,new_name,fmt",
    [
        # vendor exports under misleading names are still recognised from their content
        ("SYNTHETIC_lexisnexis.txt", "article.txt", "lexisnexis"),
        ("SYNTHETIC_lexisnexis.txt", "download.html", "lexisnexis"),
        ("SYNTHETIC_lexisnexis.html", "saved_page.htm", "lexisnexis"),
        ("SYNTHETIC_factiva_table.html", "export.txt", "factiva"),
        ("SYNTHETIC_proquest.txt", "results.dat", "proquest"),
        ("SYNTHETIC_proquest.eml", "message.txt", "proquest"),
        ("SYNTHETIC_mediacloud_search.csv", "stories.txt", "mediacloud"),
        ("SYNTHETIC_gdelt_artlist.json", "gdelt.txt", "gdelt"),
    ],
)
def test_content_beats_extension(tmp_path, name, new_name, fmt):
    p = tmp_path / new_name
    shutil.copy(FIX / name, p)
    assert detect_format(p)[0] == fmt


def test_nexis_uni_docx_is_detected(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("SYNTHETIC headline")
    d.add_paragraph("Body")
    d.add_paragraph("Invented text.")
    d.add_paragraph("\nEnd of Document")
    d.save(str(tmp_path / "download.docx"))
    assert detect_format(tmp_path / "download.docx")[0] == "nexis_uni"
    d = docx.Document()
    d.add_paragraph("SYNTHETIC plain Word file")
    d.save(str(tmp_path / "plain.docx"))
    with pytest.raises(CorpusError, match="--format"):
        detect_format(tmp_path / "plain.docx")


def test_generic_formats(tmp_path):
    (tmp_path / "a.csv").write_text("doc_id,text\n1,SYNTHETIC one\n", encoding="utf-8")
    (tmp_path / "a.tsv").write_text("doc_id\ttext\n1\tSYNTHETIC one\n", encoding="utf-8")
    rows = [{"doc_id": "1", "text": "SYNTHETIC one"}, {"doc_id": "2", "text": "two"}]
    body = "\n".join(json.dumps(r) for r in rows) + "\n"
    (tmp_path / "a.jsonl").write_text(body, encoding="utf-8")
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(body.encode()))
    (tmp_path / "noext").write_text(body, encoding="utf-8")
    (tmp_path / "table.data").write_text("doc_id,text,outlet\n1,SYNTHETIC,x\n2,b,y\n", "utf-8")
    (tmp_path / "story.txt").write_text("SYNTHETIC plain article text.\n", encoding="utf-8")
    (tmp_path / "p.parquet").write_bytes(b"PAR1" + b"\x00" * 16 + b"PAR1")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "one.txt").write_text("SYNTHETIC", encoding="utf-8")
    got = {
        name: detect_format(tmp_path / name)[0]
        for name in (
            "a.csv",
            "a.tsv",
            "a.jsonl",
            "b.jsonl.gz",
            "noext",
            "table.data",
            "story.txt",
            "p.parquet",
            "folder",
        )
    }
    assert got == {
        "a.csv": "csv",
        "a.tsv": "tsv",
        "a.jsonl": "jsonl",
        "b.jsonl.gz": "jsonl",
        "noext": "jsonl",
        "table.data": "csv",
        "story.txt": "txt",
        "p.parquet": "parquet",
        "folder": "txt_folder",
    }


def test_unknown_format_error_lists_formats(tmp_path):
    p = tmp_path / "mystery.bin"
    p.write_bytes(b"\x00\x01\x02SYNTHETIC binary")
    with pytest.raises(CorpusError) as exc:
        detect_format(p)
    msg = str(exc.value)
    assert "mystery.bin" in msg and "--format" in msg
    for name, _, _ in VENDOR_FORMATS:
        assert name in msg
    for name, _ in GENERIC_FORMATS:
        assert name in msg
    with pytest.raises(CorpusError, match="not found"):
        detect_format(tmp_path / "missing.csv")
    assert len(supported_formats()) == len(VENDOR_FORMATS) + len(GENERIC_FORMATS)


def test_single_json_object_is_not_jsonl(tmp_path):
    p = tmp_path / "one.json"
    p.write_text('{"SYNTHETIC": true}', encoding="utf-8")
    with pytest.raises(CorpusError):
        detect_format(p)


def test_decode_bytes_rules():
    assert decode_bytes("Wörter".encode())[0] == "Wörter"
    text, note = decode_bytes(b"\xef\xbb\xbf" + "Wörter".encode())
    assert text == "Wörter" and "BOM" in note
    # mostly UTF-8 with a stray Latin-1 byte: keep the UTF-8, fix only the stray byte
    mixed = "Behörde prüft: ".encode() + b"808 W\xf6rter"
    text, note = decode_bytes(mixed, declared="utf-8")
    assert text == "Behörde prüft: 808 Wörter" and "stray bytes as cp1252" in note
    # a whole file in another encoding: the declared charset is used
    text, note = decode_bytes("Élysée prête".encode("cp1252"), declared="cp1252")
    assert text == "Élysée prête" and "declared cp1252" in note
    text, note = decode_bytes(("Ça coûte très cher à l'État. " * 20).encode("cp1252"))
    assert text.startswith("Ça coûte très cher") and "charset-normalizer" in note


def test_declared_charset():
    assert declared_charset(b'<meta charset="ISO-8859-1">') == "iso8859-1"
    assert declared_charset(b"{\\rtf1\\ansi\\ansicpg1252\\deff0") == "cp1252"
    assert declared_charset(b"<p>no declaration</p>") is None


def test_format_summary_counts_every_document(tmp_path):
    from analysis.importers.detect import format_summary

    names = [
        "SYNTHETIC_lexisnexis.html",
        "SYNTHETIC_factiva.xml",
        "SYNTHETIC_proquest.txt",
        "SYNTHETIC_gdelt_rate_limited.txt",
    ]
    df = format_summary([FIX / n for n in names]).set_index("file")
    assert df.loc["SYNTHETIC_lexisnexis.html", ["expected", "parsed", "rejected"]].tolist() == [
        3,
        2,
        1,
    ]
    assert df.loc["SYNTHETIC_factiva.xml", "rejection_reasons"] == "no_body"
    assert df.loc["SYNTHETIC_proquest.txt", "format"] == "proquest"
    assert "Please limit requests" in df.loc["SYNTHETIC_gdelt_rate_limited.txt", "error"]


def test_folder_of_vendor_exports(tmp_path):
    from analysis.importers.detect import read_any

    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(FIX / "SYNTHETIC_lexisnexis.txt", folder / "part1.txt")
    shutil.copy(FIX / "SYNTHETIC_lexisnexis.html", folder / "part2.html")
    (folder / "README.md").write_text("SYNTHETIC notes", encoding="utf-8")
    fmt, reason = detect_format(folder)
    assert fmt == "lexisnexis" and "2 lexisnexis" in reason
    raw = read_any(folder)
    assert raw.expected == 6 and len(raw.frame) == 5 and len(raw.rejections) == 1
    assert raw.frame["doc_id"].is_unique
    shutil.copy(FIX / "SYNTHETIC_factiva.txt", folder / "part3.txt")
    with pytest.raises(CorpusError, match="mixes vendor exports"):
        detect_format(folder)
