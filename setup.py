"""Build of the package's one compiled extension (``analysis._newscore``, Cython).

Everything else about the package is declared in pyproject.toml. ``-ffp-contract=off`` keeps
the compiler from fusing a multiply and an add, so the extension's floats equal the Python
reference's bit for bit.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension(
                "analysis._newscore",
                ["analysis/_newscore.pyx"],
                extra_compile_args=["-O2", "-ffp-contract=off"],
            )
        ],
        compiler_directives={"language_level": "3"},
    )
)
