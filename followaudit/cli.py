"""The `followaudit` command: each subcommand lazily imports the module that does the work."""

from __future__ import annotations

import argparse
import importlib
import sys

# command -> (module, function, help). Each function takes the parsed argparse namespace
# and returns an exit code; its module adds its own arguments through `add_arguments_<command>`.
COMMANDS = {
    "generate": ("followaudit.synth", "Generate a synthetic world with ground truth."),
    "build": ("followaudit.build_cli", "Validate a data folder and build a workspace."),
    "validate": ("followaudit.build_cli", "Validate a data folder and print every problem."),
    "import": (
        "followaudit.importing",
        "Map an external account table to a canonical data folder.",
    ),
    "evaluate": (
        "followaudit.evaluate",
        "Cross-validate the detector on a labelled account table.",
    ),
    "train-default": ("followaudit.model", "Train the shipped default model on a data folder."),
    "spikes": ("followaudit.growth", "Print follower-growth spikes of a workspace."),
    "cohorts": ("followaudit.cohorts", "Find follower cohorts in an ordered follower list."),
}


def _attr(command: str, prefix: str):
    module = importlib.import_module(COMMANDS[command][0])
    return getattr(module, prefix + command.replace("-", "_"))


def make_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per command."""
    parser = argparse.ArgumentParser(prog="followaudit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for command, (_, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(command, help=help_text, description=help_text)
        _attr(command, "add_arguments_")(sub_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = make_parser().parse_args(argv)
    return int(_attr(args.command, "run_")(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
