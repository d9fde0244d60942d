"""Missing data never counts as evidence: a LightGBM model rewritten so that what a workspace
does not have is averaged out, not read as a value.

- A feature the data does not have at all is *marginalised*: every split on it becomes the
  cover-weighted mixture of its two branches (TreeSHAP's own path-dependent expectation), so the
  model no longer depends on it, its SHAP value is exactly zero and it never becomes a reason.
- A feature the data has but that is NULL on some rows, where the model never saw it missing in
  training (LightGBM would read NaN as 0, e.g. "never liked anything"), gets a NaN guard: NaN goes
  to that same mixture, observed values go through the split as before.
The result is an ordinary LightGBM model: predictions, `pred_contrib` and shap.TreeExplainer work
on it unchanged, and SHAP values still add up to its margin.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

ROOT_COUNT = float(1 << 30)  # each tree's data count after rewriting (counts are int32 in the text)
NEVER_MISSING = 0  # LightGBM missing type "None": NaN is converted to 0 at prediction time
NAN_RIGHT = 8  # decision type: numerical split, missing type NaN, NaN goes right
ABOVE_ANY_VALUE = "1.7976931348623157e+308"
ARRAY_FIELDS = (
    "split_feature", "split_gain", "threshold", "decision_type", "left_child", "right_child",
    "leaf_value", "leaf_weight", "leaf_count", "internal_weight", "internal_count",
)  # fmt: skip

if TYPE_CHECKING:  # imported where a booster is built: see detect/model.py
    import lightgbm as lgb


@dataclass(frozen=True)
class Leaf:
    value: float
    count: float
    weight: float


@dataclass(frozen=True)
class Split:
    feature: int
    threshold: str  # kept as LightGBM wrote it: exact round trip
    decision_type: int
    gain: str
    left: Leaf | Split
    right: Leaf | Split
    count: float
    weight: float

    @property
    def never_missing(self) -> bool:
        """LightGBM saw no NaN here in training, so it would read NaN as zero."""
        return (self.decision_type >> 2) & 3 == NEVER_MISSING


Node = Leaf | Split


def _scaled(node: Node, factor: float, value_scale: float = 1.0, add: float = 0.0) -> Node:
    """`node` with counts times `factor` and leaf values `value * value_scale + add`."""
    if isinstance(node, Leaf):
        return Leaf(node.value * value_scale + add, node.count * factor, node.weight * factor)
    return replace(
        node,
        left=_scaled(node.left, factor, value_scale, add),
        right=_scaled(node.right, factor, value_scale, add),
        count=node.count * factor,
        weight=node.weight * factor,
    )


def _graft(a: Node, a_share: float, b: Node, b_share: float) -> Node:
    """A tree computing a_share * A(x) + b_share * B(x): B grafted under every leaf of A, its
    counts in proportion, so path-dependent expectations of the result mix those of A and B."""
    if isinstance(a, Leaf):
        return _scaled(b, a.count / b.count, b_share, a_share * a.value)
    return replace(
        a, left=_graft(a.left, a_share, b, b_share), right=_graft(a.right, a_share, b, b_share)
    )


def _mixture(left: Node, right: Node) -> Node:
    """Both branches of `split` weighted by how much training data went each way."""
    total = left.count + right.count
    share = left.count / total
    return _graft(_scaled(left, total / left.count), share, right, 1.0 - share)


def rewrite(node: Node, absent: set[int], guarded: set[int]) -> Node:
    """Marginalise `absent` features out of a tree; route NaN of `guarded` ones to the mixture."""
    if isinstance(node, Leaf):
        return node
    left, right = rewrite(node.left, absent, guarded), rewrite(node.right, absent, guarded)
    if node.feature in absent:
        return _mixture(left, right)
    kept = replace(node, left=left, right=right)
    if node.feature not in guarded or not node.never_missing:
        return kept
    half = node.count / 2  # observed values and NaN each get half: the split stays SHAP-neutral
    return Split(
        feature=node.feature,
        threshold=ABOVE_ANY_VALUE,
        decision_type=NAN_RIGHT,
        gain="0",
        left=_scaled(kept, 0.5),
        right=_scaled(_mixture(left, right), half / node.count),
        count=node.count,
        weight=node.weight,
    )


# --- LightGBM's text format --------------------------------------------------------------------


def _parse_tree(fields: dict[str, str]) -> Node:
    if int(fields.get("num_cat", "0")):
        raise ValueError("categorical splits cannot be marginalised")
    if int(fields["num_leaves"]) == 1:
        return Leaf(float(fields["leaf_value"]), 1.0, 1.0)
    col = {k: fields[k].split(" ") for k in ARRAY_FIELDS}

    def node(index: int) -> Node:
        if index < 0:
            leaf = ~index
            return Leaf(
                float(col["leaf_value"][leaf]),
                float(col["leaf_count"][leaf]),
                float(col["leaf_weight"][leaf]),
            )
        return Split(
            feature=int(col["split_feature"][index]),
            threshold=col["threshold"][index],
            decision_type=int(col["decision_type"][index]),
            gain=col["split_gain"][index],
            left=node(int(col["left_child"][index])),
            right=node(int(col["right_child"][index])),
            count=float(col["internal_count"][index]),
            weight=float(col["internal_weight"][index]),
        )

    return node(0)


def _flatten(root: Node) -> tuple[list[Split], list[Leaf], dict[int, tuple[int, int]]]:
    """Internal nodes in pre-order, leaves in order, and each internal node's child indices."""
    splits: list[Split] = []
    leaves: list[Leaf] = []
    children: dict[int, tuple[int, int]] = {}

    def walk(node: Node) -> int:
        if isinstance(node, Leaf):
            leaves.append(node)
            return ~(len(leaves) - 1)
        index = len(splits)
        splits.append(node)
        children[index] = (walk(node.left), walk(node.right))
        return index

    walk(root)
    return splits, leaves, children


def _mean_value(node: Node) -> float:
    if isinstance(node, Leaf):
        return node.value
    return (
        node.left.count * _mean_value(node.left) + node.right.count * _mean_value(node.right)
    ) / (node.left.count + node.right.count)


def _tree_text(root: Node, shrinkage: str) -> str:
    if isinstance(root, Leaf):
        return f"num_leaves=1\nnum_cat=0\nleaf_value={root.value!r}\nis_linear=0\nshrinkage={shrinkage}"
    splits, leaves, children = _flatten(root)
    factor = ROOT_COUNT / root.count

    def counts(nodes) -> str:
        return " ".join(str(max(1, round(n.count * factor))) for n in nodes)

    def weights(nodes) -> str:
        return " ".join(repr(n.weight) for n in nodes)

    return "\n".join(
        [
            f"num_leaves={len(leaves)}",
            "num_cat=0",
            "split_feature=" + " ".join(str(s.feature) for s in splits),
            "split_gain=" + " ".join(s.gain for s in splits),
            "threshold=" + " ".join(s.threshold for s in splits),
            "decision_type=" + " ".join(str(s.decision_type) for s in splits),
            "left_child=" + " ".join(str(children[i][0]) for i in range(len(splits))),
            "right_child=" + " ".join(str(children[i][1]) for i in range(len(splits))),
            "leaf_value=" + " ".join(repr(leaf.value) for leaf in leaves),
            "leaf_weight=" + weights(leaves),
            "leaf_count=" + counts(leaves),
            "internal_value=" + " ".join(repr(_mean_value(s)) for s in splits),
            "internal_weight=" + weights(splits),
            "internal_count=" + counts(splits),
            "is_linear=0",
            f"shrinkage={shrinkage}",
        ]
    )


def _blocks(text: str) -> tuple[str, list[str], str]:
    """Header, one text block per tree, and everything after the trees."""
    head, rest = text.split("\nTree=", 1)
    trees, tail = rest.split("end of trees", 1)
    blocks = [b.strip() for b in ("Tree=" + trees).split("\n\n") if b.strip()]
    # tree_sizes lists byte offsets for parallel loading; rewritten trees have other sizes
    return re.sub(r"\ntree_sizes=[^\n]*", "", head), blocks, tail


def rewrite_booster(
    booster: lgb.Booster, absent: Iterable[str], guarded: Iterable[str]
) -> lgb.Booster:
    """A copy of `booster` with `absent` features marginalised and NaN of `guarded` ones averaged."""
    names = booster.feature_name()
    absent_idx = {names.index(n) for n in absent if n in names}
    guarded_idx = {names.index(n) for n in guarded if n in names}
    head, blocks, tail = _blocks(booster.model_to_string())
    out = []
    for block in blocks:
        title, body = block.split("\n", 1)
        fields = dict(line.split("=", 1) for line in body.splitlines() if "=" in line)
        tree = rewrite(_parse_tree(fields), absent_idx, guarded_idx)
        out.append(f"{title}\n{_tree_text(tree, fields.get('shrinkage', '1'))}")
    text = head + "\n\n" + "\n\n".join(out) + "\n\n\nend of trees" + tail
    import lightgbm as lgb

    return lgb.Booster(model_str=text)


def never_missing_features(booster: lgb.Booster) -> set[str]:
    """Features with at least one split that reads NaN as zero (no NaN seen there in training)."""
    names = booster.feature_name()
    found: set[str] = set()
    for tree in booster.dump_model()["tree_info"]:
        stack = [tree["tree_structure"]]
        while stack:
            node = stack.pop()
            if "split_feature" in node:
                if node.get("missing_type") == "None":
                    found.add(names[node["split_feature"]])
                stack += [node["left_child"], node["right_child"]]
    return found
