"""``python -m newskit.report CORPUS -o DIR …`` (same options as ``newskit report``)."""
import sys

from newskit.report.cli import main_report

sys.exit(main_report())
