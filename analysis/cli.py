"""Command line: ``python -m analysis <command> ...`` (``--help`` on any command).

argparse (standard library) rather than click/typer: sub-commands with plain flags are all we need,
and it keeps start-up fast for the warm-rerun target of ``score`` (heavy modules are imported
inside each command, never at start-up).

Exit codes: 0 success (even when rows were rejected: they are reported), 2 for fatal input
problems (message on stderr naming the file and the problem), 1 for unexpected errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__


def _add_target_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", help="corpus name, corpus folder, manifest (corpus.yml) or data file")
    p.add_argument(
        "--format",
        dest="fmt",
        default=None,
        help="force a reader instead of detecting it from content (see 'formats')",
    )
    p.add_argument("--text-column", default=None, help="source column holding the article text")
    p.add_argument("--id-column", default=None, help="source column holding the article id")
    p.add_argument("--title-column", default=None)
    p.add_argument("--date-column", default=None)
    p.add_argument("--outlet-column", default=None)
    p.add_argument("--url-column", default=None)
    p.add_argument(
        "--outlet-from",
        choices=["url"],
        default=None,
        help="derive the outlet from the URL's domain when no outlet field exists",
    )
    p.add_argument(
        "--title-only",
        action="store_true",
        help="analyse headlines of rows that have no text (GDELT / Media Cloud lists)",
    )
    p.add_argument(
        "--no-fold",
        action="store_true",
        help="keep duplicate articles (default: one representative per group)",
    )


def _columns(args: argparse.Namespace) -> dict[str, str]:
    pairs = {
        "text": args.text_column,
        "doc_id": args.id_column,
        "title": args.title_column,
        "date": args.date_column,
        "outlet": args.outlet_column,
        "url": args.url_column,
    }
    return {k: v for k, v in pairs.items() if v}


def load_target(args: argparse.Namespace):
    """``(articles, report)`` for the target flags of a command."""
    from .corpus import load_corpus

    return load_corpus(
        args.target,
        format=args.fmt,
        columns=_columns(args),
        outlet_from=args.outlet_from,
        fold=not args.no_fold,
        title_only=args.title_only,
    )


def cmd_corpus_validate(args: argparse.Namespace) -> int:
    articles, report = load_target(args)
    if args.json:
        d = report.to_dict(max_items=args.max_items)
        d["articles"] = len(articles)
        print(json.dumps(d, indent=2, ensure_ascii=False, default=str))
    else:
        print(report.summary())
    return 0


def cmd_formats(args: argparse.Namespace) -> int:
    from .importers import supported_formats

    print("\n".join(supported_formats()))
    return 0


COMMANDS: dict[str, str] = {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Tech-policy framing study: load corpora, score sentiment and framing, "
        "regenerate figures.",
    )
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p_corpus = sub.add_parser("corpus", help="inspect and validate corpora")
    csub = p_corpus.add_subparsers(dest="corpus_command", metavar="SUBCOMMAND")
    p_val = csub.add_parser("validate", help="load a corpus and print its load report")
    _add_target_flags(p_val)
    p_val.add_argument("--json", action="store_true", help="print one JSON object")
    p_val.add_argument(
        "--max-items",
        type=int,
        default=200,
        help="itemised rejections/warnings to include in --json (default 200)",
    )
    p_val.set_defaults(func=cmd_corpus_validate)

    p_fmt = sub.add_parser("formats", help="list the input formats the importers read")
    p_fmt.set_defaults(func=cmd_formats)

    for register in _extra_registrars():
        register(sub, _add_target_flags)
    return parser


def _extra_registrars():
    """Sub-commands defined next to the code they run (imported lazily at parse time)."""
    from . import cli_commands

    return cli_commands.REGISTRARS


def main(argv: list[str] | None = None) -> int:
    from .schema import CorpusError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        if args.command == "corpus":
            parser.parse_args([args.command, "--help"])
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if "format" in exc.problem:
            print(
                "Use --format FORMAT to choose a reader; 'python -m analysis formats' lists them.",
                file=sys.stderr,
            )
        return 2
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0


def _path(s: str) -> Path:
    return Path(s)
