"""Old home of the plots: every name is re-exported from :mod:`newskit.plot` (one release; import from
``newskit.plot`` instead).

>>> import newskit.plots, newskit.plot
>>> newskit.plots.plot_timeline is newskit.plot.plot_timeline
True
"""
from __future__ import annotations

from newskit.plot import *  # noqa: F401,F403
from newskit.plot import __all__  # noqa: F401
from newskit.plot.frequency import _spring_layout  # noqa: F401
