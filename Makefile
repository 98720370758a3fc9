# Two commands matter: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Lambda runs python3.13, and `chalice package` names the runtime after the interpreter that runs it and
# picks wheels for it: packaging has its own venv on a CPython 3.13 (scripts/find-python313.sh finds one).
PKG_VENV := .venv-package
PKG_PY := $(PKG_VENV)/bin/python
PKG_STAMP := $(PKG_VENV)/.installed
STAGE ?= dev
REGION ?= ap-southeast-1
BUILD := build/$(STAGE)
ALLOWED_ORIGINS ?= https://khatvonghungcuong.vn

.PHONY: run reset test demo venv package-venv system-deps package deploy fixtures bench clean lint-infra tables console

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(STAMP)

$(PKG_STAMP): requirements.txt requirements-package.txt
	@python313=$$(bash scripts/find-python313.sh) || exit 1; \
	  echo "Packaging venv $(PKG_VENV) on $$python313"; \
	  rm -rf $(PKG_VENV) && $$python313 -m venv $(PKG_VENV)
	$(PKG_PY) -m pip install -q --disable-pip-version-check -r requirements-package.txt
	touch $@

package-venv: $(PKG_STAMP)

system-deps:
	@bash scripts/install-system-deps.sh

# The console (console/, Vite + Preact + uPlot) builds into chalicelib/web/console/, which the API serves at
# /console and the Lambda package ships. npm ci runs only when the lockfile changed, the build only when a
# source did; nothing is fetched when the page runs.
CONSOLE_NPM_STAMP := console/node_modules/.installed
CONSOLE_BUILT := chalicelib/web/console/index.html
CONSOLE_SOURCES := $(shell find console/src -type f 2>/dev/null) console/index.html console/vite.config.js

$(CONSOLE_NPM_STAMP): console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CONSOLE_BUILT): $(CONSOLE_NPM_STAMP) $(CONSOLE_SOURCES)
	cd console && npm run --silent build -- --logLevel warn

console: $(CONSOLE_BUILT)

fixtures: venv system-deps
	$(PY) tests/fixtures/make_videos.py

run: venv console
	$(PY) -m chalicelib.local.runner

# Forgets what `make run` kept under .local/ and starts clean.
reset: venv
	$(PY) -m chalicelib.local.runner --reset

test: venv package-venv system-deps console
	$(PY) -m pytest

# A whole simulated campaign (entries, weeks, jury, prizes) on a private local cloud, in a minute or two.
demo: venv system-deps
	$(PY) -m contest_cli demo

tables: venv
	$(PY) scripts/render_infra.py tables

package: venv package-venv console
	$(PY) scripts/render_infra.py merge $(STAGE) $(BUILD)/merge-template.json
	rm -rf $(BUILD)/out
	AWS_DEFAULT_REGION=$(REGION) $(PKG_VENV)/bin/chalice package --stage $(STAGE) \
		--merge-template $(BUILD)/merge-template.json $(BUILD)/out
	$(PKG_PY) scripts/slim_package.py $(BUILD)/out
	$(VENV)/bin/cfn-lint $(BUILD)/out/sam.json
	@echo "Template: $(BUILD)/out/sam.json  Code: $(BUILD)/out/deployment.zip"

# Needs the AWS CLI, credentials, and an S3 bucket for artifacts (ARTIFACT_BUCKET).
deploy: package
	@test -n "$(ARTIFACT_BUCKET)" || { echo "Set ARTIFACT_BUCKET=<bucket for deployment artifacts>"; exit 2; }
	aws cloudformation package --region $(REGION) --template-file $(BUILD)/out/sam.json \
		--s3-bucket $(ARTIFACT_BUCKET) --output-template-file $(BUILD)/packaged.yaml
	aws cloudformation deploy --region $(REGION) --template-file $(BUILD)/packaged.yaml \
		--stack-name contest-$(STAGE) --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
		--parameter-overrides Stage=$(STAGE) AllowedOrigins=$(ALLOWED_ORIGINS)

bench: venv package-venv system-deps console
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf build .local .pytest_cache tests/fixtures/videos chalicelib/web/console console/node_modules
