"""The installed followaudit as a pure-Python wheel, for Spark Connect executors."""

from __future__ import annotations

import base64
import hashlib
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

import followaudit

PACKAGE = Path(followaudit.__file__).resolve().parent


def build_wheel(out_dir: str | Path | None = None) -> Path:
    """Write `followaudit-<version>-py3-none-any.whl.zip`: a wheel (a zip of the package and its
    dist-info) whose name ends in .zip, the suffix Spark Connect accepts for Python code."""
    version = metadata.version("followaudit")
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="followaudit_wheel_"))
    path = out_dir / f"followaudit-{version}-py3-none-any.whl.zip"
    info = f"followaudit-{version}.dist-info"
    files = {
        f"followaudit/{f.relative_to(PACKAGE).as_posix()}": f.read_bytes()
        for f in sorted(PACKAGE.rglob("*"))
        if f.is_file() and "__pycache__" not in f.parts
    }
    files[f"{info}/METADATA"] = _metadata(version).encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: followaudit\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
    return path


def _metadata(version: str) -> str:
    """Name, version and the installed distribution's own requirements (extras left out): the
    executors' Python must already have them (docs/scaling.md, "Spark Connect")."""
    requires = [r for r in metadata.requires("followaudit") or [] if "extra ==" not in r]
    lines = ["Metadata-Version: 2.1", "Name: followaudit", f"Version: {version}"]
    return "\n".join([*lines, *(f"Requires-Dist: {r}" for r in requires)]) + "\n"


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
