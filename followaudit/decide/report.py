"""What a policy does at its threshold, two policies compared, and the stakeholder report.

`snapshot` is the per-threshold-move summary the lab shows; `compare` diffs two policies;
`report_csv` / `report_html` export them. The HTML is one self-contained page: its charts are
inline SVG drawn here, so it opens offline and in any mail client (no JavaScript, no CDN).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import polars as pl

from followaudit.decide.lab import Lab
from followaudit.decide.policy import Policy, describe, resolved_tiers

SHOWN_FLIPS = 500
HEADLINE = ("precision", "recall", "f1", "mcc", "fpr")


def lab_threshold(lab: Lab, policy: Policy) -> float:
    """The policy's flag line on this lab's accounts (resolves top-X %)."""
    if policy.top_percent is not None:
        return lab.index.threshold_for_top(policy.top_percent)
    return float(policy.threshold)


def snapshot(lab: Lab, policy: Policy, threshold: float | None = None) -> dict:
    """Everything the lab shows at one threshold: counts, tiers, metrics, intervals, impact."""
    t = lab_threshold(lab, policy) if threshold is None else float(threshold)
    tiers = resolved_tiers(policy, t)
    out = {
        "threshold": t,
        "top_percent": lab.index.top_percent(t),
        "flagged": lab.index.flagged_count(t),
        "tiers": lab.index.tier_counts(tiers),
        "tier_cutoffs": tiers,
        "metrics": lab.index.metrics(t) if lab.index.has_metrics else None,
        "intervals": lab.index.intervals(t) if lab.index.has_metrics else None,
        "impact": lab.impact_summary(t),
    }
    return out


@dataclass
class Comparison:
    """Policy A vs policy B on the same workspace."""

    deltas: pl.DataFrame  # measure, a, b, delta
    flips: pl.DataFrame  # up to SHOWN_FLIPS accounts whose flag differs, biggest change first
    flip_count: int
    creators: pl.DataFrame  # creators whose lost share changes by >= 1 point


def _measures(snap: dict) -> dict[str, float]:
    out = {"threshold": snap["threshold"], "flagged": snap["flagged"]}
    out |= {f"tier {k}": v for k, v in snap["tiers"].items() if k != "none"}
    if snap["metrics"]:
        out |= {m: snap["metrics"][m] for m in HEADLINE}
    if snap["impact"]:
        out |= {f"creators losing {k}": v for k, v in snap["impact"].items()}
    return out


def compare(lab_a: Lab, pol_a: Policy, lab_b: Lab, pol_b: Policy) -> Comparison:
    """Metric deltas, accounts that flip and creators whose impact changes from A to B."""
    snap_a, snap_b = snapshot(lab_a, pol_a), snapshot(lab_b, pol_b)
    a, b = _measures(snap_a), _measures(snap_b)
    names = [k for k in a if k in b]
    deltas = pl.DataFrame(
        {
            "measure": names,
            "a": [float(a[k]) for k in names],
            "b": [float(b[k]) for k in names],
        }
    ).with_columns((pl.col("b") - pl.col("a")).alias("delta"))
    flips = _flips(lab_a, snap_a["threshold"], lab_b, snap_b["threshold"])
    return Comparison(
        deltas,
        flips.head(SHOWN_FLIPS),
        flips.height,
        _creator_changes(lab_a, snap_a["threshold"], lab_b, snap_b["threshold"]),
    )


def _flips(lab_a: Lab, t_a: float, lab_b: Lab, t_b: float) -> pl.DataFrame:
    a = lab_a.risk.select("account_id", "score", pl.col("risk").alias("risk_a"))
    b = lab_b.risk.select("account_id", pl.col("risk").alias("risk_b"), "rule_hits")
    both = a.join(b, on="account_id", how="inner").with_columns(
        (pl.col("risk_a") >= t_a).alias("flagged_a"), (pl.col("risk_b") >= t_b).alias("flagged_b")
    )
    flipped = both.filter(pl.col("flagged_a") != pl.col("flagged_b"))
    change = (pl.col("risk_b") - pl.col("risk_a")).abs()
    return flipped.sort([change, pl.col("risk_b")], descending=True)


def _creator_changes(lab_a: Lab, t_a: float, lab_b: Lab, t_b: float) -> pl.DataFrame:
    if lab_a.impact is None or lab_b.impact is None:
        return pl.DataFrame(schema={"creator_id": pl.Int64, "lost_pct_a": pl.Float64})
    a = lab_a.impact_at(t_a).select(
        "creator_id", "followers", pl.col("lost_pct").alias("lost_pct_a")
    )
    b = lab_b.impact_at(t_b).select("creator_id", pl.col("lost_pct").alias("lost_pct_b"))
    both = a.join(b, on="creator_id").with_columns(
        (pl.col("lost_pct_b") - pl.col("lost_pct_a")).alias("change_pts")
    )
    return both.filter(pl.col("change_pts").abs() >= 1.0).sort(
        pl.col("change_pts").abs(), descending=True
    )


# --- exports ----------------------------------------------------------------------------------


def report_rows(policy: Policy, snap: dict, comparison: Comparison | None = None) -> pl.DataFrame:
    """The report as long rows: measure, value (and the compared policy's value and delta)."""
    values = _measures(snap)
    rows = pl.DataFrame(
        {
            "policy": [policy.name] * len(values),
            "version": [policy.version] * len(values),
            "measure": list(values),
            "value": [float(v) for v in values.values()],
        }
    )
    if snap["intervals"]:
        ci = snap["intervals"]
        rows = rows.with_columns(
            pl.col("measure")
            .replace_strict({m: ci[m][0] for m in ci}, default=None)
            .alias("ci_low"),
            pl.col("measure")
            .replace_strict({m: ci[m][1] for m in ci}, default=None)
            .alias("ci_high"),
        )
    if comparison is not None:
        rows = rows.join(
            comparison.deltas.select("measure", pl.col("a").alias("compared"), "delta"),
            on="measure",
            how="left",
        )
    return rows


def report_csv(policy: Policy, snap: dict, comparison: Comparison | None = None) -> bytes:
    """The report rows as CSV bytes."""
    return report_rows(policy, snap, comparison).write_csv().encode()


def report_html(
    policy: Policy,
    lab: Lab,
    snap: dict,
    comparison: Comparison | None = None,
    creator_names: pl.DataFrame | None = None,
) -> str:
    """A one-page, self-contained HTML summary with inline SVG charts."""
    e = html.escape
    parts = [
        f"<h1>Policy report: {e(policy.name)} v{policy.version}</h1>",
        f"<p class=meta>Saved by {e(policy.author or '-')} at {e(policy.created_at or '-')}."
        f" {e(policy.note)}</p>",
        f"<p>{e(describe(policy))}</p>",
        "".join(f"<p class=note>{e(n)}</p>" for n in lab.notes + lab.skipped),
        "<h2>At the threshold</h2>",
        _table(report_rows(policy, snap, comparison)),
        "<div class=charts>",
        _svg_line(lab.index.curves["pr"], "recall", "precision", "Precision vs recall", snap),
        _svg_bars(lab.index.histogram, snap["threshold"]),
        "</div>",
        "<h2>Collateral: genuine accounts flagged by segment</h2>",
        _table(lab.segments.at(snap["threshold"]).filter(pl.col("genuine") > 0)),
    ]
    if lab.impact is not None:
        top = lab.impact_at(snap["threshold"]).sort("lost_pct", descending=True).head(15)
        if creator_names is not None:
            top = top.join(creator_names, on="creator_id", how="left")
        parts += ["<h2>Most affected creators</h2>", _table(top)]
    if comparison is not None:
        parts += [
            f"<h2>Compared: {comparison.flip_count:,} accounts change flag</h2>",
            _table(comparison.flips.head(20).drop("rule_hits")),
        ]
    return _PAGE.format(title=e(policy.name), body="\n".join(parts))


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Policy report {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}}
table{{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}}td,th{{border:1px solid #ccc;
padding:2px 6px;text-align:right}}th{{background:#f3f3f3}}.note,.meta{{color:#555;font-size:.9rem}}
.charts{{display:flex;gap:1rem;flex-wrap:wrap}}svg{{border:1px solid #ddd}}</style></head>
<body>{body}</body></html>"""


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}"
    return html.escape(
        "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
    )


def _table(frame: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in row) + "</tr>" for row in frame.iter_rows()
    )
    return f"<table><tr>{head}</tr>{body}</table>"


W, H, PAD = 360, 240, 36


def _svg_line(frame: pl.DataFrame, x: str, y: str, title: str, snap: dict) -> str:
    """A 0..1 x 0..1 line chart with the current point marked."""
    pts = " ".join(
        f"{PAD + vx * (W - 2 * PAD):.1f},{H - PAD - vy * (H - 2 * PAD):.1f}"
        for vx, vy in zip(frame[x].to_list(), frame[y].to_list(), strict=True)
    )
    mark = ""
    if snap["metrics"]:
        mx, my = snap["metrics"][x], snap["metrics"][y]
        cx, cy = PAD + mx * (W - 2 * PAD), H - PAD - my * (H - 2 * PAD)
        mark = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="#d62728"/>'
    return (
        f'<svg width="{W}" height="{H}" role="img"><title>{title}</title>'
        f'<text x="{PAD}" y="20" font-size="13">{title} (red: this threshold)</text>'
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{pts}"/>{mark}'
        f'<text x="{W / 2}" y="{H - 8}" font-size="11">{x}</text>'
        f'<text x="4" y="{H / 2}" font-size="11">{y}</text></svg>'
    )


def _svg_bars(hist: pl.DataFrame, threshold: float) -> str:
    """The risk histogram (log-free counts) with the threshold as a red line."""
    top = max(1, int(hist["accounts"].max() or 1))
    span = float(hist["end"].max() or 1.0)
    width = (W - 2 * PAD) / max(1, hist.height)
    bars = "".join(
        f'<rect x="{PAD + i * width:.1f}" y="{H - PAD - c / top * (H - 2 * PAD):.1f}" '
        f'width="{max(width - 1, 1):.1f}" height="{c / top * (H - 2 * PAD):.1f}" fill="#9ecae1"/>'
        for i, c in enumerate(hist["accounts"].to_list())
    )
    lx = PAD + min(threshold / span, 1.0) * (W - 2 * PAD)
    return (
        f'<svg width="{W}" height="{H}" role="img"><title>Accounts by risk</title>'
        f'<text x="{PAD}" y="20" font-size="13">Accounts by risk (red: threshold)</text>{bars}'
        f'<line x1="{lx:.1f}" x2="{lx:.1f}" y1="{PAD}" y2="{H - PAD}" stroke="#d62728" stroke-width="2"/>'
        f'<text x="{W / 2}" y="{H - 8}" font-size="11">risk 0 .. {span:g}</text></svg>'
    )


# --- altair charts for the lab -------------------------------------------------------------
