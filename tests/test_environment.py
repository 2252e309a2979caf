"""The project's setup files agree with each other."""

from __future__ import annotations

import tomllib

import yaml

from analysis import paths


def _pyproject() -> dict:
    return tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())


def test_environment_yml_pins_match_pyproject():
    pp = _pyproject()["project"]
    wanted = set(pp["dependencies"]) | set(pp["optional-dependencies"]["test"])
    env = yaml.safe_load((paths.PROJECT_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pinned = {d for d in pip_section if not d.startswith("-e")}
    assert pinned == wanted
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert py == "python=3.11"


def test_every_dependency_is_pinned_exactly():
    pp = _pyproject()["project"]
    for dep in pp["dependencies"] + pp["optional-dependencies"]["test"]:
        assert "==" in dep, dep


def test_lock_file_agrees_with_direct_pins():
    pp = _pyproject()["project"]
    lock = {}
    for line in (paths.PROJECT_ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line:
            name, ver = line.split("==")
            lock[name.lower().replace("_", "-")] = ver.strip()
    for dep in pp["dependencies"] + pp["optional-dependencies"]["test"]:
        name, ver = dep.split("==")
        name = name.split("[")[0].lower().replace("_", "-")
        assert lock.get(name) == ver, f"{name}: pyproject {ver}, lock {lock.get(name)}"


def test_ci_calls_the_readme_test_command():
    ci = (paths.PROJECT_ROOT / ".ci" / "run").read_text()
    readme = (paths.PROJECT_ROOT / "README.md").read_text()
    assert "make test" in ci
    assert "make test" in readme and "make figures" in readme


def test_paths_come_from_project_root():
    assert (paths.PROJECT_ROOT / "pyproject.toml").exists()
    assert paths.DATA_DIR == paths.PROJECT_ROOT / "data"
    assert paths.figures_dir("other") == paths.FIGURES_DIR / "other"
    assert paths.figures_dir("allsides_techpolicy") == paths.FIGURES_DIR


def test_no_code_reads_the_shared_folder():
    """Users' clones have no ../shared: only optional vendor tests may mention it."""
    offenders = []
    for f in (paths.PROJECT_ROOT / "analysis").rglob("*.py"):
        if "shared/" in f.read_text() or "'shared'" in f.read_text():
            offenders.append(str(f))
    assert offenders == []
