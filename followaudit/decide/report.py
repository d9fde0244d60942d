"""What a policy does at its threshold, two policies compared, and the stakeholder report.

`snapshot` is the per-threshold-move summary the lab shows; `compare` diffs two policies;
`report_csv` / `report_html` export them. The HTML is one self-contained page: its charts are
inline SVG drawn here, so it opens offline and in any mail client (no JavaScript, no CDN).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import polars as pl

from followaudit.decide.decisions import Decisions
from followaudit.decide.lab import Lab, snapshot
from followaudit.decide.policy import Policy, describe

SHOWN_FLIPS = 500
HEADLINE = ("precision", "recall", "f1", "mcc", "fpr")


@dataclass
class Comparison:
    """Policy A vs policy B on the same workspace."""

    a: str  # "name v3" of policy A
    b: str
    deltas: pl.DataFrame  # measure, a, b, delta
    flips: pl.DataFrame  # up to SHOWN_FLIPS accounts whose flag differs, biggest change first
    flip_count: int
    creators: pl.DataFrame  # creators whose lost share changes by >= 1 point


def measures(snap: dict) -> dict[str, float]:
    """The report's measures at one threshold, named as a stakeholder reads them."""
    out = {
        "threshold (risk)": snap["threshold"],
        "accounts flagged": snap["flagged"],
        "share of accounts flagged (%)": snap["top_percent"],
    }
    out |= {f"tier {k}": v for k, v in snap["tiers"].items() if k != "none"}
    labelled = snap["labelled"]
    out |= {
        "labelled fake, flagged (tp)": labelled["tp"],
        "labelled genuine, flagged (fp)": labelled["fp"],
        "labelled fake, not flagged (fn)": labelled["fn"],
        "labelled genuine, not flagged (tn)": labelled["tn"],
    }
    if snap["metrics"]:
        out |= {f"{m} (out-of-fold estimate)": snap["metrics"][m] for m in HEADLINE}
    if snap["has_follows"]:  # without a follow log these were never computed: not zeros
        out |= {f"creators losing > {k} %": v for k, v in snap["creators_losing"].items()}
        out["followers a purge removes"] = snap["purge_followers"]
    return out


def compare(
    lab_a: Lab, pol_a: Policy, lab_b: Lab, pol_b: Policy, labels: tuple[str, str] | None = None
) -> Comparison:
    """Measure deltas, accounts that flip and creators whose impact changes from A to B
    (`labels`: how to call A and B; 'name vN' by default)."""
    snap_a, snap_b = snapshot(lab_a, pol_a), snapshot(lab_b, pol_b)
    a, b = measures(snap_a), measures(snap_b)
    names = [k for k in a if k in b]
    deltas = pl.DataFrame(
        {
            "measure": names,
            "a": [float(a[k]) for k in names],
            "b": [float(b[k]) for k in names],
        }
    ).with_columns((pl.col("b") - pl.col("a")).alias("delta"))
    dec_a, dec_b = snap_a["decisions"], snap_b["decisions"]
    flips = _flips(dec_a, dec_b)
    label_a, label_b = labels or (pol_a.label, pol_b.label)
    return Comparison(
        label_a,
        label_b,
        deltas,
        flips.head(SHOWN_FLIPS),
        flips.height,
        _creator_changes(dec_a, dec_b),
    )


def _flips(a: Decisions, b: Decisions) -> pl.DataFrame:
    flagged_a, flagged_b = a.risk.risk >= a.threshold, b.risk.risk >= b.threshold
    where = np.flatnonzero(flagged_a != flagged_b)
    flipped = pl.DataFrame(
        {
            "account_id": a.risk.inputs.account_ids[where],
            "score": a.risk.inputs.score[where],
            "risk_a": a.risk.risk[where],
            "risk_b": b.risk.risk[where],
            "flagged_a": flagged_a[where],
            "flagged_b": flagged_b[where],
        }
    ).with_columns(b.risk.rule_hits(where).alias("rule_hits_b"))
    change = (pl.col("risk_b") - pl.col("risk_a")).abs()
    return flipped.sort(
        [change, pl.col("risk_b"), pl.col("account_id")], descending=[True, True, False]
    )


def _creator_changes(a: Decisions, b: Decisions) -> pl.DataFrame:
    loss_a, loss_b = a.creator_losses(), b.creator_losses()
    if loss_a is None or loss_b is None:
        return pl.DataFrame(
            schema={"creator_id": pl.Int64, "followers": pl.Int64, "lost_pct_a": pl.Float64}
            | {"lost_pct_b": pl.Float64, "change_pts": pl.Float64}
        )
    both = loss_a.select("creator_id", "followers", pl.col("lost_pct").alias("lost_pct_a")).join(
        loss_b.select("creator_id", pl.col("lost_pct").alias("lost_pct_b")), on="creator_id"
    )
    both = both.with_columns((pl.col("lost_pct_b") - pl.col("lost_pct_a")).alias("change_pts"))
    return both.filter(pl.col("change_pts").abs() >= 1.0).sort(
        [pl.col("change_pts").abs(), pl.col("creator_id")], descending=[True, False]
    )


# --- exports ----------------------------------------------------------------------------------


def report_rows(policy: Policy, snap: dict, comparison: Comparison | None = None) -> pl.DataFrame:
    """The report as long rows: measure, value, interval, and policy B's value and the change."""
    values = measures(snap)
    rows = pl.DataFrame(
        {
            "policy": [policy.name] * len(values),
            "version": [policy.version] * len(values),
            "measure": list(values),
            "value": [float(v) for v in values.values()],
        }
    )
    if snap["intervals"]:
        ci = {f"{m} (out-of-fold estimate)": snap["intervals"][m] for m in HEADLINE}
        rows = rows.with_columns(
            pl.col("measure")
            .replace_strict({m: v[0] for m, v in ci.items()}, default=None)
            .alias("ci_low"),
            pl.col("measure")
            .replace_strict({m: v[1] for m, v in ci.items()}, default=None)
            .alias("ci_high"),
        )
    if comparison is not None:
        rows = rows.join(
            comparison.deltas.select(
                "measure", pl.col("b").alias("compared_value"), pl.col("delta").alias("change")
            ),
            on="measure",
            how="left",
            maintain_order="left",
        ).with_columns(pl.lit(comparison.b).alias("compared_with"))
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
    d: Decisions = snap["decisions"]
    parts = [
        f"<h1>Policy report: {e(policy.label)}</h1>",
        f"<p class=meta>Saved by {e(policy.author or '-')} at {e(policy.created_at or '-')}."
        f" {e(policy.note)}</p>",
        f"<p>{e(describe(policy))}</p>",
        "".join(f"<p class=note>{e(n)}</p>" for n in lab.notes + d.notes),
        "<h2>At the threshold</h2>",
    ]
    if comparison is not None:
        parts.append(
            f"<p>Compared with <b>{e(comparison.b)}</b>: <code>compared_value</code> is its "
            "value, <code>change</code> = compared - this policy.</p>"
        )
    parts += [
        _table(report_rows(policy, snap, comparison)),
        "<div class=charts>",
        _svg_line(lab.index.curves["pr"], "recall", "precision", "Precision vs recall", snap),
        _svg_bars(lab.histogram, snap["threshold"]),
        "</div>",
        "<h2>Collateral: genuine accounts flagged by segment (out-of-fold estimate)</h2>",
        _table(lab.segments.at(snap["threshold"]).filter(pl.col("genuine") > 0)),
    ]
    losses = d.creator_losses()
    if losses is not None:
        top = losses.sort(["lost_pct", "creator_id"], descending=[True, False]).head(15)
        if creator_names is not None:
            top = top.join(creator_names, on="creator_id", how="left", maintain_order="left")
        parts += ["<h2>Most affected creators</h2>", _table(_ids_as_text(top))]
    if comparison is not None:
        parts += [
            f"<h2>Compared with {e(comparison.b)}: {comparison.flip_count:,} accounts change "
            "flag</h2>",
            _table(_ids_as_text(comparison.flips.head(20).drop("rule_hits_b"))),
        ]
    return _PAGE.format(title=e(policy.label), body="\n".join(parts))


def _ids_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Id columns as text: never shown with thousands separators or rounded."""
    return frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns if c.endswith("_id"))


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


HEADERS = {
    "policy": "Policy", "version": "Version", "measure": "Measure", "value": "Value",
    "ci_low": "95 % CI low", "ci_high": "95 % CI high", "compared_value": "Policy B",
    "change": "Change (B − A)", "compared_with": "Compared with", "segment": "Segment",
    "accounts": "Accounts", "flagged": "Flagged", "genuine": "Labelled genuine",
    "genuine_flagged": "Genuine flagged", "fpr": "False-positive rate",
    "creator_id": "Creator id", "username": "Username", "followers": "Current followers",
    "followers_lost": "Followers lost", "lost_pct": "Share lost (%)", "account_id": "Account id",
    "score": "Model score", "risk_a": "Risk under A", "risk_b": "Risk under B",
    "flagged_a": "Flagged by A", "flagged_b": "Flagged by B",
}  # fmt: skip


def _table(frame: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(HEADERS.get(c, c))}</th>" for c in frame.columns)
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
    """The risk histogram (all labels together, linear counts) with the threshold as a red line."""
    hist = hist.group_by("start", maintain_order=True).agg(pl.col("accounts").sum())
    top = max(1, int(hist["accounts"].max() or 1))
    span = 1.0
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
