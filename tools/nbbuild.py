"""Tiny helper used by the maintainers to write notebooks from cell lists (not used at run time)."""

from __future__ import annotations

import sys

import nbformat


def build(path: str, cells: list[tuple[str, str]]) -> None:
    nb = nbformat.v4.new_notebook()
    out = []
    for kind, src in cells:
        src = src.strip("\n")
        if kind == "md":
            out.append(nbformat.v4.new_markdown_cell(src))
        elif kind == "params":
            c = nbformat.v4.new_code_cell(src)
            c.metadata["tags"] = ["parameters"]
            out.append(c)
        else:
            out.append(nbformat.v4.new_code_cell(src))
    for i, c in enumerate(out):
        c["id"] = f"cell-{i:02d}"
    nb.cells = out
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.write(nb, path)


if __name__ == "__main__":
    sys.exit("import build() from this module")
