"""Attack sandbox: inject a bought-follower batch into a scratch copy, rebuild, and see what is caught."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from followaudit.decide import policy
from followaudit.decide.decisions import score_frame_decisions
from followaudit.detect import model
from followaudit.pipeline.build import build_workspace
from followaudit.store.workspace import Workspace, run_query

Progress = Callable[[str, float], None]
KEEP_RUNS = 2  # scratch worlds kept on disk (each is a full copy of the data)
LEFT_OUT = ("labels", "campaigns", "events")  # no labels: the batch cannot leak into training


@dataclass(frozen=True)
class Attack:
    """What to inject: a batch of `size` bought followers over `duration_days`, camouflage 0..1."""

    creator_id: int
    size: int
    duration_days: int
    camouflage: float
    seed: int = 0

    def key(self) -> str:
        """A folder name unique to these settings (the same attack reuses its scratch world)."""
        camo = f"{self.camouflage:.2f}".replace(".", "p")
        return f"c{self.creator_id}-n{self.size}-d{self.duration_days}-k{camo}-s{self.seed}"


@dataclass
class AttackResult:
    """What detection made of the injected batch under the given policy."""

    attack: Attack
    accounts: pl.DataFrame  # injected accounts: account_id, followed_at, score, risk, flagged, tier
    spikes: pl.DataFrame  # the creator's spikes overlapping the injection window
    threshold: float
    window: tuple[object, object]

    @property
    def caught(self) -> int:
        """Injected accounts the policy flags."""
        return int(self.accounts["flagged"].sum()) if self.accounts.height else 0

    @property
    def recall(self) -> float:
        """Share of the injected accounts flagged."""
        return self.caught / self.accounts.height if self.accounts.height else 0.0

    @property
    def spike_caught(self) -> bool:
        """Whether a suspicious spike covers the injection window."""
        return bool(self.spikes.filter(pl.col("verdict") == "suspicious").height)

    @property
    def spike_verdict(self) -> tuple[str, str]:
        """What the spike finder made of the injection window, and why, in words: a suspicious
        spike wins over an explained one; no spike at all says the batch blended in."""
        if not self.spikes.height:
            return "no spike", "no day in the window rose far enough above the expected gain"
        order = {"suspicious": 0, "annotated": 1, "explained": 2}
        ranked = self.spikes.with_columns(
            pl.col("verdict").replace_strict(order, default=3).alias("_rank")
        ).sort("_rank")
        first = ranked.row(0, named=True)
        why = first.get("reason") or "no reason recorded"
        return first["verdict"], f"{first['verdict']} spike: {why}"


def sandbox_dir(sidecar: Path) -> Path:
    """The workspace's scratch area for attack runs."""
    return Path(sidecar) / "sandbox"


def run_attack(
    data_dir: str | Path,
    workspace: Workspace,
    attack: Attack,
    active: policy.Policy,
    progress: Progress | None = None,
    threshold: float | None = None,
) -> AttackResult:
    """Inject `attack` into a scratch copy of `data_dir`, rebuild it, score with the model of
    `workspace` (the open workspace the attack is asked about) and decide with `active` at
    `threshold` — the flag line the policy resolves to in that workspace (so "caught" means
    what the policy would do today); the policy's own line when None."""
    run = sandbox_dir(workspace.sidecar) / attack.key()
    scratch_ws = run / "scratch.duckdb"
    # Two sessions asking for the same attack share one scratch world: the second waits for the
    # first's build and reuses it (it used to delete the first's data and fail on its lock).
    with _attack_lock(run, progress):
        if not scratch_ws.exists():
            _inject_and_build(Path(data_dir), run, attack, progress)
            _prune(run.parent, keep=run)
        _note(progress, "scoring under the active policy", 0.95)
        return _evaluate(scratch_ws, workspace, attack, active, _read_ids(run), threshold)


def _inject_and_build(data_dir: Path, run: Path, attack: Attack, progress) -> None:
    """A fresh scratch world in `run`: the data without labels, the batch injected, built."""
    from followaudit.synth import inject_campaign

    _note(progress, "injecting the batch", 0.0)
    data = run / "data"
    shutil.rmtree(run, ignore_errors=True)
    injected = inject_campaign(
        _without_labels(data_dir, run / "source"), data, attack.creator_id, attack.size,
        attack.duration_days, attack.camouflage, attack.seed,
    )  # fmt: skip
    _ids_file(run).write_text(",".join(str(i) for i in _injected_ids(injected, data_dir, data)))
    build_workspace(data, run / "scratch.duckdb", _scaled(progress))
    shutil.rmtree(run / "source", ignore_errors=True)


@contextmanager
def _attack_lock(run: Path, progress: Progress | None = None, wait: bool = True):
    """An exclusive `flock` on one attack's scratch world (beside it: the folder gets replaced);
    BlockingIOError when `wait` is False and another holds it."""
    run.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(run.parent / f"{run.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise
            _note(progress, "waiting: the same attack is running in another session", 0.0)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _note(progress: Progress | None, step: str, fraction: float) -> None:
    if progress:
        progress(step, fraction)


def _scaled(progress: Progress | None) -> Progress | None:
    """The build's progress shown as the 5-95 % part of the whole run."""
    if progress is None:
        return None
    return lambda step, fraction: progress(f"rebuilding: {step}", 0.05 + 0.9 * fraction)


def _without_labels(data_dir: Path, out: Path) -> Path:
    """A link farm of the data folder minus labels and ground truth (no copying of big files)."""
    out.mkdir(parents=True, exist_ok=True)
    for file in data_dir.iterdir():
        if (
            file.is_file()
            and file.stem not in LEFT_OUT
            and file.suffix.lower() in {".csv", ".parquet"}
        ):
            (out / file.name).symlink_to(file.resolve())
    return out


def _ids_file(run: Path) -> Path:
    return run / "injected_ids.txt"


def _read_ids(run: Path) -> list[int]:
    text = _ids_file(run).read_text().strip()
    return [int(x) for x in text.split(",")] if text else []


def _injected_ids(info, data_dir, out_dir: Path) -> list[int]:
    """Ids the generator reports, else the accounts the scratch world has and the original lacks."""
    if isinstance(info, dict):
        for key in ("account_ids", "accounts", "ids"):
            value = info.get(key)
            if isinstance(value, list | tuple) or hasattr(value, "tolist"):
                return [int(v) for v in list(value)]
    before = set(_account_ids(Path(data_dir)))
    return sorted(set(_account_ids(out_dir)) - before)


def _account_ids(folder: Path) -> list[int]:
    for suffix, read in ((".parquet", pl.read_parquet), (".csv", pl.read_csv)):
        path = folder / f"accounts{suffix}"
        if path.exists():
            return read(path, columns=["account_id"])["account_id"].cast(pl.Int64).to_list()
    raise FileNotFoundError(f"no accounts file in {folder}")


def _prune(root: Path, keep: Path) -> None:
    """Delete older scratch worlds, keeping the newest few and any another session is using."""
    runs = sorted((p for p in root.iterdir() if p.is_dir()), key=_mtime)
    for old in runs[:-KEEP_RUNS]:
        if old == keep:
            continue
        try:
            with _attack_lock(old, wait=False):
                shutil.rmtree(old, ignore_errors=True)
        except BlockingIOError:
            continue  # in use: the next run prunes it


def _mtime(path: Path) -> float:
    """When `path` last changed; 0 when another session has just removed it."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _evaluate(
    scratch_ws: Path, workspace: Workspace, attack: Attack, active, ids: list[int], threshold
) -> AttackResult:
    ws = Workspace.open(scratch_ws)
    try:
        features = run_query(ws.con, "explorer/account_features")
        follows = run_query(
            ws.con, "sandbox/injected_follows", {"ids": ids, "creator_id": attack.creator_id}
        )
        window = _window(follows["followed_at"])
        spikes = pl.DataFrame()
        if window[0] is not None:
            params = {
                "creator_id": attack.creator_id,
                "window_start": window[0],
                "window_end": window[1],
            }
            spikes = run_query(ws.con, "sandbox/creator_spikes", params)
    finally:
        ws.close()
    # The current workspace's model, not the scratch build's: the question is "would *we* catch it".
    bundle = model.load_for_workspace(workspace)
    scores = features.select("account_id").with_columns(
        pl.Series("score", bundle.predict(features))
    )
    decided, line = score_frame_decisions(active, scores, features, threshold)
    accounts = follows.join(decided, on="account_id", how="left").with_columns(
        pl.col("flagged").fill_null(False)
    )
    return AttackResult(attack, accounts, spikes, line, window)


def _window(times: pl.Series) -> tuple[object, object]:
    """The 5th-95th percentile of the batch's follow times: the campaign, not its stray follows."""
    times = times.drop_nulls().sort()
    if times.is_empty():
        return (None, None)
    last = len(times) - 1
    return times[int(0.05 * last)], times[int(round(0.95 * last))]


def creator_choices(frame: pl.DataFrame) -> dict[int, str]:
    """creator_id -> '@name (N followers)' for the sandbox's creator picker."""
    return {
        int(r["creator_id"]): f"@{r['username']} ({int(r['followers'] or 0):,} followers)"
        for r in frame.iter_rows(named=True)
    }
