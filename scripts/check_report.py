"""Open every page of a built report offline in headless Chromium and check it is complete.

Usage: python scripts/check_report.py REPORT_DIR [--shots DIR]

For index.html and each notebook page: every figure (<img>) has loaded and is visible, tables are
present, widget areas are not empty, there are no JavaScript errors, and no request leaves the disk
(external requests are blocked and listed). Exit status 1 when a page fails. Needs Debian's chromium.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_browser import CHROMIUM_ARGS, find_chromium  # noqa: E402

CHECK = """() => {
  const vis = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const imgs = Array.from(document.querySelectorAll('.jp-OutputArea-output img'));
  const widgets = Array.from(document.querySelectorAll('.jupyter-widgets.jp-OutputArea-output'));
  return {images: imgs.length, broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0 && vis(i))).length,
          tables: document.querySelectorAll('table').length,
          widgets: widgets.length, empty_widgets: widgets.filter(w => w.innerText.trim() === '' &&
                   !w.querySelector('img,canvas,svg,select,input,button')).length};
}"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("report", type=Path)
    p.add_argument("--shots", type=Path, default=Path(tempfile.mkdtemp(prefix="report-shots-")))
    args = p.parse_args(argv)
    chromium = find_chromium()
    if not chromium:
        print("no Chromium found (apt-get install -y chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    pages = [args.report / "index.html"] + sorted(args.report.glob("[0-9]*.html"))
    failed = 0
    args.shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for path in pages:
            page = browser.new_page()
            errors, blocked = [], []
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                       else (blocked.append(r.request.url), r.abort()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(3000)  # widget manager renders saved views
            info = page.evaluate(CHECK)
            page.screenshot(path=str(args.shots / f"{path.stem}.png"), full_page=True)
            ok = not errors and info["broken"] == 0 and info["empty_widgets"] == 0 and \
                (path.name == "index.html" or info["images"] > 0)
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {path.name}: {info['images']} figures ({info['broken']} broken), "
                  f"{info['tables']} tables, {info['widgets']} widget areas ({info['empty_widgets']} empty), "
                  f"{len(errors)} JS errors, {len(blocked)} external requests blocked")
            page.close()
        browser.close()
    print(f"screenshots in {args.shots}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
