"""Run the study's notebooks headlessly, in order, with parameters (papermill).

papermill was chosen over bare nbclient because it injects a ``parameters`` cell the way analysts
already know from JupyterLab, records parameters in the executed copy, and reports the failing
cell. Executed copies go to ``.cache/executed/<corpus>/`` (git-ignored): the committed notebooks
stay without outputs.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from . import paths

NOTEBOOK_RE = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")
# a cell that runs longer than this fails the run instead of hanging it (the whole-corpus scoring
# cell takes well under a minute cold on the 2-core reference machine)
CELL_TIMEOUT_S = 1800


@contextlib.contextmanager
def _headless_env() -> Iterator[None]:
    """``ANALYSIS_STATIC=1`` for the kernels started inside (they inherit the environment), then
    the previous value back. Headless runs have no front end, so the article browser prints its
    static table: executing a cell that displays ipywidgets can block nbclient until the kernel
    is killed (jupyter/nbclient#312; seen here once in a fresh-clone test run, kernel idle and the
    client waiting on the browser cell for 15 minutes)."""
    old = os.environ.get("ANALYSIS_STATIC")
    os.environ["ANALYSIS_STATIC"] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("ANALYSIS_STATIC", None)
        else:
            os.environ["ANALYSIS_STATIC"] = old


def study_notebooks(folder: Path | None = None) -> list[Path]:
    """The numbered notebooks (``NN-name.ipynb``) in run order."""
    folder = folder or paths.NOTEBOOKS_DIR
    return sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_RE.match(p.name))


def run_notebooks(
    corpus: str = "allsides_techpolicy",
    sample: int | None = None,
    output_dir: Path | None = None,
    only: list[str] | None = None,
    executed_dir: Path | None = None,
    kernel_name: str = "python3",
    log_output: bool = False,
) -> list[Path]:
    """Execute every study notebook (or those whose name contains one of ``only``).

    ``output_dir`` defaults to ``figures/`` for the shipped corpus and ``figures/<corpus>/`` for
    any other (so another corpus never touches the shipped study's figures).
    """
    import papermill as pm

    out = Path(output_dir) if output_dir else paths.figures_dir(corpus)
    executed = executed_dir or (paths.CACHE_DIR / "executed" / corpus)
    executed.mkdir(parents=True, exist_ok=True)
    done = []
    for nb in study_notebooks():
        if only and not any(o in nb.name for o in only):
            continue
        if nb.name.startswith("00-"):
            continue  # the walkthrough runs on its own example, not on the study corpus
        target = executed / nb.name
        with _headless_env():
            pm.execute_notebook(
                str(nb),
                str(target),
                parameters={"CORPUS": corpus, "SAMPLE": sample, "OUTPUT_DIR": str(out)},
                kernel_name=kernel_name,
                cwd=str(nb.parent),
                progress_bar=False,
                log_output=log_output,
                execution_timeout=CELL_TIMEOUT_S,
            )
        done.append(target)
    return done
