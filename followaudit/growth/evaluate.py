"""Spike detection against the generator's ground truth (campaigns and benign events)."""

from __future__ import annotations

import polars as pl

from followaudit.store.workspace import Workspace, run_query, table_exists

# A benign event's effect on follows lasts a few days; a spike within them counts as overlapping.
EVENT_DAYS = 3


def evaluate_spikes(ws_or_con, event_days: int = EVENT_DAYS) -> dict:
    """Recall per campaign kind, false-alarm rate per event kind, precision per spike kind.

    `event_false_alarms` counts every benign event a `suspicious` spike overlaps;
    `event_false_alarms_outside_campaigns` only those where such a spike overlaps no real
    campaign of the creator (a suspicious spike over a campaign that runs through a viral week
    is right, whatever else it covers)."""
    con = ws_or_con.con if isinstance(ws_or_con, Workspace) else ws_or_con
    missing = [t for t in ("spikes", "campaigns", "events") if not table_exists(con, t)]
    if missing:
        raise ValueError(
            f"the workspace has no ground truth to evaluate against: missing {missing}"
        )
    params = {"event_days": event_days}
    campaigns = run_query(con, "growth/eval_campaigns")
    events = run_query(con, "growth/eval_events", params)
    spikes = run_query(con, "growth/eval_spikes", params)
    return {
        "campaign_recall": _rates(campaigns, "kind", "found"),
        "event_false_alarms": _rates(events, "kind", "flagged_suspicious"),
        "event_false_alarms_outside_campaigns": _rates(events, "kind", "false_alarm"),
        "spike_precision": _rates(
            spikes.filter(pl.col("verdict") == "suspicious"), "kind", "is_campaign"
        ),
        "explained_spikes_on_events": _rates(
            spikes.filter(pl.col("verdict") == "explained"), "kind", "is_event"
        ),
    }


def _rates(frame: pl.DataFrame, by: str, flag: str) -> dict:
    """{group: {"n", "hits", "rate"}} plus an "all" row."""
    out = {}
    for key, group in [("all", frame), *sorted(frame.partition_by(by, as_dict=True).items())]:
        name = key if isinstance(key, str) else key[0]
        hits = int(group[flag].sum()) if group.height else 0
        out[name] = {
            "n": group.height,
            "hits": hits,
            "rate": hits / group.height if group.height else None,
        }
    return out


def format_report(result: dict) -> str:
    """A Markdown table of the evaluation, for docs/evaluation.md."""
    lines = ["| measure | group | n | hits | rate |", "|---|---|---|---|---|"]
    for measure, groups in result.items():
        for group, row in groups.items():
            rate = "—" if row["rate"] is None else f"{row['rate']:.1%}"
            lines.append(f"| {measure} | {group} | {row['n']} | {row['hits']} | {rate} |")
    return "\n".join(lines)
