"""The wheel `--spark-remote` ships to the executors (`pipeline/wheel.py`), checked without a JVM:
a valid pure-Python wheel, carrying what a setuptools wheel would, whose followaudit imports from
the zip alone in a fresh interpreter that cannot see this checkout or its editable install."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

import followaudit
from followaudit.pipeline.wheel import build_wheel

PACKAGE = Path(followaudit.__file__).resolve().parent
VERSION = metadata.version("followaudit")
# The modules whose functions the build hands to Spark (mapInArrow / applyInArrow): cloudpickle
# sends them by reference, so every executor's Python imports them.
EXECUTOR_MODULES = (
    "followaudit.store.spark",
    "followaudit.store.engine",
    "followaudit.detect.features",
    "followaudit.detect.scoring",
    "followaudit.growth.per_creator",
    "followaudit.growth.spikes",
    "followaudit.pipeline.steps",
)
# In the fresh interpreter: every executor module's file, and package data read from the zip.
PROBE = """
import importlib, importlib.resources, json, sys
sys.path[:0] = [sys.argv[1]]
sys.path += sys.argv[2:]
files = {m: importlib.import_module(m).__file__ for m in %r}
model = importlib.resources.files("followaudit.detect") / "default_model" / "model.txt"
print(json.dumps({"files": files, "model": model.read_text()}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def _members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        assert archive.testzip() is None  # every member's CRC checks
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_wheel_is_pure_python_with_a_record_of_every_file(wheel):
    named = re.fullmatch(
        rf"followaudit-({re.escape(VERSION)}\+[0-9a-f]{{12}})-py3-none-any\.whl\.zip", wheel.name
    )
    assert named, wheel.name
    members = _members(wheel)
    info = f"followaudit-{named[1]}.dist-info"
    assert "Root-Is-Purelib: true" in members[f"{info}/WHEEL"].decode()
    assert "Tag: py3-none-any" in members[f"{info}/WHEEL"].decode()
    compiled = (".so", ".pyd", ".dll", ".dylib", ".pyc")
    assert not [n for n in members if n.endswith(compiled) or "__pycache__" in n]
    record = [line.split(",") for line in members[f"{info}/RECORD"].decode().splitlines()]
    assert record[-1] == [f"{info}/RECORD", "", ""]
    assert {row[0] for row in record} == set(members)
    for name, digest, size in record[:-1]:
        data = members[name]
        expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        assert (digest, int(size)) == (f"sha256={expected.decode()}", len(data)), name
    meta = members[f"{info}/METADATA"].decode().splitlines()
    assert {"Name: followaudit", f"Version: {named[1]}"} <= set(meta)
    required = [r for r in metadata.requires("followaudit") if "extra ==" not in r]
    assert [line.removeprefix("Requires-Dist: ") for line in meta[3:]] == required


def test_the_wheel_carries_every_module_and_the_package_data(wheel):
    """What a setuptools wheel of this tree holds: every module and every file
    pyproject's package-data names, byte for byte."""
    pyproject = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    patterns = ["**/*.py", *pyproject["tool"]["setuptools"]["package-data"]["followaudit"]]
    wanted = {f for p in patterns for f in PACKAGE.glob(p) if "__pycache__" not in f.parts}
    assert any(f.suffix == ".txt" for f in wanted)  # the default model, spark_functions.txt
    members = _members(wheel)
    for file in wanted:
        name = f"followaudit/{file.relative_to(PACKAGE).as_posix()}"
        assert members.get(name) == file.read_bytes(), name


def test_the_same_code_gives_the_same_wheel_and_other_code_another_name(wheel, tmp_path):
    """A Connect server refuses a second file of the same name with other bytes: one code, one
    name and one content (zip member times are fixed); a changed module, a new name."""
    again = build_wheel(tmp_path / "again")
    assert again.name == wheel.name and again.read_bytes() == wheel.read_bytes()
    changed = tmp_path / "followaudit"
    shutil.copytree(PACKAGE, changed, ignore=shutil.ignore_patterns("__pycache__"))
    with open(changed / "store" / "spark.py", "a") as module:
        module.write("# changed\n")
    other = build_wheel(tmp_path / "other", package=changed)
    assert other.name != wheel.name and other.name.startswith(f"followaudit-{VERSION}+")


def test_pip_accepts_the_wheel(wheel, tmp_path):
    """pip checks the name, the tags and every RECORD hash while installing."""
    renamed = tmp_path / wheel.name.removesuffix(".zip")
    shutil.copy(wheel, renamed)
    target = tmp_path / "site"
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    command += ["--no-compile", "--disable-pip-version-check", "--target", str(target)]
    subprocess.run([*command, str(renamed)], check=True, timeout=120)
    assert (target / "followaudit" / "store" / "spark_functions.txt").is_file()


def _fresh_python(tmp_path: Path, *path: str) -> subprocess.CompletedProcess:
    """`python -I -S`: no site (so no editable-install hook), no current folder, no PYTHON*
    variables; sys.path gets `path` (the wheel first) and then the venv's third-party packages,
    which a cluster's executors have installed."""
    site = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    assert not (Path(next(iter(site))) / "followaudit").exists()  # the dev install is a hook
    code = PROBE % (EXECUTOR_MODULES,)
    command = [sys.executable, "-I", "-S", "-c", code, *path, *site]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_followaudit_imports_from_the_wheel_alone(wheel, tmp_path):
    done = _fresh_python(tmp_path, str(wheel))
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.splitlines()[-1])
    for module, file in probe["files"].items():
        assert file.startswith(f"{wheel}/followaudit/"), (module, file)
    assert probe["model"] == (PACKAGE / "detect" / "default_model" / "model.txt").read_text()


def test_without_the_wheel_that_interpreter_has_no_followaudit(tmp_path):
    """The control: the fresh interpreter's followaudit can only have come from the zip."""
    done = _fresh_python(tmp_path, str(tmp_path / "no-such.zip"))
    assert done.returncode == 1
    assert "No module named 'followaudit'" in done.stderr
