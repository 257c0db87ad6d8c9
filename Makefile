# newskit — two commands: `make report` and `make test`. Both build .venv from the hashed lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.newskit-installed
CORPUS ?= demo
OUT    ?= reports
PYTEST_ARGS ?=
ARGS ?=

.PHONY: venv test report lab app bench lock clean assets

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Widget scripts (require.js, @jupyter-widgets/html-manager) from the npm registry into a local cache.
assets: $(STAMP)
	$(BIN)/python scripts/fetch_widget_assets.py --optional

test: $(STAMP) assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Extra options of newskit report: make report CORPUS=news.csv OUT=/tmp/r ARGS="--columns title=headline,text=body".
report: $(STAMP) assets
	$(BIN)/newskit report $(CORPUS) -o $(OUT) $(ARGS)

# JupyterLab on the notebooks, on 127.0.0.1 only, with a random token (printed in the URL; set
# TOKEN=... to choose it); --allow-root only when run as root. Extra options: make lab ARGS="--port 9999".
LAB_TOKEN = $(or $(TOKEN),$(shell $(PYTHON) -c 'import secrets; print(secrets.token_hex(24))'))
LAB_ROOT  = $(if $(filter 0,$(shell id -u)),--allow-root,)
lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --IdentityProvider.token=$(LAB_TOKEN) $(LAB_ROOT) \
	    --ServerApp.root_dir=notebooks $(ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(if $(filter demo,$(CORPUS)),,$(CORPUS))

# Re-resolve the pinned, hashed lock after editing pyproject.toml (needs `uv`: pip install uv).
lock:
	uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 \
	    --python-platform x86_64-manylinux_2_28 -o requirements.lock

clean:
	rm -rf $(VENV) reports .pytest_cache
