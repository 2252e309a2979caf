"""Vendor importers on SYNTHETIC fixtures (tests/fixtures/vendor/SYNTHETIC_*; every text in them is
invented) and on broken variants built from them (truncated, wrong encoding, missing separator, no
body): every document is either a row or a rejection with a position and a reason.

The last section reads the real reference exports when ``../shared/fixtures/vendor`` exists
(skipped elsewhere; those files are never copied into the repository).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.importers import (
    factiva,
    gdelt,
    html_page,
    lexisnexis,
    mediacloud,
    nexis_uni,
    proquest,
)
from analysis.importers.outlets import normalise_outlet, outlet_from_url
from analysis.paths import PROJECT_ROOT
from analysis.schema import CorpusError, RawRead

FIX = Path(__file__).parent / "fixtures" / "vendor"
REAL = PROJECT_ROOT.parent / "shared" / "fixtures" / "vendor"


def _reasons(raw: RawRead) -> list[str]:
    return [r.reason for r in raw.rejections]


def _check_frame(raw: RawRead) -> None:
    """Every parsed row has the bookkeeping columns and a non-empty string doc_id."""
    if len(raw.frame):
        assert {"doc_id", "_pos", "_source"} <= set(raw.frame.columns)
        assert raw.frame["doc_id"].map(lambda v: isinstance(v, str) and v != "").all()
    for rej in raw.rejections:
        assert rej.position and rej.reason


# --------------------------------------------------------------------------- LexisNexis TXT


def test_lexisnexis_txt_synthetic():
    raw = lexisnexis.read(FIX / "SYNTHETIC_lexisnexis.txt")
    _check_frame(raw)
    assert (raw.expected, len(raw.frame), raw.rejections) == (3, 3, [])
    first, german, wire = raw.frame.to_dict("records")
    assert first["outlet_raw"] == "The Synthetic Gazette (London)"
    assert first["date_raw"] == "March 3, 2021 Wednesday"
    assert first["edition"] == "Late Edition"
    assert first["title"].startswith("Regulators weigh new rules")
    assert first["length"] == "2,968 words"
    # a body line that looks like a label stays in the text; the trailing fields do not
    assert "MID: This line looks like a field label" in first["text"]
    assert "LOAD-DATE" not in first["text"] and first["load_date"] == "March 4, 2021"
    assert first["copyright"].startswith("Copyright 2021 Synthetic Gazette")
    # German labels
    assert german["byline"] == "Erika Beispiel" and german["length"] == "306 Wörter"
    assert german["copyright"].startswith("Copyright 2011") and "Copyright" not in german["text"]
    # no headline: the FLASH line is body text, not a label and not a title
    assert wire["title"] == ""
    assert wire["text"] == "FLASH: SYNTHETIC ASSEMBLY ADOPTS RESOLUTION ON EXAMPLE POLICY"
    assert wire["separator"] == "436 of 2218 DOCUMENTS"
    assert any("BOM" in n for n in raw.notes)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()


def test_lexisnexis_txt_truncated_inside_header(tmp_path):
    lines = _lines(FIX / "SYNTHETIC_lexisnexis.txt")
    cut = next(i for i, ln in enumerate(lines) if "436 of 2218" in ln)
    p = tmp_path / "cut.txt"
    p.write_text("\n".join(lines[: cut + 4]), encoding="utf-8")
    raw = lexisnexis.read(p)
    assert raw.expected == 3 and len(raw.frame) == 2 and raw.read == 3
    (rej,) = raw.rejections
    assert rej.reason == "no_body" and rej.position.startswith("document 3 (line ")
    assert "436 of 2218" in rej.detail


def test_lexisnexis_txt_truncated_inside_body_warns(tmp_path):
    lines = _lines(FIX / "SYNTHETIC_lexisnexis.txt")
    cut = next(i for i, ln in enumerate(lines) if ln.startswith("FLASH:"))
    p = tmp_path / "cut.txt"
    p.write_text("\n".join(lines[: cut + 1]), encoding="utf-8")
    raw = lexisnexis.read(p)
    assert len(raw.frame) == 3
    assert [w.position for w in raw.warnings] == [raw.frame["_pos"].iloc[-1]]
    assert "truncated" in raw.warnings[0].message


def test_lexisnexis_txt_missing_separators(tmp_path):
    lines = _lines(FIX / "SYNTHETIC_lexisnexis.txt")
    inner = [ln for ln in lines if "2 of 3 DOCUMENTS" not in ln]
    p = tmp_path / "merged.txt"
    p.write_text("\n".join(inner), encoding="utf-8")
    raw = lexisnexis.read(p)
    assert raw.expected == 2 and len(raw.frame) == 1
    (rej,) = raw.rejections
    assert rej.reason == "missing_separator" and rej.position.startswith("document 1 ")
    first = [ln for ln in lines if "1 of 3 DOCUMENTS" not in ln]
    p.write_text("\n".join(first), encoding="utf-8")
    raw = lexisnexis.read(p)
    assert "missing_separator" in _reasons(raw)
    assert raw.read == len(raw.frame) + len(raw.rejections) == 3
    none = [ln for ln in lines if "DOCUMENTS" not in ln]
    p.write_text("\n".join(none), encoding="utf-8")
    with pytest.raises(CorpusError, match="separator"):
        lexisnexis.read(p)


def test_lexisnexis_txt_wrong_encoding(tmp_path):
    text = (FIX / "SYNTHETIC_lexisnexis.txt").read_text(encoding="utf-8-sig")
    p = tmp_path / "latin1.txt"
    p.write_bytes(text.encode("cp1252"))
    raw = lexisnexis.read(p)
    assert len(raw.frame) == 3
    assert raw.frame["length"].iloc[1] == "306 Wörter"
    assert any("not valid UTF-8" in n for n in raw.notes)


def test_lexisnexis_txt_document_without_body(tmp_path):
    lines = _lines(FIX / "SYNTHETIC_lexisnexis.txt")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Im Juli"))
    body_free = lines[:start] + lines[start + 2 :]
    p = tmp_path / "nobody.txt"
    p.write_text("\n".join(body_free), encoding="utf-8")
    raw = lexisnexis.read(p)
    assert len(raw.frame) == 2
    assert [(r.reason, r.position.split(" (")[0]) for r in raw.rejections] == [
        ("no_body", "document 2")
    ]


# --------------------------------------------------------------------------- LexisNexis HTML


def test_lexisnexis_html_synthetic():
    raw = lexisnexis.read(FIX / "SYNTHETIC_lexisnexis.html")
    _check_frame(raw)
    assert raw.expected == 3 and len(raw.frame) == 2
    assert _reasons(raw) == ["vendor_error_document"]
    assert raw.rejections[0].position.startswith("document 3 ")
    first, french = raw.frame.to_dict("records")
    # highlight spans split "Dec|ember" and "priv|acy": the words are whole again
    assert first["date_raw"] == "December 19, 1991, Sunday"
    assert first["title"] == "Invented privacy bill advances"
    assert "data privacy passed" in first["text"] and "Critics called it weak." in first["text"]
    assert first["byline"] == "By SAM SAMPLE" and first["outlet_raw"] == "The Synthetic Planet"
    assert "Copyright" not in first["text"]
    assert french["outlet_raw"] == "Le Journal Synthétique"
    assert french["section"] == "INTERNATIONAL; Pg. 35" and french["length"] == "143 mots"
    assert any("META DOCUMENTS=146" in n for n in raw.notes)


def test_lexisnexis_html_truncated(tmp_path):
    markup = (FIX / "SYNTHETIC_lexisnexis.html").read_text(encoding="utf-8")
    cut = markup.index("Premier paragraphe")
    p = tmp_path / "cut.html"
    p.write_text(markup[: cut - 40], encoding="utf-8")
    raw = lexisnexis.read(p)
    assert raw.expected == 2 and len(raw.frame) == 1
    assert _reasons(raw) == ["truncated"]
    assert raw.rejections[0].position.startswith("document 2 (line ")


# --------------------------------------------------------------------------- Nexis Uni DOCX

ARTICLES = [
    {
        "title": "SYNTHETIC: invented ministry publishes example data strategy",
        "source": "The Example Guardian (London)",
        "date": "July 1, 2019 Monday 9:20 AM GMT",
        "meta": [
            ("Section", "POLITICS; Version:28"),
            ("Length", "355 words"),
            ("Byline", "Pat Placeholder"),
        ],
        "body": [
            "Invented first paragraph about the example strategy.",
            "Length: this body line has an ordinary space and stays text.",
        ],
    },
    {
        "title": "SYNTHETIC: second invented article",
        "source": "Example Times",
        "date": "July 2, 2019 Tuesday",
        "meta": [("Length", "120 words")],
        "body": ["Second invented body."],
    },
]


def _docx(path: Path, articles: list[dict], cover: bool = True, end_last: bool = True) -> Path:
    """Write a SYNTHETIC Nexis Uni style DOCX (labels followed by a no-break space)."""
    import docx

    d = docx.Document()
    if cover:
        d.add_paragraph("Date and Time: Friday, 5. July 2019 09:31:00 CEST")
        d.add_paragraph(f"Documents ({len(articles)})")
        for k, a in enumerate(articles, start=1):
            d.add_paragraph(f"{k}. {a['title']}")
            d.add_paragraph("Search Terms: synthetic")
        d.add_paragraph("")
    for k, a in enumerate(articles):
        d.add_paragraph(a["title"])
        d.add_paragraph(a["source"])
        d.add_paragraph(a["date"])
        d.add_paragraph("")
        d.add_paragraph("\nCopyright 2019 Example Publisher. All Rights Reserved")
        for label, value in a["meta"]:
            d.add_paragraph(f"{label}:\u00a0{value}")
        d.add_paragraph("Body")
        for para in a["body"]:
            d.add_paragraph(para)
        d.add_paragraph("Load-Date:\u00a0July 4, 2019")
        if end_last or k < len(articles) - 1:
            d.add_paragraph("\nEnd of Document")
    d.save(str(path))
    return path


def test_nexis_uni_synthetic(tmp_path):
    p = _docx(tmp_path / "SYNTHETIC_nexis_uni.docx", ARTICLES)
    raw = nexis_uni.read(p)
    _check_frame(raw)
    assert (raw.expected, len(raw.frame), raw.rejections) == (2, 2, [])
    first = raw.frame.iloc[0]
    assert first["title"] == ARTICLES[0]["title"]
    assert first["outlet_raw"] == ARTICLES[0]["source"]
    assert first["date_raw"] == ARTICLES[0]["date"]
    assert first["byline"] == "Pat Placeholder" and first["length"] == "355 words"
    assert first["load_date"] == "July 4, 2019"
    assert first["text"] == "\n\n".join(ARTICLES[0]["body"])
    assert first["copyright"].startswith("Copyright 2019")
    assert "Search Terms" not in " ".join(raw.frame["text"])


def test_nexis_uni_no_body_and_truncated(tmp_path):
    arts = [dict(ARTICLES[0]), dict(ARTICLES[1], body=[])]
    raw = nexis_uni.read(_docx(tmp_path / "nobody.docx", arts))
    assert len(raw.frame) == 1 and _reasons(raw) == ["no_body"]
    assert raw.rejections[0].position.startswith("document 2 (paragraph ")
    raw = nexis_uni.read(_docx(tmp_path / "cut.docx", ARTICLES, end_last=False))
    assert raw.expected == 2 and len(raw.frame) == 1 and _reasons(raw) == ["truncated"]


def test_nexis_uni_broken_zip_and_empty(tmp_path):
    good = _docx(tmp_path / "good.docx", ARTICLES)
    bad = tmp_path / "bad.docx"
    bad.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(CorpusError, match="docx"):
        nexis_uni.read(bad)
    import docx

    d = docx.Document()
    d.add_paragraph("SYNTHETIC: a Word file that is not a Nexis Uni download")
    d.save(str(tmp_path / "plain.docx"))
    with pytest.raises(CorpusError, match="no articles found"):
        nexis_uni.read(tmp_path / "plain.docx")
    assert nexis_uni.sniff(tmp_path / "plain.docx", b"PK") is None


# --------------------------------------------------------------------------- Factiva


def test_factiva_code_table_html():
    raw = factiva.read(FIX / "SYNTHETIC_factiva_table.html")
    _check_frame(raw)
    assert (raw.expected, len(raw.frame), raw.rejections) == (2, 2, [])
    a, b = raw.frame.to_dict("records")
    assert a["doc_id"] == "SYNTH00020111229e7ct0001r"
    assert a["title"] == "Invented agency fines example platform"
    assert a["source_code"] == "PR" and a["outlet_raw"] == "Synthetic Times"
    assert a["text"].split("\n\n") == [
        "The invented agency fined an example platform on Tuesday.",
        "The platform said it would appeal.",
        "Third paragraph of invented text.",
    ]
    assert b["section"] == "Business" and b["source_code"] == "TOI"


def test_factiva_article_html_positional_and_latin1_bytes():
    raw = factiva.read(FIX / "SYNTHETIC_factiva_article.html")
    _check_frame(raw)
    assert (raw.expected, len(raw.frame)) == (2, 2)
    a, b = raw.frame.to_dict("records")
    assert a["doc_id"] == "SYNTH00020171113edbd0000d"
    assert a["length"] == "808 Wörter"  # Latin-1 byte in a page that declares UTF-8
    assert a["title"] == "Erfundene Behörde prüft Plattform"  # the real UTF-8 kept
    assert (a["section"], a["date_raw"], a["outlet_raw"], a["source_code"]) == (
        "News",
        "13 November 2017",
        "Synthetische Zeitung",
        "SYNZ",
    )
    assert a["language"] == "Deutsch" and a["copyright"].startswith("(c) 2017")
    assert b["time"] == "06:04 GMT" and b["outlet_raw"] == "Example Wire"
    assert any("stray bytes as cp1252" in n for n in raw.notes)


def test_factiva_txt_source_code_that_looks_like_a_field():
    raw = factiva.read(FIX / "SYNTHETIC_factiva.txt")
    assert (raw.expected, len(raw.frame), raw.rejections) == (2, 2, [])
    a, b = raw.frame.to_dict("records")
    assert (a["source_code"], b["source_code"]) == ("PR", "TOI")
    assert a["language"] == "English" and a["outlet_raw"] == "Example Newswire"
    assert a["text"].count("\n\n") == 2 and a["doc_id"] == "SYNTH00020000407dw47004yg"


def test_factiva_txt_truncated_and_no_body(tmp_path):
    text = (FIX / "SYNTHETIC_factiva.txt").read_text(encoding="utf-8")
    p = tmp_path / "cut.txt"
    p.write_text(text[: text.rindex("   AN")], encoding="utf-8")
    raw = factiva.read(p)
    assert raw.expected == 1 and len(raw.frame) == 1 and _reasons(raw) == ["truncated"]
    p.write_text(text.replace("Short invented lead.", ""), encoding="utf-8")
    raw = factiva.read(p)
    assert len(raw.frame) == 1 and _reasons(raw) == ["no_body"]
    assert raw.rejections[0].doc_id == "SYNTH00020000408dw48004yh"


def test_factiva_rtf():
    raw = factiva.read(FIX / "SYNTHETIC_factiva.rtf")
    assert (raw.expected, len(raw.frame), raw.rejections) == (2, 2, [])
    a, b = raw.frame.to_dict("records")
    assert a["title"] == "Invented café owners protest example rule"  # \ansicpg1252 escape
    assert a["source_code"] == "LBA" and b["text"] == "Body only in TD."


def test_factiva_xml_and_broken_xml(tmp_path):
    raw = factiva.read(FIX / "SYNTHETIC_factiva.xml")
    assert raw.expected == 3 and len(raw.frame) == 2 and _reasons(raw) == ["no_body"]
    a, b = raw.frame.to_dict("records")
    assert a["title"] == "SYNTHETIC - first invented article"  # <hlt> joined
    assert a["date_hint"] == "2012-01-09" and a["outlet_raw"] == "Invented Newspaper"
    assert b["text"].split("\n\n")[1] == "A second paragraph starts indented."
    data = (FIX / "SYNTHETIC_factiva.xml").read_bytes()
    p = tmp_path / "cut.xml"
    p.write_bytes(data[: data.index(b"Second invented article")])
    raw = factiva.read(p)
    assert len(raw.frame) == 1 and "malformed_xml" in _reasons(raw)


# --------------------------------------------------------------------------- ProQuest


def test_proquest_txt():
    raw = proquest.read(FIX / "SYNTHETIC_proquest.txt")
    _check_frame(raw)
    assert raw.expected == 3 and len(raw.frame) == 2 and _reasons(raw) == ["no_full_text"]
    a, b = raw.frame.to_dict("records")
    assert a["doc_id"] == "1000000001" and a["outlet_raw"] == "The Example Star; Toronto"
    assert a["date_raw"] == "Mar 9, 2022" and a["section"] == "Politics"
    assert "ANCASTER: This body line" in a["text"] and "Ticket price:" in a["text"]
    assert a["text"].endswith("After a blank line the invented body continues.")
    assert a["caption"] == "CAPTION: An invented photo caption."
    assert a["links"] == "https://openurl.example/?institution=X&vid=Y"
    assert b["text"] == "One invented paragraph.\n\nAnother invented paragraph."


def test_proquest_txt_truncated(tmp_path):
    text = (FIX / "SYNTHETIC_proquest.txt").read_text(encoding="utf-8")
    p = tmp_path / "cut.txt"
    p.write_text(text[: text.index("Another invented paragraph.")], encoding="utf-8")
    raw = proquest.read(p)
    assert len(raw.frame) == 1 and _reasons(raw) == ["truncated"]
    assert raw.rejections[0].position.startswith("document 2 ")


def test_proquest_email_with_malformed_html_tag():
    raw = proquest.read(FIX / "SYNTHETIC_proquest.eml")
    _check_frame(raw)
    assert (raw.expected, len(raw.frame), raw.rejections) == (2, 2, [])
    a, b = raw.frame.to_dict("records")
    assert a["doc_id"] == "2000000001" and a["byline"] == "Placeholder, Pat"
    assert a["text"].startswith("The invented bank agreed") and "html" not in a["text"]
    assert a["url"] == "https://search.proquest.example/docview/2000000001"
    assert b["text"] == "Invented text that an HTML tree parser would lose."


def test_proquest_email_anchor_count_is_expected(tmp_path):
    import email
    from email import policy

    msg = email.message_from_bytes(
        (FIX / "SYNTHETIC_proquest.eml").read_bytes(), policy=policy.default
    )
    html = next(p.get_content() for p in msg.walk() if p.get_content_type() == "text/html")
    html = html.replace("Invented text that an HTML tree parser would lose.", "")
    p = tmp_path / "page.html"
    p.write_text(html, encoding="utf-8")
    raw = proquest.read(p)
    assert raw.expected == 2 and len(raw.frame) == 1 and _reasons(raw) == ["no_body"]


# --------------------------------------------------------------------------- Media Cloud


def test_mediacloud_csv_variants():
    raw = mediacloud.read(FIX / "SYNTHETIC_mediacloud_search.csv")
    assert len(raw.frame) == 3 and raw.rejections == []
    first = raw.frame.iloc[0]
    assert len(first["doc_id"]) == 64 and first["date_hint"] == "2026-05-06"
    assert first["title"] == "SYNTHETIC: Invented agency, with a comma, fines platform"
    assert (raw.frame["text"] == "").all() and any("not article text" in n for n in raw.notes)
    raw = mediacloud.read(FIX / "SYNTHETIC_mediacloud_explorer.csv")
    assert raw.frame["doc_id"].tolist() == ["1732196477", "1739289919"]
    assert raw.frame["outlet_raw"].iloc[0] == "Example Monthly "  # raw, normalised later
    assert raw.frame["date_hint"].tolist() == ["2020-10-15", "2020-10-15"]


def test_mediacloud_csv_bad_row(tmp_path):
    text = (FIX / "SYNTHETIC_mediacloud_explorer.csv").read_text(encoding="utf-8")
    p = tmp_path / "bad.csv"
    p.write_text(text + "123,2020-10-16 00:00:00,extra,fields,here,x,y,z,w,v,u\n", "utf-8")
    raw = mediacloud.read(p)
    assert len(raw.frame) == 2
    assert [(r.reason, r.position) for r in raw.rejections] == [
        ("wrong_field_count", "row 3 (line 4)")
    ]


def test_mediacloud_json_envelope_and_sentences(tmp_path):
    raw = mediacloud.read(FIX / "SYNTHETIC_mediacloud_stories.json")
    assert raw.frame["doc_id"].tolist() == ["aa11", "bb22"]
    assert raw.frame["text"].tolist() == ["Invented full text of the story.", ""]
    assert any("1 of 2" in n for n in raw.notes)
    sents = {
        "42": [
            {"sentence": "Second invented.", "sentence_number": 1, "media_id": 7},
            {
                "sentence": "First invented.",
                "sentence_number": 0,
                "media_id": 7,
                "publish_date": "2014-03-01T00:45:10Z",
            },
        ]
    }
    p = tmp_path / "SYNTHETIC_sentences.json"
    p.write_text(json.dumps(sents), encoding="utf-8")
    raw = mediacloud.read(p)
    assert raw.frame["text"].tolist() == ["First invented. Second invented."]
    assert raw.frame["doc_id"].tolist() == ["42"]


# --------------------------------------------------------------------------- GDELT


def test_gdelt_json_and_csv_are_title_only():
    raw = gdelt.read(FIX / "SYNTHETIC_gdelt_artlist.json")
    assert len(raw.frame) == 2 and (raw.frame["text"] == "").all()
    assert raw.frame["date_hint"].tolist() == ["2024-06-15", "2024-07-06"]
    assert raw.frame["date_raw"].iloc[0] == "20240615T170000Z"
    assert raw.frame["outlet_raw"].tolist() == ["example.com", "example.org"]
    assert any("not article text" in n for n in raw.notes)
    raw = gdelt.read(FIX / "SYNTHETIC_gdelt_artlist.csv")
    assert raw.frame["title"].tolist() == [
        "SYNTHETIC invented CSV title A",
        "SYNTHETIC invented, quoted title B",
    ]
    assert raw.frame["outlet_raw"].tolist() == ["example.com", "example-cnn.com"]


@pytest.mark.parametrize(
    "name,quote",
    [
        ("SYNTHETIC_gdelt_rate_limited.txt", "Please limit requests"),
        ("SYNTHETIC_gdelt_keyword_error.txt", "One or more of your keywords"),
    ],
)
def test_gdelt_error_bodies_raise(name, quote):
    with pytest.raises(CorpusError) as exc:
        gdelt.read(FIX / name)
    assert name in str(exc.value) and quote in str(exc.value)


def test_gdelt_bad_escapes_and_empty(tmp_path):
    p = tmp_path / "esc.json"
    p.write_text(
        '{"articles": [{"url": "https://cnn.com\\impact", "title": "SYNTHETIC t", '
        '"seendate": "20240101T000000Z", "domain": "cnn.com"}]}',
        encoding="utf-8",
    )
    raw = gdelt.read(p)
    assert raw.frame["url"].tolist() == ["https://cnn.com\\impact"]
    assert any("backslash" in n for n in raw.notes)
    p.write_text("{}", encoding="utf-8")
    raw = gdelt.read(p)
    assert len(raw.frame) == 0 and any("no articles" in n for n in raw.notes)


# --------------------------------------------------------------------------- web page, outlets


def test_html_page_main_text_and_metadata(tmp_path):
    raw = html_page.read(FIX / "SYNTHETIC_page.html")
    row = raw.frame.iloc[0]
    assert row["title"] == "Invented regulator proposes example rules"
    assert row["outlet_raw"] == "Example News" and row["date_raw"] == "2023-04-05"
    assert row["url"] == "https://www.example-news.co.uk/tech/invented-rules"
    assert row["text"].startswith("The invented regulator on Wednesday")
    assert "cookies" not in row["text"] and "Log in" not in row["text"]
    p = tmp_path / "empty.html"
    p.write_text(
        "<html><head><title>SYNTHETIC</title></head><body><nav>Home</nav></body></html>",
        encoding="utf-8",
    )
    raw = html_page.read(p)
    assert len(raw.frame) == 0 and _reasons(raw) == ["no_main_text"]


def test_html_to_text_keeps_highlight_split_words():
    s = '<p><span class="c4">Dec</span><span>ember</span> 19,\n1991</p><p>Next&nbsp;para</p>'
    assert html_page.html_to_text(s) == "December 19, 1991\nNext para"


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://www.foxnews.com/politics/a-story", "foxnews.com"),
        ("edition.cnn.com/2020/01/01/x.html", "cnn.com"),
        ("http://news.bbc.co.uk/1/hi/x.stm", "bbc.co.uk"),
        ("https://www.smh.com.au/national/x", "smh.com.au"),
        ("HTTP://WWW.Example.ORG", "example.org"),
        ("localhost:8000/x", "localhost"),
        ("", ""),
    ],
)
def test_outlet_from_url(url, expected):
    assert outlet_from_url(url) == expected


def test_normalise_outlet():
    table = {"CNN U.S. Edition": "CNN", "cnn.com": "CNN", "Newsweek": "Newsweek"}
    assert normalise_outlet("  cnn u.s.  edition ", table) == "CNN"
    assert normalise_outlet("Newsweek ", table) == "Newsweek"
    assert normalise_outlet("http://us.cnn.com", table) == "CNN"
    assert normalise_outlet("Unknown  Paper ", table) == "Unknown Paper"
    assert normalise_outlet(None, table) == ""


# --------------------------------------------------------------------------- real exports

REAL_EXPECTED = {
    # file: (reader, expected marker count, parsed, rejected)
    "lexisnexis_txt/LexisNexisTools__sample.TXT": (lexisnexis, 10, 10, 0),
    "lexisnexis_txt/amcat__lexisnexis_test.txt": (lexisnexis, 27, 25, 2),
    "lexisnexis_html/tmpluginlexisnexis__lexisnexis_test_en.html": (lexisnexis, 2, 2, 0),
    "lexisnexis_html/tmpluginlexisnexis__lexisnexis_test_fr.html": (lexisnexis, 3, 3, 0),
    "lexisnexis_html/tmpluginlexisnexis__lexisnexis_test_copyright_error.html": (
        lexisnexis,
        2,
        1,
        1,
    ),
    "nexis_uni_docx/LexisNexisTools__sample.DOCX": (nexis_uni, 10, 10, 0),
    "factiva_html/tmpluginfactiva__factiva_test.html": (factiva, 2, 2, 0),
    "factiva_html/amcat__factivia.htm": (factiva, 9, 9, 0),
    "factiva_xml/tmpluginfactiva__factiva_test.xml": (factiva, 3, 3, 0),
    "factiva_xml/tmpluginfactiva__reut21578-factiva.xml": (factiva, 20, 19, 0),
    "proquest/importProquest__star.txt": (proquest, 373, 373, 0),
    "proquest/tmpluginproquest__malformed-html-tag.eml": (proquest, 2, 2, 0),
    "proquest/tmpluginproquest__sample-1.html": (proquest, 1, 1, 0),
    "mediacloud/Mediacloud-Scraping__2020-10-15_kentucky.csv": (mediacloud, None, 367, 0),
    "mediacloud/Mediacloud-Scraping__kentucky_200363050.json": (mediacloud, None, 5, 0),
    "mediacloud/api-client__story_27456565.json": (mediacloud, None, 1, 0),
    "mediacloud/api-client__sentences_by_story_1.json": (mediacloud, None, 1, 0),
    "gdelt_doc/Overwatch__vizhinjam_2024.json": (gdelt, None, 4, 0),
}
needs_real = pytest.mark.skipif(not REAL.exists(), reason="reference exports not present")


@needs_real
@pytest.mark.parametrize("rel", sorted(REAL_EXPECTED))
def test_real_exports_counts(rel):
    path = REAL / rel
    if not path.exists():
        pytest.skip(f"{rel} not in this copy of the reference folder")
    reader, expected, parsed, rejected = REAL_EXPECTED[rel]
    raw = reader.read(path)
    _check_frame(raw)
    assert (raw.expected, len(raw.frame), len(raw.rejections)) == (expected, parsed, rejected)


@needs_real
def test_real_lexisnexis_bodies_match_amcat_solutions():
    """AmCAT's golden parse of test.txt: bodies equal after whitespace normalisation for most
    documents; the rest differ by which label-like lines (GUESTS:, CHAPEAU: ...) count as text."""
    folder = REAL / "lexisnexis_txt"
    if not (folder / "amcat__lexisnexis_test_body_sols.json").exists():
        pytest.skip("solutions file absent")
    raw = lexisnexis.read(folder / "amcat__lexisnexis_test.txt")
    sols = json.loads((folder / "amcat__lexisnexis_test_body_sols.json").read_text("utf-8"))
    ours = {" ".join(t.split()) for t in raw.frame["text"]}
    exact = sum(" ".join(s["text"].split()) in ours for s in sols)
    assert exact >= 15


@needs_real
@pytest.mark.parametrize("name", ["Overwatch__rate_limited.txt", "Overwatch__keyword_error.txt"])
def test_real_gdelt_errors(name):
    path = REAL / "gdelt_doc" / name
    if not path.exists():
        pytest.skip("absent")
    with pytest.raises(CorpusError, match="GDELT DOC API returned an error"):
        gdelt.read(path)


def test_rawread_frames_are_dataframes():
    for name, mod in [
        ("SYNTHETIC_lexisnexis.txt", lexisnexis),
        ("SYNTHETIC_factiva.xml", factiva),
        ("SYNTHETIC_proquest.txt", proquest),
    ]:
        raw = mod.read(FIX / name)
        assert isinstance(raw.frame, pd.DataFrame)
        assert raw.read == len(raw.frame) + len(raw.rejections)


def test_proquest_txt_document_n_of_n_variant(tmp_path):
    """The 'spectator' variant numbers records with 'Document n of N' under the separator."""
    lines = (FIX / "SYNTHETIC_proquest.txt").read_text(encoding="utf-8").splitlines()
    out, n = [], 0
    for ln in lines:
        out.append(ln)
        if ln.startswith("_" * 60) and n < 3:
            n += 1
            out.append(f"Document {n} of 500")
    p = tmp_path / "numbered.txt"
    p.write_text("\n".join(out), encoding="utf-8")
    raw = proquest.read(p)
    assert raw.expected == 3 and len(raw.frame) == 2
    assert raw.frame["title"].iloc[1] == "Second invented story about example platforms"
    assert raw.frame["document_n"].tolist() == ["Document 1 of 500", "Document 2 of 500"]
