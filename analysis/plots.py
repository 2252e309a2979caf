"""House style for the study's charts and the one function that saves a figure with its data.

Colours are the Okabe-Ito palette (colour-blind safe). Outlet ratings have fixed colours so a
reader learns them once: left blue, center grey-green, right vermillion.

``save_figure`` writes ``<name>.png`` and ``<name>.csv`` side by side; PNG metadata carries no
timestamp or software version, and CSVs are written with a fixed float format, so rerunning a
notebook gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import paths

# No backend is forced here: in JupyterLab figures show inline, and headless runs (papermill, CI,
# no display) get matplotlib's non-interactive default.

OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
]
RATING_COLORS = {"left": "#0072B2", "center": "#7F7F7F", "right": "#D55E00"}
RATING_ORDER = ["left", "center", "right"]
VOICE_COLORS = {"reporter": "#000000", "quoted": "#E69F00"}

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "figure.figsize": (8, 4.5),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "legend.frameon": False,
    "font.family": "DejaVu Sans",
    "svg.hashsalt": "analysis",
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
}


def use_style() -> None:
    """Apply the house style to matplotlib's global settings."""
    plt.rcParams.update(STYLE)


def _out_dir(out_dir: str | Path | None) -> Path:
    d = Path(out_dir) if out_dir is not None else paths.FIGURES_DIR
    d.mkdir(parents=True, exist_ok=True)
    return d


def save_table(data: pd.DataFrame, name: str, out_dir: str | Path | None = None) -> Path:
    """Write ``data`` to ``<out_dir>/<name>.csv`` deterministically and return the path."""
    path = _out_dir(out_dir) / f"{name}.csv"
    frame = data.reset_index() if not isinstance(data.index, pd.RangeIndex) else data
    frame.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
    return path


def save_figure(
    fig: matplotlib.figure.Figure,
    name: str,
    data: pd.DataFrame,
    out_dir: str | Path | None = None,
    close: bool = False,
) -> Path:
    """Save ``fig`` as ``<name>.png`` and the data behind it as ``<name>.csv``.

    No timestamps or version strings are embedded, so identical input gives identical bytes.
    Returns the PNG path. The figure is left open (notebooks display it) unless ``close``.
    """
    if data is None or not isinstance(data, pd.DataFrame):
        raise TypeError(f"save_figure({name!r}): pass the DataFrame the chart was drawn from")
    out = _out_dir(out_dir)
    png = out / f"{name}.png"
    fig.savefig(png, metadata={"Software": None}, bbox_inches="tight", dpi=STYLE["savefig.dpi"])
    save_table(data, name, out)
    if close:
        plt.close(fig)
    return png


def finding_title(fig: matplotlib.figure.Figure, text: str) -> None:
    """Set ``text`` (already wrapped) as the figure's left-aligned bold title, then tighten the
    layout: the house style for titles that state a finding."""
    fig.suptitle(text, x=0.01, ha="left", fontsize=10, fontweight="bold")
    fig.tight_layout()


def n_label(n: int) -> str:
    """ "n = 1,234" for chart annotations."""
    return f"n = {n:,}"


def interval_point(ax, value, pos, low, high, *, color, hollow=False, **kwargs):
    """Point estimate(s) ``value`` at ``pos`` on the y axis with the interval ``[low, high]``
    drawn as horizontal error bars; ``hollow`` (the house mark for thin groups) draws a white
    marker face. Scalars or arrays; extra keywords go to ``Axes.errorbar``."""
    value = np.atleast_1d(np.asarray(value, dtype=float))
    err = [value - np.atleast_1d(low), np.atleast_1d(high) - value]
    return ax.errorbar(
        value,
        pos,
        xerr=err,
        fmt="o",
        color=color,
        mfc="white" if hollow else color,
        **kwargs,
    )
