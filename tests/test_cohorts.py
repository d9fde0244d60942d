"""Ordered follower lists: Meeder follow-time bounds and the sliding-histogram detector."""

from __future__ import annotations

import argparse
import json

import numpy as np
import polars as pl
import pytest

from followaudit.cli import cohorts as cohorts_cli
from followaudit.cli import main
from followaudit.growth import cohorts

DAY = 86400.0
T0 = 1.5e9


def _tiny() -> pl.DataFrame:
    # rank 0 is the oldest follower; creation times in days after T0
    created = [0, 5, 3, 10, 2, 10, 15]
    return pl.DataFrame(
        {
            "follower_id": [str(i) for i in range(7)],
            "rank": list(range(7)),
            "timestamp": [T0 + d * DAY for d in created],
        }
    )


def test_meeder_lower_bound_is_running_max_of_creation():
    out = cohorts.estimate_follow_times(_tiny())
    assert ((out["follow_lower"] - T0) / DAY).to_list() == [0, 5, 5, 10, 10, 10, 15]


def test_follow_estimate_interpolates_between_records():
    out = cohorts.estimate_follow_times(_tiny())
    est = ((out["follow_estimate"] - T0) / DAY).to_list()
    assert est[:4] == pytest.approx([0, 5, 7.5, 10])
    assert est[4:] == pytest.approx([10 + 5 / 3, 10 + 10 / 3, 15])
    upper = ((out["follow_upper"] - T0) / DAY).to_list()
    assert upper[:6] == pytest.approx([5, 10, 10, 15, 15, 15]) and upper[6] is None


def test_estimates_never_precede_creation():
    rng = np.random.default_rng(0)
    frame = pl.DataFrame(
        {
            "follower_id": [str(i) for i in range(5000)],
            "rank": np.arange(5000),
            "timestamp": T0 + rng.uniform(0, 1000, 5000) * DAY,
        }
    )
    out = cohorts.estimate_follow_times(frame)
    assert (out["follow_estimate"] >= out["timestamp"]).all()
    assert out["follow_estimate"].is_sorted()


def _planted(n=20_000, start=10_000, size=1_000, seed=5) -> pl.DataFrame:
    """Organic followers of a growing account plus a block created within two days."""
    rng = np.random.default_rng(seed)
    follow = np.sort(rng.uniform(0, 2000, n))  # follow days, ordered
    created = follow - rng.exponential(600, n)  # organic accounts of every age
    cohort_day = follow[start] - 30
    created[start : start + size] = cohort_day + rng.uniform(0, 2, size)
    return pl.DataFrame(
        {
            "follower_id": [f"u{i}" for i in range(n)],
            "rank": np.arange(n),
            "timestamp": T0 + created * DAY,
        }
    )


def test_sliding_histogram_finds_the_planted_cohort():
    frame = _planted()
    windows, anomalies = cohorts.sliding_histogram(frame)
    assert windows.height > 400
    assert anomalies.height == 1
    hit = anomalies.row(0, named=True)
    assert 9_700 <= hit["rank_start"] <= 10_100 and 10_900 <= hit["rank_end"] <= 11_300
    assert hit["cohort_followers"] >= 900
    created = frame["timestamp"][10_000:11_000]
    band = (hit["created_from"].timestamp(), hit["created_to"].timestamp())
    assert band[0] >= created.min() - 3 * DAY and band[1] <= created.max() + 3 * DAY


def test_follower_scores_mark_the_cohort():
    scored = cohorts.follower_scores(_planted())
    inside = scored["in_cohort"][10_100:10_900].mean()
    outside = scored["in_cohort"][:9_000].mean()
    assert inside > 0.9 and outside < 0.01


def test_organic_list_has_no_anomalies():
    frame = _planted(size=0)
    assert cohorts.sliding_histogram(frame)[1].is_empty()


def test_follower_map_frame_is_an_even_sample():
    scored = cohorts.follower_scores(_planted())  # 20,000 followers
    points = cohorts.follower_map_frame(scored, max_points=5000)
    assert 4000 < points.height <= 5000
    assert set(points.columns) >= {"rank", "created_at", "in_cohort"}
    # even over the whole list (not its head), so the planted cohort keeps its share of the map
    assert points["rank"].min() < 10 and points["rank"].max() > 19_900
    assert points["in_cohort"].mean() == pytest.approx(scored["in_cohort"].mean(), abs=0.01)


def test_load_json_and_csv(tmp_path):
    data = {
        "a": {"rank": 1, "timestamp": 1_600_000_000},
        "b": {"rank": 0, "timestamp": 1_500_000_000},
    }
    (tmp_path / "f.json").write_text(json.dumps(data))
    frame = cohorts.load_follower_list(tmp_path / "f.json")
    assert frame["follower_id"].to_list() == ["b", "a"]
    (tmp_path / "f.csv").write_text("follower_id,rank,timestamp\nb,0,1500000000\na,1,1600000000\n")
    assert cohorts.load_follower_list(tmp_path / "f.csv").equals(frame)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.json", "{not json", "not valid JSON"),
        ("list.json", "[1, 2]", "expected an object"),
        ("field.json", '{"a": {"rank": 0}}', "follower 'a'"),
        (
            "dup.json",
            '{"a": {"rank": 0, "timestamp": 1}, "b": {"rank": 0, "timestamp": 2}}',
            "unique",
        ),
        ("cols.csv", "id,rank\n1,0\n", "missing column(s) ['follower_id', 'timestamp']"),
        ("rows.csv", "follower_id,rank,timestamp\na,0,1\nb,x,2\n", "rows [3]"),
        ("empty.json", "{}", "empty"),
        ("f.txt", "", "expected a .json or .csv"),
    ],
)
def test_bad_files_get_clear_messages(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(cohorts.FollowerListError) as err:
        cohorts.load_follower_list(tmp_path / name)
    assert name in str(err.value) and message in str(err.value)


def _args(argv):
    parser = argparse.ArgumentParser()
    cohorts_cli.add_arguments(parser)
    return parser.parse_args(argv)


def test_cli_json(tmp_path, capsys):
    frame = _planted(n=5000, start=2000, size=400)
    path = tmp_path / "f.csv"
    frame.write_csv(path)
    assert cohorts_cli.run(_args(["--followers", str(path), "--json"])) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["followers"] == 5000 and len(out["anomalies"]) == 1
    assert set(out["follow_times"]["u0"]) == {"rank", "follow_time"}


def test_cli_json_is_what_json_dumps_writes(tmp_path, capsys):
    """The streamed document equals json.dumps of the whole dict, byte for byte, odd ids too."""
    ids = ["a", 'q"uote', "back\\slash", "ünï", "emoji😀", "tab\tx", "ctrl\x01", "", " sp "]
    ids += [f"u{i}" for i in range(cohorts_cli.CHUNK + 7)]  # more than one written piece
    ids += ["u3"]  # a repeated id: its last entry wins, as in a dict
    frame = pl.DataFrame(
        {
            "follower_id": ids,
            "rank": range(len(ids)),
            "timestamp": [T0 + 60.0 * i for i in range(len(ids))],
        }
    )
    path = tmp_path / "f.csv"
    frame.write_csv(path)
    assert cohorts_cli.run(_args(["--followers", str(path), "--json"])) == 0
    timed = cohorts.estimate_follow_times(cohorts.load_follower_list(path))
    _, anomalies = cohorts.sliding_histogram(timed)
    follow = timed.with_columns(pl.col("follow_time").dt.to_string("%Y-%m-%dT%H:%M:%S"))
    expected = {
        "followers": len(ids),
        "anomalies": cohorts_cli._iso(anomalies),
        "follow_times": {
            r["follower_id"]: {"rank": r["rank"], "follow_time": r["follow_time"]}
            for r in follow.iter_rows(named=True)
        },
    }
    assert capsys.readouterr().out == json.dumps(expected) + "\n"


def test_cli_bad_file_exits_2(tmp_path, capsys):
    assert main(["cohorts", "--followers", str(tmp_path / "none.json")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text",
    [
        '{"a": {"rank": 1, "timestamp": 20}, "b": {"rank": 0, "timestamp": 10}}',
        '{"a":{"timestamp":20,"rank":1},"b":{"rank":0,"timestamp":1e1}}',
        '{"a\\"x": {"rank": 1, "timestamp": 20}, "b": {"rank": 0, "timestamp": 10}}',
        '{"a": {"rank": 1, "timestamp": 20, "extra": {"n": 1}}, "b": {"rank": 0, "timestamp": 10}}',
    ],
)
def test_json_layouts_parse_the_same(tmp_path, text):
    path = tmp_path / "f.json"
    path.write_text(text)
    frame = cohorts.load_follower_list(path)
    assert frame["rank"].to_list() == [0, 1]
    assert frame["timestamp"].to_list() == [10.0, 20.0]
    assert frame["follower_id"][0] == "b"
