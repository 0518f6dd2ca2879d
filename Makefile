# The two commands a newcomer needs: `make site` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Debian/Ubuntu packages: WeasyPrint's Pango, fonts with Vietnamese coverage, and
# for the tests Chromium (browser tests), poppler-utils (pdftoppm) and a Java runtime
# for the Nu HTML Checker (vnu.jar, from npm with axe-core: see package.json).
SITE_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
TEST_PACKAGES := chromium poppler-utils default-jre-headless

.PHONY: site html test system-deps system-deps-test bench clean lint messages

site: system-deps $(VENV)/.installed ## Install what is missing, build output/ (HTML site and PDF briefs)
	$(BIN)/proceedings build

html: system-deps $(VENV)/.installed ## Build output/ without PDFs (fast)
	$(BIN)/proceedings build --no-pdf

test: system-deps-test $(VENV)/.test-installed node_modules/.installed ## Install what the tests need, lint, then run them all
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -n auto

lint: $(VENV)/.test-installed ## ruff, ruff format, mypy --strict and the import contracts
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/mypy --strict generator
	$(BIN)/lint-imports

bench: $(VENV)/.test-installed ## Run the benchmarks in bench/ (BENCH_ARGS=--scaling adds the growth row)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The messages' catalogue (docs/architecture.md, "Translating messages"): every t("…")
# of generator/ into a template, merged into the Vietnamese .po (translate what is new
# or marked fuzzy there), compiled to the .mo the package reads. Commit both.
LOCALE := generator/locale
messages: $(VENV)/.test-installed ## Extract t() messages, update the vi catalogue, compile it
	mkdir -p $(LOCALE)
	$(BIN)/pybabel extract --no-default-keywords -k t -k N_ --add-location=file \
		--project=proceedings --version=0.1.0 --width=88 -o $(LOCALE)/proceedings.pot generator
	test -f $(LOCALE)/vi/LC_MESSAGES/proceedings.po || $(BIN)/pybabel init -D proceedings \
		-i $(LOCALE)/proceedings.pot -d $(LOCALE) -l vi --width=88
	$(BIN)/pybabel update -D proceedings -i $(LOCALE)/proceedings.pot -d $(LOCALE) -l vi \
		--ignore-obsolete --width=88
	$(BIN)/pybabel compile -D proceedings -d $(LOCALE) -l vi --statistics

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# axe-core and vnu-jar, exactly as package-lock.json pins them. --ignore-scripts: vnu-jar's
# install script would download a Java runtime; we use Debian's (default-jre-headless).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || bash scripts/system-deps.sh nodejs npm
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Installs missing Debian packages with apt-get (as root, or through sudo).
system-deps:
	@bash scripts/system-deps.sh $(SITE_PACKAGES)

system-deps-test:
	@bash scripts/system-deps.sh $(SITE_PACKAGES) $(TEST_PACKAGES)

clean:
	rm -rf output .proceedings-cache .preview test-artifacts bundle
