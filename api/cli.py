"""`karakum` command line: one subcommand per module under api/commands/.

Each module exposes `register(subparsers)` that adds its parser and sets
`handler`, a function taking the parsed arguments and returning an exit code.
"""
import argparse
import importlib
import sys

# Append a module here to add a subcommand; the order is the order in --help.
COMMAND_MODULES = (
    "api.commands.serve",
    "api.commands.verify",
    "api.commands.verify_audit",
    "api.commands.export_ledger",
    "api.commands.verify_export",
    "api.commands.trial_balance",
    "api.commands.proof_of_reserves",
    "api.commands.verify_proof",
    "api.commands.replay",
    "api.commands.report",
    "api.commands.journal",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="karakum", description="Karakum Exchange")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    return arguments.handler(arguments)


if __name__ == "__main__":
    sys.exit(main())
