"""House-style plotting helpers (analysis.plots)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from analysis.plots import interval_point  # noqa: E402


def test_interval_point_draws_the_interval_not_the_error():
    fig, ax = plt.subplots()
    # scalar: a point at 0.2 with interval [0.05, 0.3] on row 1, hollow (a thin group)
    cont = interval_point(ax, 0.2, 1, 0.05, 0.3, color="#0072B2", hollow=True)
    segs = cont.lines[2][0].get_segments()
    assert np.allclose(segs[0], [[0.05, 1], [0.3, 1]])
    assert cont.lines[0].get_markerfacecolor() == "white"
    # arrays: two rows, filled markers
    cont = interval_point(ax, [1.0, 2.0], [0, 1], [0.5, 1.9], [1.5, 2.5], color="#D55E00")
    segs = cont.lines[2][0].get_segments()
    assert np.allclose(segs[0], [[0.5, 0], [1.5, 0]]) and np.allclose(segs[1], [[1.9, 1], [2.5, 1]])
    assert cont.lines[0].get_markerfacecolor() == "#D55E00"
    plt.close(fig)
