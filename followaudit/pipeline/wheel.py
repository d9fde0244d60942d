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
# Fixed member times: the same code gives the same bytes (zip stores each member's mtime).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def build_wheel(out_dir: str | Path | None = None, package: Path = PACKAGE) -> Path:
    """Write `followaudit-<version>+<code hash>-py3-none-any.whl.zip`: a wheel (a zip of the
    package and its dist-info) whose name ends in .zip, the suffix Spark Connect accepts for
    Python code. The same code always gives the same bytes under the same name, and other code
    another name: a Connect server keeps added files by name (across sessions, unless artifact
    isolation is on) and refuses a second file of that name with other contents."""
    files = {
        f"followaudit/{f.relative_to(package).as_posix()}": f.read_bytes()
        for f in sorted(package.rglob("*"))
        if f.is_file() and "__pycache__" not in f.parts
    }
    code = hashlib.sha256()
    for name, data in files.items():
        code.update(f"{name}\0{len(data)}\0".encode() + data)
    version = f"{metadata.version('followaudit')}+{code.hexdigest()[:12]}"
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="followaudit_wheel_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"followaudit-{version}-py3-none-any.whl.zip"
    info = f"followaudit-{version}.dist-info"
    files[f"{info}/METADATA"] = _metadata(version).encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: followaudit\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            member = zipfile.ZipInfo(name, ZIP_TIME)
            member.external_attr = 0o644 << 16
            wheel.writestr(member, data, zipfile.ZIP_DEFLATED)
    return path


def _metadata(version: str) -> str:
    """Name, version and the installed distribution's own requirements (extras left out): the
    executors' Python must already have them (docs/scaling.md, "Spark Connect")."""
    requires = [r for r in metadata.requires("followaudit") or [] if "extra ==" not in r]
    lines = ["Metadata-Version: 2.1", "Name: followaudit", f"Version: {version}"]
    return "\n".join([*lines, *(f"Requires-Dist: {r}" for r in requires)]) + "\n"


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
