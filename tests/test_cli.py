"""Command-line contracts of the sentiment, target-sentiment, explain and frames commands, with
bad input. Input texts written here are SYNTHETIC except the seed article."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest

from analysis.cli import main
from analysis.cli_commands import _score_file_to_csv


def _run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_sentiment_command_keeps_every_row_and_flags_bad_ones(tmp_path, capsys):
    src = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "body": [
                "SYNTHETIC. The ban was a bold and welcome decision.",
                "",
                "\x00\x01\x02\x03",
                "SYNTHETIC. Critics slammed the awful plan.",
            ],
        }
    ).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    code, _, _ = _run(capsys, "sentiment", str(src), "--text-column", "body", "--out", str(out))
    assert code == 0
    res = pd.read_csv(out, keep_default_na=False)
    assert res["id"].tolist() == ["a", "b", "c", "d"]
    for col in ("compound", "pos", "neu", "neg", "status"):
        assert col in res.columns
    status = dict(zip(res["id"], res["status"]))
    assert (
        status["a"] == "ok" and status["d"] == "ok" and status["b"] != "ok" and status["c"] != "ok"
    )
    assert float(res.loc[res["id"] == "d", "compound"].iloc[0]) < 0


def test_sentiment_command_vader_method_and_missing_column(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "SYNTHETIC. Great news."}) + "\n")
    out = tmp_path / "o.csv"
    code, _, _ = _run(
        capsys,
        "sentiment",
        str(src),
        "--text-column",
        "text",
        "--out",
        str(out),
        "--method",
        "vader",
    )
    assert code == 0 and pd.read_csv(out)["compound"].iloc[0] > 0
    code, _, err = _run(capsys, "sentiment", str(src), "--text-column", "nope", "--out", str(out))
    assert code == 2 and "nope" in err


def test_target_sentiment_command_records_bad_targets(tmp_path, capsys):
    sent = "SYNTHETIC: Critics attacked Acme for its terrible privacy record."
    lines = [
        {
            "primary_gid": "g1",
            "sentence_normalized": sent,
            "targets": [
                {"Input.gid": "t1", "from": 28, "to": 32, "mention": "Acme"},
                {"Input.gid": "t2", "from": 300, "to": 310, "mention": "Nobody"},
            ],
        },
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken\n")
    out = tmp_path / "out.jsonl"
    code, stdout, _ = _run(capsys, "target-sentiment", str(src), "--out", str(out))
    assert code == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 2  # one per input line, the broken one included
    t1, t2 = rows[0]["targets"]
    assert t1["polarity"] in (2.0, 4.0, 6.0)
    assert t2["polarity"] is None and "outside" in t2["error"]
    assert "error" in rows[1]


def test_explain_command_json_contract(seed_text, capsys):
    code, out, _ = _run(capsys, "explain", "--text", seed_text, "--json")
    assert code == 0
    d = json.loads(out)
    assert set(d) >= {"sentences", "hits"}
    for h in d["hits"]:
        assert {"category", "cue", "matched", "start", "end", "voice", "negated"} <= set(h)
        assert h["voice"] in ("reporter", "quoted")
    for s in d["sentences"]:
        assert {"text", "voice", "compound"} <= set(s)
    bold = [h for h in d["hits"] if h["matched"].lower() == "bold"]
    assert bold and bold[0]["voice"] == "reporter" and "praise" in bold[0]["category"]


def test_frames_command(tmp_path, capsys, seed_text):
    src = tmp_path / "in.csv"
    pd.DataFrame({"doc_id": ["seed", "empty"], "text": [seed_text, ""]}).to_csv(src, index=False)
    out = tmp_path / "f.csv"
    code, _, _ = _run(capsys, "frames", str(src), "--text-column", "text", "--out", str(out))
    assert code == 0
    res = pd.read_csv(out)
    assert len(res) == 2
    for f in ("conflict", "economic", "human_interest", "moral", "resolution"):
        assert f"frame_{f}" in res.columns and f"frame_{f}_prob" in res.columns
    assert res.loc[0, [c for c in res.columns if c.endswith("_prob")]].between(0, 1).all()
    assert any(c.endswith(".rate") for c in res.columns)


@pytest.mark.parametrize(
    ("columns", "expected_name", "expected_ids"),
    [
        ({"doc_id": ["d1", "d2", "d3"], "id": ["i1", "i2", "i3"]}, "doc_id", ["d1", "d2", "d3"]),
        ({"id": [7, 8, 9], "ID": ["X", "Y", "Z"]}, "id", ["7", "8", "9"]),
        ({"ID": ["X", "Y", "Z"]}, "ID", ["X", "Y", "Z"]),
        ({"source": ["a", "b", "c"]}, "row", ["1", "2", "3"]),
    ],
)
def test_score_file_to_csv_puts_the_id_column_first(tmp_path, columns, expected_name, expected_ids):
    # SYNTHETIC texts; the scorer is a stand-in that returns one row per text and a column
    # named like the id column, which the written table must replace with the input's ids.
    src = tmp_path / "in.csv"
    texts = ["SYNTHETIC one.", "SYNTHETIC two words.", ""]
    pd.DataFrame({**columns, "body": texts}).to_csv(src, index=False)
    args = argparse.Namespace(file=str(src), text_column="body", out=str(tmp_path / "o.csv"))

    def score(df):
        return pd.DataFrame(
            {expected_name: "from the scorer", "n_chars": df["body"].str.len(), "status": "ok"}
        )

    written = _score_file_to_csv(args, score)
    on_disk = pd.read_csv(args.out, dtype=str, keep_default_na=False)
    assert list(on_disk.columns) == [expected_name, "n_chars", "status"]
    assert on_disk[expected_name].tolist() == expected_ids
    assert on_disk["n_chars"].tolist() == [str(len(t)) for t in texts]
    assert written[expected_name].tolist() == expected_ids
