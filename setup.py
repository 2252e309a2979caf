"""Build of the package's one compiled extension (``analysis._newscore``, Cython).

Everything else about the package is declared in pyproject.toml. ``-ffp-contract=off`` keeps
the compiler from fusing a multiply and an add, so the extension's floats equal the Python
reference's bit for bit. The SHA-256 of the ``.pyx`` is compiled into the module
(``SOURCE_SHA256``), so ``analysis.sentiment`` can tell a stale build from a current one.
"""

import hashlib
from pathlib import Path

from Cython.Build import cythonize
from setuptools import Extension, setup

PYX = "analysis/_newscore.pyx"
PYX_SHA256 = hashlib.sha256((Path(__file__).parent / PYX).read_bytes()).hexdigest()

setup(
    ext_modules=cythonize(
        [
            Extension(
                "analysis._newscore",
                [PYX],
                extra_compile_args=["-O2", "-ffp-contract=off"],
            )
        ],
        compiler_directives={"language_level": "3"},
        compile_time_env={"PYX_SHA256": PYX_SHA256},
    )
)
