"""Ordered follower lists without follow times: Meeder bounds and sliding-histogram cohorts.

Follow times: Meeder et al. (WWW 2011) — an account cannot follow before it exists, so the
running maximum of creation times along the follow-ordered list is a lower bound of each
follow time; interpolating between successive records estimates it.
Cohorts: Zouzou & Varol (EPJ Data Science 2024) — histogram the creation times of windows of
consecutive followers (relative to the follow-time bound, so windows are comparable) and score
each window and creation bin by (count - median) / (IQR + 1) across windows.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

MAX_TIMESTAMP = 2**32 - 1  # 2106-02-07: creation times beyond are not Unix seconds


class FollowerListError(ValueError):
    """A follower list file cannot be read; the message names file, row and what was expected."""


@dataclass(frozen=True)
class HistogramConfig:
    """Window size and stride in followers, creation-time bins, anomaly threshold."""

    window: int = 200
    stride: int = 40
    bins: int = 24  # the paper uses 12; 24 also separates cohorts of brand-new accounts
    threshold: float = 5.0
    min_share: float = 0.15  # ... and the hot bin holds this share of a window above its median

    def __post_init__(self) -> None:
        for name in ("window", "stride", "bins"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 (got {getattr(self, name)})")
        if not math.isfinite(self.threshold):
            raise ValueError(f"threshold must be a finite number (got {self.threshold})")


def load_follower_list(path: str | Path) -> pl.DataFrame:
    """Read JSON `{follower_id: {"rank", "timestamp"}}` or CSV (follower_id, rank, timestamp)."""
    path = Path(path)
    if "\0" in str(path):
        raise FollowerListError("the file name contains a NUL character")
    if not path.exists():
        raise FollowerListError(f"{path}: no such file")
    if not path.is_file():
        raise FollowerListError(f"{path}: is a folder, not a follower list file")
    if path.suffix.lower() == ".json":
        frame = _load_json(path)
    elif path.suffix.lower() == ".csv":
        frame = _load_csv(path)
    else:
        raise FollowerListError(f"{path}: expected a .json or .csv follower list")
    return _validate(frame, path)


def _load_json(path: Path) -> pl.DataFrame:
    try:
        text = path.read_text()
    except UnicodeDecodeError as exc:
        raise FollowerListError(f"{path}: not valid JSON ({exc})") from exc
    fast = _parse_flat_json(text)
    if fast is not None:
        return fast
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FollowerListError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise FollowerListError(
            f'{path}: expected an object {{follower_id: {{"rank", "timestamp"}}}}'
        )
    ids, ranks, stamps = [], [], []
    for key, value in data.items():
        if not _is_unicode(key):
            raise FollowerListError(
                f"{path}: follower {key.encode('utf-8', 'backslashreplace').decode()}: "
                "the id is not valid Unicode (a lone surrogate escape)"
            )
        if not isinstance(value, dict) or "rank" not in value or "timestamp" not in value:
            raise FollowerListError(
                f'{path}: follower {key!r}: expected {{"rank": int, "timestamp": unix seconds}},'
                f" got {value!r}"
            )
        ids.append(str(key))
        ranks.append(value["rank"])
        stamps.append(value["timestamp"])
    try:
        return pl.DataFrame(
            {"follower_id": ids, "rank": ranks, "timestamp": stamps},
            schema={"follower_id": pl.String, "rank": pl.Int64, "timestamp": pl.Float64},
            strict=False,
        )
    except (TypeError, pl.exceptions.PolarsError) as exc:
        raise FollowerListError(
            f"{path}: rank must be an integer, timestamp a number ({exc})"
        ) from exc


_ENTRY = r'"[^"]*"\s*:\s*\{[^{}]*\}'


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse_flat_json(text: str) -> pl.DataFrame | None:
    """Vectorised parse of the plain `{id: {"rank": r, "timestamp": t}}` layout, else None.

    `json.loads` needs ~5 s for a million followers; this needs ~1 s. Anything unusual
    (escapes, other shapes, values that are not numbers) falls back to `json.loads`.
    """
    stripped = text.strip()
    if "\\" in text or not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    entries = pl.DataFrame({"t": [stripped]}).select(pl.col("t").str.extract_all(_ENTRY).alias("e"))
    entries = entries.explode("e")
    if entries.height != text.count('"rank"') or entries.height != text.count('"timestamp"'):
        return None
    frame = entries.select(
        pl.col("e").str.extract(r'^"([^"]*)"', 1).alias("follower_id"),
        pl.col("e")
        .str.extract(r'"rank"\s*:\s*(-?\d+)\s*[,}]', 1)
        .cast(pl.Int64, strict=False)
        .alias("rank"),
        pl.col("e")
        .str.extract(r'"timestamp"\s*:\s*(-?[0-9.eE+]+)\s*[,}]', 1)
        .cast(pl.Float64, strict=False)
        .alias("timestamp"),
    )
    if (
        frame.null_count().sum_horizontal().item()
        or frame["follower_id"].n_unique() != frame.height
    ):
        return None
    return frame


def _load_csv(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, schema_overrides={"follower_id": pl.String})
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise FollowerListError(f"{path}: cannot read CSV ({exc})") from exc
    missing = {"follower_id", "rank", "timestamp"} - set(frame.columns)
    if missing:
        raise FollowerListError(
            f"{path}: missing column(s) {sorted(missing)}; expected follower_id, rank, timestamp"
        )
    out = frame.select(
        "follower_id",
        pl.col("rank").cast(pl.Int64, strict=False),
        pl.col("timestamp").cast(pl.Float64, strict=False),
    )
    bad = out.with_row_index("row", offset=2).filter(
        pl.col("rank").is_null() | pl.col("timestamp").is_null()
    )
    if not bad.is_empty():
        rows = bad["row"].head(5).to_list()
        raise FollowerListError(
            f"{path}: rows {rows}: rank must be an integer and timestamp unix seconds"
        )
    return out


def _validate(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    if frame.is_empty():
        raise FollowerListError(f"{path}: the follower list is empty")
    if frame["rank"].null_count() or frame["timestamp"].null_count():
        raise FollowerListError(f"{path}: every follower needs an integer rank and a timestamp")
    _check_timestamps(frame, path)
    if frame["rank"].n_unique() != frame.height:
        dup = frame.filter(pl.col("rank").is_duplicated())["rank"].head(3).to_list()
        raise FollowerListError(f"{path}: rank values must be unique; repeated: {dup}")
    return frame.sort("rank")


def _check_timestamps(frame: pl.DataFrame, path: Path) -> None:
    """Creation times are Unix seconds a datetime can hold: no NaN, infinity or 1e30."""
    ok = pl.col("timestamp").is_between(0, MAX_TIMESTAMP) & pl.col("timestamp").is_not_nan()
    bad = frame.filter(~ok)
    if bad.is_empty():
        return
    sample = ", ".join(
        f"{i}: {t!r}" for i, t in bad.head(3).select("follower_id", "timestamp").rows()
    )
    hint = (
        " (milliseconds? divide by 1000)" if bad["timestamp"].is_between(1e11, 1e14).any() else ""
    )
    raise FollowerListError(
        f"{path}: {bad.height} follower(s) have a timestamp that is not Unix seconds between "
        f"1970 and 2106{hint}, e.g. {sample}"
    )


def estimate_follow_times(df: pl.DataFrame) -> pl.DataFrame:
    """Add follow-time lower bound (running max), upper bound and interpolated estimate."""
    df = df.sort("rank")
    created = df["timestamp"].to_numpy().astype(np.float64)
    lower = np.maximum.accumulate(created)
    # Records: followers whose creation time sets a new running maximum. Their follow time is
    # close to their lower bound; followers between two records followed between the two times.
    is_record = np.r_[True, lower[1:] > lower[:-1]]
    record_pos = np.flatnonzero(is_record)
    position = np.arange(len(created))
    estimate = np.interp(position, record_pos, lower[record_pos])
    nxt = np.searchsorted(record_pos, position, side="right")
    upper = np.where(
        nxt < len(record_pos), lower[record_pos[np.minimum(nxt, len(record_pos) - 1)]], np.nan
    )
    return df.with_columns(
        pl.Series("follow_lower", lower),
        pl.Series("follow_upper", upper).fill_nan(None),
        pl.Series("follow_estimate", estimate),
    ).with_columns(
        pl.from_epoch(pl.col("timestamp").cast(pl.Int64), "s").alias("created_at"),
        pl.from_epoch(pl.col("follow_estimate").cast(pl.Int64), "s").alias("follow_time"),
    )


def _relative_bins(created: np.ndarray, lower: np.ndarray, bins: int) -> np.ndarray:
    """Creation time as a share of the span [oldest creation, follow-time bound], binned."""
    first = created.min()
    span = np.maximum(lower - first, 1.0)
    relative = (created - first) / span
    return np.clip((relative * bins).astype(np.int64), 0, bins - 1)


def _window_starts(n: int, cfg: HistogramConfig) -> np.ndarray:
    """Window start positions covering every follower (the last window ends at the list's end)."""
    if n <= cfg.window:
        return np.array([0])
    starts = np.arange(0, n - cfg.window + 1, cfg.stride)
    if starts[-1] + cfg.window < n:
        starts = np.r_[starts, n - cfg.window]
    return starts


def _counts_before(bins: np.ndarray, positions: np.ndarray, n_bins: int) -> np.ndarray:
    """(len(positions), n_bins): how many of bins[:p] fall in each bin, for every p.

    Searched per bin in the sorted follower positions of that bin: a one-hot running sum of the
    whole list (followers x bins) took most of a 1M-follower analysis."""
    by_bin = np.argsort(bins, kind="stable")  # positions grouped by bin, ascending within one
    edges = np.searchsorted(bins[by_bin], np.arange(n_bins + 1))
    counts = np.empty((len(positions), n_bins), dtype=np.int64)
    for b in range(n_bins):
        counts[:, b] = np.searchsorted(by_bin[edges[b] : edges[b + 1]], positions)
    return counts


def _window_scores(
    bins: np.ndarray, cfg: HistogramConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per window: start positions, (count - median) / (IQR + 1) and count - median per bin."""
    starts = _window_starts(len(bins), cfg)
    ends = np.minimum(starts + cfg.window, len(bins))
    counts = (_counts_before(bins, ends, cfg.bins) - _counts_before(bins, starts, cfg.bins)).astype(
        np.float64
    )
    median = np.median(counts, axis=0)
    q1, q3 = np.quantile(counts, [0.25, 0.75], axis=0)
    return starts, (counts - median) / (q3 - q1 + 1.0), counts - median


def _scored_windows(df: pl.DataFrame, cfg: HistogramConfig):
    """`df` with follow-time bounds, each follower's creation bin, and the windows' scores."""
    if "follow_lower" not in df.columns:
        df = estimate_follow_times(df)
    created = df["timestamp"].to_numpy().astype(np.float64)
    bins = _relative_bins(created, df["follow_lower"].to_numpy(), cfg.bins)
    starts, scores, excess = _window_scores(bins, cfg)
    return df, bins, starts, scores, excess


def sliding_histogram(
    df: pl.DataFrame, cfg: HistogramConfig | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(windows frame, anomalies frame); `df` gains per-follower score and `in_cohort`."""
    cfg = cfg or HistogramConfig()
    df, bins, starts, scores, excess = _scored_windows(df, cfg)
    ranks = df["rank"].to_numpy()
    hot_bin = scores.argmax(axis=1)
    ends = np.minimum(starts + cfg.window, len(ranks)) - 1
    windows = pl.DataFrame(
        {
            "window": np.arange(len(starts)),
            "rank_start": ranks[starts],
            "rank_end": ranks[ends],
            "score": scores.max(axis=1),
            "bin": hot_bin,
            "excess": excess[np.arange(len(starts)), hot_bin],
        }
    )
    return windows, _anomalies(df, windows, bins, cfg)


def follower_scores(df: pl.DataFrame, cfg: HistogramConfig | None = None) -> pl.DataFrame:
    """`df` with each follower's score (nearest window, own creation bin) and `in_cohort`."""
    cfg = cfg or HistogramConfig()
    df, bins, starts, scores, excess = _scored_windows(df, cfg)
    position = np.arange(len(bins))
    nearest = np.clip(np.rint((position - cfg.window / 2) / cfg.stride), 0, len(starts) - 1)
    nearest = nearest.astype(np.int64)
    own = scores[nearest, bins]
    big = excess[nearest, bins] >= cfg.min_share * cfg.window
    return df.with_columns(
        pl.Series("cohort_score", own), pl.Series("in_cohort", (own >= cfg.threshold) & big)
    )


def _anomalies(
    df: pl.DataFrame, windows: pl.DataFrame, bins: np.ndarray, cfg: HistogramConfig
) -> pl.DataFrame:
    """Merge overlapping anomalous windows into rank ranges with their creation-date band."""
    hot = windows.filter(
        (pl.col("score") >= cfg.threshold) & (pl.col("excess") >= cfg.min_share * cfg.window)
    )
    schema = {
        "rank_start": pl.Int64,
        "rank_end": pl.Int64,
        "followers": pl.Int64,
        "cohort_followers": pl.Int64,
        "created_from": pl.Datetime("us"),
        "created_to": pl.Datetime("us"),
        "follow_from": pl.Datetime("us"),
        "follow_to": pl.Datetime("us"),
        "score": pl.Float64,
    }
    if hot.is_empty():
        return pl.DataFrame(schema=schema)
    new_range = pl.col("rank_start") > pl.col("rank_end").shift(1).cum_max()
    ranges = (
        hot.with_columns(new_range.fill_null(True).cum_sum().alias("group"))
        .group_by("group")
        .agg(
            pl.col("rank_start").min(),
            pl.col("rank_end").max(),
            pl.col("score").max(),
            pl.col("bin").sort_by("score").last(),
        )
        .sort("rank_start")
    )
    rows = [_describe_range(df, bins, row) for row in ranges.iter_rows(named=True)]
    return pl.DataFrame(rows, schema=schema, orient="row")


def _describe_range(df: pl.DataFrame, bins: np.ndarray, row: dict) -> tuple:
    """One anomalous rank range: its followers in the hot creation bin and their band."""
    ranks = df["rank"].to_numpy()
    lo, hi = np.searchsorted(ranks, [row["rank_start"], row["rank_end"] + 1])
    in_bin = np.flatnonzero(bins[lo:hi] == row["bin"]) + lo
    created = df["timestamp"].to_numpy()[in_bin]
    follow = df["follow_estimate"].to_numpy()[lo:hi]
    band = np.percentile(created, [5, 95]) if len(created) else [np.nan, np.nan]

    def when(seconds: float):
        return np.datetime64(int(seconds), "s").astype("datetime64[us]").item()

    return (
        int(row["rank_start"]),
        int(row["rank_end"]),
        int(hi - lo),
        len(in_bin),
        when(band[0]),
        when(band[1]),
        when(follow.min()),
        when(follow.max()),
        float(row["score"]),
    )


def follower_map_frame(scored: pl.DataFrame, max_points: int = 5000) -> pl.DataFrame:
    """Rank x creation date points for the follower map, an even sample of at most `max_points`."""
    step = max(1, -(-scored.height // max_points))
    return scored.gather_every(step).select("rank", "created_at", "in_cohort", "follow_time")
