# seccplay — `make serve` to play, `make test` to check everything. Each target installs what
# it needs first (scripts/setup.sh: idempotent, about a second when everything is there).
# The steps themselves live in scripts/run.sh; `make test` stops at the first failing step.
SHELL := /bin/bash
RUN := scripts/run.sh

.DEFAULT_GOAL := help
.PHONY: help setup serve test lint fmt host-test wasm-test build e2e screenshot fuzz fuzz-seed install

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

setup: ## install everything the build and the tests need (skips what is present)
	@$(RUN) setup

serve: ## trunk serve the playground on http://127.0.0.1:8080 (PORT=...; debug build in target/serve-dist, dist/ untouched)
	@$(RUN) setup-serve serve

test: ## everything: setup, fmt, clippy, host tests, wasm tests, release build, e2e
	@$(RUN) test

lint: ## cargo fmt --check, clippy -D warnings, no import cycle between core modules
	@$(RUN) fmt clippy cycles

fmt: ## format the workspace in place
	cargo fmt --all

host-test: ## cargo test --workspace (host)
	@$(RUN) setup host-test

wasm-test: ## wasm-bindgen-test for seccplay-core and seccplay-web in headless Chromium
	@$(RUN) setup wasm-test

build: ## release trunk build into dist/
	@$(RUN) setup-serve build

e2e: ## release build, then the Playwright e2e tests against it (screenshots in target/e2e/)
	@$(RUN) setup build e2e

screenshot: e2e ## refresh docs/screenshot.png from the e2e run
	cp target/e2e/shell.png docs/screenshot.png

# The CLI under PREFIX: the binary (cargo install), its man pages and bash/zsh/fish completions.
PREFIX ?= $(HOME)/.local
install: ## install seccplay-native, man pages and shell completions under PREFIX (default ~/.local)
	cargo install --locked --path crates/seccplay-native --root "$(PREFIX)"
	"$(PREFIX)/bin/seccplay-native" man --dir "$(PREFIX)/share/man/man1"
	mkdir -p "$(PREFIX)/share/bash-completion/completions" "$(PREFIX)/share/zsh/site-functions" "$(PREFIX)/share/fish/vendor_completions.d"
	"$(PREFIX)/bin/seccplay-native" completions bash > "$(PREFIX)/share/bash-completion/completions/seccplay-native"
	"$(PREFIX)/bin/seccplay-native" completions zsh > "$(PREFIX)/share/zsh/site-functions/_seccplay-native"
	"$(PREFIX)/bin/seccplay-native" completions fish > "$(PREFIX)/share/fish/vendor_completions.d/seccplay-native.fish"
	@echo "installed $(PREFIX)/bin/seccplay-native; put $(PREFIX)/bin on PATH and $(PREFIX)/share/man on MANPATH if they are not"

fuzz: ## cargo-fuzz every target FUZZ_TIME seconds each (default 600; nightly + cargo-fuzz, else skips)
	@$(RUN) fuzz

fuzz-seed: ## write the seed corpora into fuzz/corpus/ (presets, golden programs, expressions)
	cargo run -q -p seccplay-core --example fuzz_seed -- fuzz/corpus tests/golden
