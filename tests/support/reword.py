"""Which tests depend on the wording of a message template? Reword it and see what fails.

    python -m tests.support.reword KEY [KEY...]   # e.g. common/not_allowed flows/ui/question
    python -m tests.support.reword --all          # every template at once
    python -m tests.support.reword --each KEY...  # the failures of each key on its own

The working tree is copied to a temporary directory, the templates are reworded there (in nl
and en) and pytest runs there; the failing tests are printed. Rewording rotates the vowels of
every word of literal text (a->e, e->i, i->o, o->u, u->a): jinja tags (`{{ }}`, `{% %}`,
`{# #}`), HTML tags and entities, commands (`/help`) and links stay as they are, so the bot
behaves the same and only its wording changes. Only tests that pin wording should fail: the
golden transcripts (tests/test_flow_golden.py) are the one place meant to.

Extra arguments after `--` go to pytest (`-- tests/test_start.py` to run one file).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("nl", "en")
IGNORE = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache",
                                "data", "*.sqlite3*")

# Template syntax, markup and things that are not wording: kept as they are.
_KEEP = re.compile(r"({{.*?}}|{%.*?%}|{#.*?#}|<[^>]*>|&#?\w+;)", re.DOTALL)
_LITERAL_KEEP = re.compile(r"(https?://\S+|(?<![\w/])/[a-z_]+)")
_VOWELS = str.maketrans("aeiouAEIOU", "eiouaEIOUA")


def _reword_literal(text: str) -> str:
    parts = _LITERAL_KEEP.split(text)
    return "".join(p if i % 2 else p.translate(_VOWELS) for i, p in enumerate(parts))


def reword(source: str) -> str:
    """The same template with other wording: every literal word outside the markup changed."""
    parts = _KEEP.split(source)
    return "".join(p if i % 2 else _reword_literal(p) for i, p in enumerate(parts))


def template_paths(messages: Path, keys: list[str] | None) -> list[Path]:
    if keys is None:
        return sorted(p for lang in LANGUAGES for p in (messages / lang).rglob("*.j2"))
    paths = []
    for key in keys:
        found = [messages / lang / f"{key}.j2" for lang in LANGUAGES]
        missing = [p for p in found if not p.is_file()]
        if missing:
            raise SystemExit(f"no template {key!r} ({', '.join(map(str, missing))})")
        paths += found
    return paths


def failures(keys: list[str] | None, pytest_args: list[str]) -> list[str]:
    """Copy the tree, reword the templates of `keys` (None: all), run pytest, return the ids of
    the tests that failed or errored."""
    with tempfile.TemporaryDirectory(prefix="kernbot-reword-") as tmp:
        tree = Path(tmp) / "tree"
        shutil.copytree(ROOT, tree, ignore=IGNORE)
        for path in template_paths(tree / "messages", keys):
            path.write_text(reword(path.read_text(encoding="utf-8")), encoding="utf-8")
        report = Path(tmp) / "report.xml"
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:warnings",
                        "-p", "no:cacheprovider", f"--junitxml={report}", *pytest_args],
                       cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        if not report.exists():
            raise SystemExit("pytest wrote no report (collection failed?)")
        return _failed(report)


def _failed(report: Path) -> list[str]:
    failed = []
    for case in ET.parse(report).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").replace(".", "/")
            failed.append(f"{module}.py::{case.get('name')}")
    return failed


def _summary(failed: list[str]) -> str:
    per_file: dict[str, int] = {}
    for test in failed:
        per_file[test.split("::")[0]] = per_file.get(test.split("::")[0], 0) + 1
    return ", ".join(f"{name} {n}" for name, n in sorted(per_file.items())) or "none"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, pytest_args = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser(prog="python -m tests.support.reword",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("keys", nargs="*", help="message keys (path under messages/<lang>/ "
                        "without .j2)")
    parser.add_argument("--all", action="store_true", help="reword every template at once")
    parser.add_argument("--each", action="store_true", help="one pytest run per key")
    args = parser.parse_args(argv)
    if args.all == bool(args.keys):
        parser.error("give KEY... or --all")
    if not args.each:
        _report(None if args.all else args.keys, failures(None if args.all else args.keys,
                                                          pytest_args))
        return 0
    # One key at a time: a test that depends on one template's wording also fails when every
    # template is reworded, so the runs per key only need the tests the run of all failed.
    suspects = failures(None, pytest_args)
    _report(None, suspects)
    for key in args.keys:
        _report([key], failures([key], [*pytest_args, *suspects]) if suspects else [])
    return 0


def _report(keys: list[str] | None, failed: list[str]) -> None:
    label = "all templates" if keys is None else " ".join(keys)
    print(f"## {label}: {len(failed)} failed ({_summary(failed)})")
    for test in failed:
        print(f"  {test}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
