"""Notebooks: committed clean, parameterised, and they run (on a small sample) deterministically."""

from __future__ import annotations

import hashlib
import os

import nbformat
import pytest

from analysis import paths
from analysis.notebook_runner import run_notebooks, study_notebooks

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
SAMPLE = 60


def test_there_are_numbered_notebooks():
    names = [p.name for p in study_notebooks()]
    assert names[:2] == ["00-add-your-corpus.ipynb", "01-corpus-overview.ipynb"]
    assert len(set(n[:2] for n in names)) == len(names), "notebook numbers must be unique"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{nb_path.name}: outputs committed"
            assert cell.execution_count is None, f"{nb_path.name}: execution count committed"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_parameters_cell(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{nb_path.name}: needs exactly one cell tagged 'parameters'"
    src = tagged[0].source
    for name in ("CORPUS", "SAMPLE", "OUTPUT_DIR"):
        assert name in src


def _digest(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.mark.slow
@pytest.mark.xdist_group("notebooks")
@pytest.mark.parametrize(
    "nb_path", [p for p in study_notebooks() if not p.name.startswith("00-")], ids=lambda p: p.name
)
def test_notebook_runs_on_a_sample(nb_path, tmp_path, monkeypatch):
    # headless runs show the static article browser even outside CI (run_notebooks sets
    # ANALYSIS_STATIC for its kernels: executing ipywidgets can block nbclient)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ANALYSIS_STATIC", raising=False)
    out = tmp_path / "figures"
    run_notebooks(
        sample=SAMPLE, output_dir=out, only=[nb_path.name], executed_dir=tmp_path / "executed"
    )
    pngs = sorted(out.glob("*.png"))
    assert pngs, f"{nb_path.name} wrote no figure"
    for png in pngs:
        assert png.with_suffix(".csv").exists(), f"{png.name} has no CSV beside it"
    executed = (tmp_path / "executed" / nb_path.name).read_text(encoding="utf-8")
    if "article_browser(" in nb_path.read_text(encoding="utf-8"):
        assert "article browser (static)" in executed
        assert "application/vnd.jupyter.widget-view+json" not in executed
    assert "ANALYSIS_STATIC" not in os.environ  # restored after the run


@pytest.mark.slow
@pytest.mark.xdist_group("notebooks")
def test_figures_are_byte_identical_across_runs(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        run_notebooks(sample=SAMPLE, output_dir=out, only=["01-"], executed_dir=tmp_path / "x")
    assert _digest(first) == _digest(second)
    assert len(_digest(first)) >= 4


@pytest.mark.slow
@pytest.mark.xdist_group("notebooks")
def test_add_your_corpus_walkthrough_runs(tmp_path):
    import papermill as pm

    nb = paths.NOTEBOOKS_DIR / "00-add-your-corpus.ipynb"
    pm.execute_notebook(
        str(nb),
        str(tmp_path / "out.ipynb"),
        cwd=str(nb.parent),
        parameters={"OUTPUT_DIR": str(tmp_path / "work")},
        progress_bar=False,
        kernel_name="python3",
    )
    folder = tmp_path / "work" / "corpora" / "example_export"
    assert (folder / "corpus.yml").exists() and (folder / "DATACARD.md").exists()
    assert "| read | 12 |" in (folder / "DATACARD.md").read_text()


@pytest.mark.slow
@pytest.mark.xdist_group("notebooks")
def test_notebook_runs_on_a_corpus_without_ratings_or_dates(tmp_path, shipped_corpus):
    """A plain CSV (real articles, only doc_id/title/text): rating and date features are skipped
    with a note, not a crash."""
    import papermill as pm

    arts, _ = shipped_corpus
    src = tmp_path / "plain.csv"
    arts.head(40)[["doc_id", "title", "text"]].to_csv(src, index=False)
    nb = paths.NOTEBOOKS_DIR / "04-comparisons.ipynb"
    out_nb = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(nb),
        str(out_nb),
        cwd=str(nb.parent),
        progress_bar=False,
        parameters={"CORPUS": str(src), "OUTPUT_DIR": str(tmp_path / "fig")},
        kernel_name="python3",
    )
    text = out_nb.read_text()
    assert "Skipped" in text
    assert not (paths.FIGURES_DIR / "plain").exists()
