"""Versioned policies on disk: `<sidecar>/policies/NAME/vNNNN.toml`, never overwritten.

A save writes the complete TOML to a temp file, fsyncs it, then hard-links it to the next free
version name: `link` fails if the name exists (like O_EXCL), so two concurrent saves land as
distinct versions and a reader never sees a half-written file. `ACTIVE` names the active
policy and is replaced atomically (temp file + os.replace).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from followaudit.decide.policy import (
    _NAME,
    DEFAULT_PRESET,
    PRESETS_DIR,
    Policy,
    PolicyError,
    check_saveable,
    default_policy,
    from_toml,
    load_preset,
    to_toml,
)
from followaudit.store.files import atomic_write, write_new

_VERSION_FILE = re.compile(r"v(\d{4,})\.toml")
_REFERENCE = re.compile(r"([^@]+)(?:@v?(\d{1,9}))?")


def parse_reference(text: str) -> tuple[str, int | None]:
    """'name' or 'name@v3' (also 'name@3') -> (name, version or None)."""
    match = _REFERENCE.fullmatch(text.strip())
    if not match or not _NAME.fullmatch(match.group(1)):
        raise PolicyError(f"policy {text[:80]!r}: expected NAME or NAME@vN (e.g. conservative@v2)")
    return match.group(1), int(match.group(2)) if match.group(2) else None


@dataclass(frozen=True)
class PolicyVersion:
    """One saved version, as listed by the store."""

    name: str
    version: int
    author: str
    created_at: str
    note: str
    path: Path


class PolicyStore:
    """Versioned TOML files under `<sidecar>/policies/NAME/vNNNN.toml`; saving never overwrites."""

    def __init__(self, sidecar_dir: str | Path):
        self.root = Path(sidecar_dir) / "policies"

    def save(self, policy: Policy, author: str = "", note: str = "") -> Policy:
        """Write the policy as the next version of its name and return it as saved;
        incoherent tiers (below the threshold) are refused with the reason."""
        check_saveable(policy)
        folder = self.root / policy.name
        folder.mkdir(parents=True, exist_ok=True)
        while True:
            version = self._next_version(policy.name)
            saved = replace(
                policy,
                version=version,
                author=author or policy.author or os.environ.get("USER", "analyst"),
                note=note if note else policy.note,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            if write_new(folder / f"v{version:04d}.toml", to_toml(saved)):
                return saved

    def _next_version(self, name: str) -> int:
        return max(self._versions(name), default=0) + 1

    def _versions(self, name: str) -> list[int]:
        folder = self.root / name
        if not folder.is_dir():
            return []
        found = (_VERSION_FILE.fullmatch(p.name) for p in folder.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

    def names(self) -> list[str]:
        """Policy names with at least one saved version."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and self._versions(p.name))

    def list(self) -> list[PolicyVersion]:
        """Every saved version of every policy, newest version first per name."""
        return [
            self._entry(name, version)
            for name in self.names()
            for version in reversed(self._versions(name))
        ]

    def _entry(self, name: str, version: int) -> PolicyVersion:
        path = self._path(name, version)
        try:
            p = self.load(name, version)
        except PolicyError as exc:  # a hand-edited file must not hide the other versions
            return PolicyVersion(name, version, "", "", f"unreadable: {exc}", path)
        return PolicyVersion(name, version, p.author, p.created_at, p.note, path)

    def _path(self, name: str, version: int) -> Path:
        return self.root / name / f"v{version:04d}.toml"

    def load(self, name: str, version: int | None = None) -> Policy:
        """A saved version (latest when `version` is None); a preset name also loads."""
        if not _NAME.fullmatch(name or ""):
            raise PolicyError(f"bad policy name {name!r}")
        versions = self._versions(name)
        if not versions:
            if version is None and (PRESETS_DIR / f"{name}.toml").exists():
                return load_preset(name)
            if version is not None and (PRESETS_DIR / f"{name}.toml").exists():
                raise PolicyError(f"{name!r} is a preset: it has no saved version {version}")
            raise PolicyError(f"no saved policy named {name!r} in {self.root}")
        version = versions[-1] if version is None else int(version)
        if version not in versions:
            raise PolicyError(f"policy {name!r} has no version {version} (has {versions})")
        path = self._path(name, version)
        return from_toml(path.read_text(), source=str(path))

    def active_name(self) -> str:
        """The active policy's name (the default preset when none was set)."""
        marker = self.root / "ACTIVE"
        name = marker.read_text().strip() if marker.exists() else ""
        return name or DEFAULT_PRESET

    def active(self) -> Policy:
        """The active policy (latest version), falling back to the default preset."""
        try:
            return self.load(self.active_name())
        except PolicyError:
            return default_policy()

    def set_active(self, name: str) -> None:
        """Make `name` (a saved policy or a preset) the active one."""
        self.load(name)  # raises a clear error for an unknown name
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write(self.root / "ACTIVE", name + "\n")
