# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-cluster lint typecheck unit sandbox bench clean

$(STAMP): pyproject.toml kubesim/pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
		-e '.[dev]' -e './kubesim[harness]' >&2
	@touch $(STAMP)

demo: $(STAMP)  ## the console on the built-in sandbox cluster
	@$(BIN)/k8s-chatops console --sandbox

sandbox: $(STAMP)  ## serve the sandbox cluster and write a kubeconfig
	@$(BIN)/k8s-chatops sandbox --kubeconfig-out .sandbox.kubeconfig

lint: $(STAMP)
	$(BIN)/ruff check bot kubesim tests bench
	$(BIN)/ruff format --check bot kubesim tests bench

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/lint-imports

# Tests spend most of their time waiting on sockets and processes (the sandbox, the fake Slack,
# kubectl), so more workers than the 2 cores CI has keep both busy; WORKERS=0 runs in one process.
WORKERS ?= 4

unit: $(STAMP)
	$(BIN)/pytest --numprocesses $(WORKERS) --dist loadgroup --cov --cov-report=term:skip-covered

test: lint typecheck unit

# The e2e suite's commands, clicks and notifications against the cluster KUBECONFIG names, in
# namespaces the run creates and deletes; the sandbox-only tests are skipped and listed with their
# reasons. Exits non-zero, saying so, when no cluster answers. A real cluster pulls images: a test
# may take up to 10 minutes. Not part of `make test`.
test-cluster: $(STAMP)  ## the e2e suite against the cluster KUBECONFIG names (kind, a dev cluster)
	K8S_CHATOPS_TEST_CLUSTER=1 $(BIN)/pytest tests/e2e -p no:randomly --no-cov --timeout=600 -rs

bench: $(STAMP)  ## figures beside their floors: a table on stdout, JSON in bench/results/latest.json
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
