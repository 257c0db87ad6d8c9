"""The report notebooks, shipped as package data (``newskit.notebooks``).

The notebooks live here, in the repository's top-level ``notebooks/`` folder, where JupyterLab opens
them; ``pyproject.toml`` maps this folder to the package ``newskit.notebooks`` so that wheels and
editable installs both carry them, and ``newskit report`` finds them with ``importlib.resources``.
"""
