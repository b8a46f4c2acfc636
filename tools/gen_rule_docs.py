"""Write docs/rules/<CODE>.md for every built-in rule and the rule table in README.md.

python tools/gen_rule_docs.py           # write
python tools/gen_rule_docs.py --check   # exit 1 if anything is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lambda_lint.registry import BUILTIN_MODULE, rules_in_module
from lambda_lint.rule_docs import rule_page, rules_table

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules"
README = ROOT / "README.md"
START, END = "<!-- rules-table: start -->", "<!-- rules-table: end -->"


def expected() -> dict[Path, str]:
    import importlib

    rules = sorted(rules_in_module(importlib.import_module(BUILTIN_MODULE)), key=lambda r: r.code)
    files = {DOCS / f"{rule.code}.md": rule_page(rule) for rule in rules}
    readme = README.read_text(encoding="utf-8")
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    files[README] = f"{head}{START}\n{rules_table(rules)}{END}{tail}"
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    wanted = expected()
    for path, text in wanted.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    extra = [p for p in DOCS.glob("*.md") if p not in wanted]
    for path in extra:
        stale.append(path)
        if not args.check:
            path.unlink()
    for path in stale:
        print(f"{'out of date' if args.check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
