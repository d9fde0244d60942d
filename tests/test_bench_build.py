"""The build benchmark reports each step's median over its builds, in the build's order."""

from benchmarks.bench_build import _step_rows, median_steps


def test_step_medians_over_three_builds_keep_the_steps_order_and_notes():
    outs = [
        "validate and load  5.5 s\naccount features  29.0 s\nexplanations  4.2 s\n",
        "validate and load  5.4 s\naccount features  28.4 s\nexplanations  4.4 s\n",
        "validate and load  6.0 s\naccount features  30.1 s\nexplanations  4.3 s\n",
    ]
    rows = median_steps([_step_rows(out) for out in outs])
    assert [r["measure"] for r in rows] == [
        "build step: validate and load",
        "build step: account features",
        "build step: explanations",
    ]
    assert [r["median_s"] for r in rows] == [5.5, 29.0, 4.3]
    assert all(r["runs"] == 3 for r in rows)
    assert rows[2]["note"] == "beside growth spikes and audience quality"
