"""Fetch the offline widget scripts for reports (require.js, @jupyter-widgets/html-manager) from
the npm registry into the local asset cache ($NEWSKIT_ASSETS or ~/.cache/newskit-assets).

Usage: python scripts/fetch_widget_assets.py [--cache DIR] [--force] [--optional]

Tarballs are verified against the sha512 pinned in newskit.report.NPM_ASSETS. With --optional
the exit status is 0 even when the registry is unreachable (reports then show notes instead of
widgets).
"""
from __future__ import annotations

import argparse
import sys

from newskit.report import NPM_ASSETS, assets_cache_dir, fetch_widget_assets


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cache", help=f"cache folder (default {assets_cache_dir()})")
    p.add_argument("--force", action="store_true", help="download again")
    p.add_argument("--optional", action="store_true", help="exit 0 when the registry is unreachable")
    args = p.parse_args(argv)
    try:
        found = fetch_widget_assets(args.cache, force=args.force)
    except Exception as exc:  # noqa: BLE001
        print(f"widget assets unavailable: {exc}", file=sys.stderr)
        return 0 if args.optional else 1
    versions = ", ".join(f"{s['package']}@{s['version']}" for s in NPM_ASSETS.values())
    print(f"widget assets ready ({versions}): {found['embed'].parent.parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
