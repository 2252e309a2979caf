"""Run the study's notebooks headlessly, in order, with parameters (papermill).

papermill was chosen over bare nbclient because it injects a ``parameters`` cell the way analysts
already know from JupyterLab, records parameters in the executed copy, and reports the failing
cell. Executed copies go to ``.cache/executed/<corpus>/`` (git-ignored): the committed notebooks
stay without outputs.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import paths

NOTEBOOK_RE = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")


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
        pm.execute_notebook(
            str(nb),
            str(target),
            parameters={"CORPUS": corpus, "SAMPLE": sample, "OUTPUT_DIR": str(out)},
            kernel_name=kernel_name,
            cwd=str(nb.parent),
            progress_bar=False,
            log_output=log_output,
        )
        done.append(target)
    return done
