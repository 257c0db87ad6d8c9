"""Open every page of a built report offline in headless Chromium, screenshot it and check it.

Usage: python scripts/check_report.py REPORT_DIR [--shots DIR]

For index.html and each notebook page: every figure (<img>) has loaded and is visible, widget areas
are not empty, no JavaScript error, no request leaves the disk (external requests are blocked and
listed), and the layout holds: no figure wider than the page, no empty figure, every heading
followed by content (newskit.report.check). Exit status 1 when a page fails, 2 without Chromium.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from newskit.report.check import check_report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("report", type=Path)
    p.add_argument("--shots", type=Path, default=None, help="screenshot folder (default: a new temporary one)")
    args = p.parse_args(argv)
    if not (args.report / "index.html").is_file():
        print(f"{args.report}: no index.html (not a report folder)", file=sys.stderr)
        return 2
    shots = args.shots or Path(tempfile.mkdtemp(prefix="report-shots-"))
    try:
        results = check_report(args.report, shots=shots)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 2
    for r in results:
        print(f"{'ok  ' if r['ok'] else 'FAIL'} {r['page']}: {r['images']} figures ({r['broken']} broken), "
              f"{r['tables']} tables, {r['widgets']} widget areas ({r['empty_widgets']} empty), "
              f"{len(r['errors'])} JS errors, {len(r['blocked'])} external requests blocked")
        for problem in r["problems"]:
            print(f"     {problem}")
    print(f"screenshots in {shots}")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
