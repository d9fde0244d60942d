"""The `followaudit` command: each subcommand lazily imports the module that does the work."""

from __future__ import annotations

import argparse
import importlib
import sys

from followaudit.cli.errors import run_guarded

# command -> (module under followaudit.cli, help). Each module has `add_arguments(parser)` and
# `run(args) -> exit code`; only the chosen command's module is imported.
COMMANDS = {
    "generate": ("generate", "Generate a synthetic world with ground truth."),
    "build": ("build", "Validate a data folder and build a workspace."),
    "validate": ("validate", "Validate a data folder and print every problem."),
    "import": ("import_table", "Map an external account table to a canonical data folder."),
    "evaluate": ("evaluate", "Cross-validate the detector on a labelled account table."),
    "train-default": ("train_default", "Train the shipped default model on a data folder."),
    "spikes": ("spikes", "Print follower-growth spikes of a workspace."),
    "decide": ("decide", "What a policy flags in a workspace: counts, tiers, creators, purge."),
    "cohorts": ("cohorts", "Find follower cohorts in an ordered follower list."),
    "serve": ("serve", "Serve the app on this machine, its caches warmed at start."),
}


def _command_module(command: str):
    return importlib.import_module(f"followaudit.cli.{COMMANDS[command][0]}")


def make_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen command's module is imported, so `--help` stays instant."""
    parser = argparse.ArgumentParser(prog="followaudit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command, (_, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(command, help=help_text, description=help_text)
        if command == chosen:
            _command_module(command).add_arguments(sub_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = sys.argv[1:] if argv is None else argv
    chosen = next((a for a in argv if not a.startswith("-")), None)
    args = make_parser(chosen if chosen in COMMANDS else None).parse_args(argv)
    return run_guarded(lambda: int(_command_module(args.command).run(args) or 0))


if __name__ == "__main__":
    sys.exit(main())
