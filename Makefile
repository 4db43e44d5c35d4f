# altostrat.sdx developer entry points. `make demo` and `make test` set up everything they need.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PYTHON311 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.11*/bin/python3.11) $(shell command -v python3.11 || command -v python3))
PYTHON313 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.13*/bin/python3.13) $(shell command -v python3.13))

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
BUILD := $(CURDIR)/build
COLLECTIONS := $(BUILD)/collections
SRC_TREE := $(BUILD)/src/ansible_collections/altostrat/sdx
# ansible-test needs an ansible_collections/ parent and must not see this git checkout around it: it runs in a copy.
ANSIBLE_TEST_ROOT := $(or $(TMPDIR),/tmp)/altostrat-sdx-ansible-test
ANSIBLE_TEST_TREE := $(ANSIBLE_TEST_ROOT)/ansible_collections/altostrat/sdx
ANSIBLE_TEST := cd $(ANSIBLE_TEST_TREE) && env -u ANSIBLE_COLLECTIONS_PATH $(BIN)/ansible-test
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := $(BUILD)/dist/altostrat-sdx-$(VERSION).tar.gz
PIP := pip install -q --disable-pip-version-check -c $(CURDIR)/constraints.txt
# community.routeros (sdx_config's RouterOS data model) comes from the pinned `ansible` package on PyPI, since Galaxy
# cannot be reached from CI; its version is the one galaxy.yml's dependency range was tested with.
ANSIBLE_PACKAGE := ansible==12.3.0
ROUTEROS_VERSION := 3.14.0
DEPS := $(BUILD)/deps
ROUTEROS := $(DEPS)/ansible_collections/community/routeros
ROUTEROS_TARBALL := $(DEPS)/community-routeros-$(ROUTEROS_VERSION).tar.gz
PIP_ANY = $(or $(wildcard $(BIN)/pip),$(wildcard $(DEMO_BIN)/pip),$(shell command -v pip))
# ansible-core lines besides the main one (2.19 on Python 3.11): the oldest requires_ansible admits, and the newest.
MATRIX := 2.16 2.21
# The line whose integration tests run every site module as a module process, not inside its action plugin.
MODULE_PROCESS_LINE := 2.16

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export PY_COLORS := 0

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z0-9.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.done: requirements.txt requirements-dev.txt requirements-test.txt tests/unit/requirements.txt constraints.txt
	[ -x $(BIN)/python ] || $(PYTHON311) -m venv $(VENV)
	$(BIN)/$(PIP) -r requirements-dev.txt
	touch $@

.venv-2.16/.done: requirements.txt requirements-test.txt tests/unit/requirements.txt constraints.txt
	[ -x .venv-2.16/bin/python ] || $(PYTHON311) -m venv .venv-2.16
	.venv-2.16/bin/$(PIP) 'ansible-core>=2.16,<2.17' -r requirements-test.txt
	touch $@

.venv-2.21/.done: requirements.txt requirements-test.txt tests/unit/requirements.txt constraints.txt
	@[ -n "$(PYTHON313)" ] || { echo "Python 3.13 is needed for the ansible-core 2.21 line"; exit 1; }
	[ -x .venv-2.21/bin/python ] || $(PYTHON313) -m venv .venv-2.21
	.venv-2.21/bin/$(PIP) 'ansible-core>=2.21,<2.22' -r requirements-test.txt
	touch $@

# ansible-rulebook lives in its own venv so its pins never move the main venv's tools (docs/event-driven.md).
.venv-eda/.done: requirements.txt requirements-eda.txt constraints.txt
	[ -x .venv-eda/bin/python ] || $(PYTHON311) -m venv .venv-eda
	.venv-eda/bin/$(PIP) -r requirements-eda.txt
	touch $@

.PHONY: eda
eda: .venv-eda/.done java ## ansible-rulebook in .venv-eda, and the Java 17 it needs (installed with apt-get when missing)

.PHONY: java
java:
	@command -v java >/dev/null || { apt-get update -q && apt-get install -y -q openjdk-17-jre-headless; }

.PHONY: venv
venv: $(VENV)/.done $(SRC_TREE) $(BUILD)/src/ansible_collections/community/routeros ## Create .venv with every tool

$(SRC_TREE):
	mkdir -p $(dir $@) && ln -sfn $(CURDIR) $@

$(BUILD)/src/ansible_collections/community/routeros: $(ROUTEROS)/MANIFEST.json
	mkdir -p $(dir $@) && ln -sfn $(ROUTEROS) $@

# Only the collection's folder is taken from the wheel (pip download --no-deps: no ansible-core comes with it).
$(ROUTEROS)/MANIFEST.json $(ROUTEROS_TARBALL):
	rm -rf $(DEPS) && mkdir -p $(DEPS)/wheel
	$(PIP_ANY) download -q --disable-pip-version-check --no-deps '$(ANSIBLE_PACKAGE)' -d $(DEPS)/wheel
	python3 .ci/extract_collection.py $(DEPS)/wheel/*.whl community/routeros $(ROUTEROS_VERSION) $(DEPS)
	rm -rf $(DEPS)/wheel

.PHONY: pip-shim
pip-shim: $(VENV)/.done  # ansible-test cannot download its pip bootstrap here (docs/development.md)
	mkdir -p ~/.ansible/test/cache
	cp .ci/get_pip_shim.py ~/.ansible/test/cache/$$($(BIN)/python .ci/pip_shim_name.py)

# Installing needs ansible-galaxy alone (ansible-core): the one of .venv when it exists, else the one on PATH.
GALAXY = $(or $(wildcard $(BIN)/ansible-galaxy),$(wildcard $(DEMO_BIN)/ansible-galaxy),$(shell command -v ansible-galaxy))

.PHONY: install
install: $(ROUTEROS)/MANIFEST.json ## Build the collection tarball and install it and community.routeros into build/collections (needs only ansible-core)
	@[ -n "$(GALAXY)" ] || { echo "make install needs ansible-galaxy: pip install ansible-core"; exit 1; }
	rm -rf $(BUILD)/dist $(COLLECTIONS)
	$(GALAXY) collection build --force --output-path $(BUILD)/dist
	cp $(ROUTEROS_TARBALL) $(BUILD)/dist/
	# --no-deps: community.routeros is installed from its tarball beside ours; its own dependency (ansible.netcommon)
	# is not used by sdx_config, and Galaxy cannot be reached.
	$(GALAXY) collection install --force --no-deps $(TARBALL) $(BUILD)/dist/$(notdir $(ROUTEROS_TARBALL)) -p $(COLLECTIONS)

# The demo needs the runtime alone: ansible-core of the main line (as requirements-dev.txt pins it) and requirements.txt.
DEMO_BIN := $(CURDIR)/.venv-demo/bin
MAIN_CORE := $(shell grep '^ansible-core' requirements-dev.txt)

.venv-demo/.done: requirements.txt requirements-dev.txt constraints.txt
	[ -x .venv-demo/bin/python ] || $(PYTHON311) -m venv .venv-demo
	.venv-demo/bin/$(PIP) '$(MAIN_CORE)' -r requirements.txt
	touch $@

.PHONY: demo
demo: .venv-demo/.done install ## Queue a script on the simulated fleet: check mode, queue, wait, re-run, failure (runtime only, in .venv-demo)
	$(DEMO_BIN)/python -m simulator --sites 12 --seed 7 --time-scale 0.4 --rate-limit 60 -- \
	  $(DEMO_BIN)/ansible-playbook -i localhost, -c local -e ansible_python_interpreter=$(DEMO_BIN)/python examples/demo.yml

.PHONY: ee-context
ee-context: venv install ## Execution environment build context for the collection in build/ee (no container engine needed)
	rm -rf $(BUILD)/ee-src $(BUILD)/ee && mkdir -p $(BUILD)/ee-src
	cp examples/ee/execution-environment.yml examples/ee/requirements.yml $(BUILD)/ee-src/
	cp $(TARBALL) $(BUILD)/ee-src/altostrat-sdx.tar.gz
	$(BIN)/ansible-builder create -f $(BUILD)/ee-src/execution-environment.yml -c $(BUILD)/ee

.PHONY: de-context
de-context: venv install ## Decision environment build context (examples/de) in build/de (no container engine needed)
	rm -rf $(BUILD)/de-src $(BUILD)/de && mkdir -p $(BUILD)/de-src
	cp examples/de/decision-environment.yml examples/de/requirements.yml $(BUILD)/de-src/
	cp $(TARBALL) $(BUILD)/de-src/altostrat-sdx.tar.gz
	$(BIN)/ansible-builder create -f $(BUILD)/de-src/decision-environment.yml -c $(BUILD)/de

# The tracked and untracked-unignored files, copied afresh for each ansible-test command (the simulator too: the
# integration targets start it from there, see tests/integration/targets/setup_sdx_simulator).
.PHONY: ansible-test-tree
ansible-test-tree: pip-shim $(ROUTEROS)/MANIFEST.json
	rm -rf $(ANSIBLE_TEST_ROOT) && mkdir -p $(ANSIBLE_TEST_TREE)
	git ls-files -z --cached --others --exclude-standard | tar --null -cf - -T - | tar -xf - -C $(ANSIBLE_TEST_TREE)
	# ansible-test finds the collections ours depends on beside it, under the same ansible_collections/.
	mkdir -p $(ANSIBLE_TEST_ROOT)/ansible_collections/community
	cp -r $(ROUTEROS) $(ANSIBLE_TEST_ROOT)/ansible_collections/community/

.PHONY: sanity
sanity: ansible-test-tree ## ansible-test sanity (no ignore file) on a copy under ansible_collections/
	$(ANSIBLE_TEST) sanity --python 3.11 --color no

.PHONY: units
units: venv ansible-test-tree ## ansible-test units (main line), in a venv of tests/unit/requirements.txt
	$(ANSIBLE_TEST) units --python 3.11 --venv --color no

.PHONY: integration
integration: integration-targets integration-pytest ## Both integration suites (main line)

.PHONY: integration-targets
integration-targets: venv ansible-test-tree ## ansible-test integration: tests/integration/targets, each against a simulator it starts
	$(ANSIBLE_TEST) integration --python 3.11 --color no

.PHONY: integration-pytest
integration-pytest: venv install eda ## The pytest integration suite: ansible runs against the simulator, EDA, AWX, examples
	$(BIN)/pytest -n 2 tests/integration

.PHONY: matrix
matrix: venv install $(SRC_TREE) $(foreach line,$(MATRIX),.venv-$(line)/.done) ## Unit and integration tests on ansible-core 2.16 and 2.21 (all but the main_line tests)
	for line in $(MATRIX); do \
	  echo "== ansible-core $$line"; \
	  SDX_TEST_MODULE_PROCESS=$$([ $$line = $(MODULE_PROCESS_LINE) ] && echo 1) \
	  PATH=$(CURDIR)/.venv-$$line/bin:$$PATH .venv-$$line/bin/pytest -n 2 -m "not main_line" tests/unit tests/integration || exit 1; \
	done

.PHONY: molecule
molecule: venv install ## Molecule scenario of the script_rollout role (converge, idempotence, verify) on the simulator
	$(BIN)/python -m simulator --sites 4 --time-scale 0.05 --rate-limit 0 -- $(BIN)/molecule test

.PHONY: lint
lint: venv ## ansible-lint (production profile) and antsibull-docs lint
	# Offline (.ansible-lint): the collection and community.routeros come from build/src, the checkout's own tree.
	# A HOME of its own: a copy of the collection that molecule left in ~/.ansible/collections must not shadow this one.
	mkdir -p $(BUILD)/lint-home
	HOME=$(BUILD)/lint-home ANSIBLE_COLLECTIONS_PATH=$(BUILD)/src $(BIN)/ansible-lint
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs self .

.PHONY: docs-check
docs-check: venv install ## ansible-doc renders every plugin (it exits 0 on a missing one, so check the JSON)
	$(BIN)/python tests/check_docs.py

.PHONY: galaxy-import
galaxy-import: venv install ## The importer Galaxy and Automation Hub run on upload, on the built tarball
	$(BIN)/python tests/check_galaxy_import.py

.PHONY: docs
docs: venv install ## The collection docsite (plugin docs and the guides of docs/docsite) into build/docs, warnings fatal
	$(BIN)/python docs/docsite/build.py

.PHONY: test
test: sanity units integration matrix molecule lint docs-check galaxy-import docs ## Everything CI runs

.PHONY: clean
clean: ## Remove build output and virtual environments
	rm -rf $(BUILD) $(VENV) .venv-* tests/output

.PHONY: bench
bench: bench-modules bench-inventory ## Every benchmark (about 20 minutes); figures go to build/bench/

.PHONY: bench-modules
bench-modules: venv install ## sdx_async_script against uri (200 sites), and a rate-limited queue-and-wait (300 sites)
	$(BIN)/python -m benchmarks.modules --rounds 3

.PHONY: bench-inventory
bench-inventory: venv install ## Benchmark the inventory plugin against a static inventory (10,000 sites)
	$(BIN)/python -m benchmarks.inventory --sites 10000 --rounds 3
