"""The synthetic-world generator (`followaudit generate`) and `inject_campaign` (the sandbox)."""

from __future__ import annotations

from followaudit.synth.config import WorldConfig
from followaudit.synth.ids import offset_ids
from followaudit.synth.inject import inject_campaign
from followaudit.synth.world import generate_world

__all__ = ["WorldConfig", "generate_world", "inject_campaign", "offset_ids"]
