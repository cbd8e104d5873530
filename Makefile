# Earshot: `make demo` runs the daemon on generated data; `make test` runs every test.
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
DEBIAN_PACKAGES := libsqlite3-dev libsystemd-dev libopenblas-dev socat pkg-config systemd prometheus
DEMO_STATE ?= $(CURDIR)/demo-state

.PHONY: deps build release test soak demo install install-user uninstall uninstall-user clean

# Installs the Debian packages the build and the tests need, only when missing.
deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing missing packages: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Builds everything (binaries included: the end-to-end tests run them) and runs all tests.
test: deps
	$(SWIFT) build --build-tests
	EARSHOT_BIN_DIR=$$($(SWIFT) build --show-bin-path) $(SWIFT) test --skip-build --no-parallel

# Long-running load with reloads (not part of `make test`): SOAK_DURATION seconds, default 60.
SOAK_DURATION ?= 60
soak: release
	scripts/soak.sh $$($(SWIFT) build -c release --show-bin-path) $(SOAK_DURATION)

# Generated demo catalogue, daemon in the foreground on $(DEMO_STATE)/earshot.sock.
demo: release
	$$($(SWIFT) build -c release --show-bin-path)/earshot demo --state $(DEMO_STATE)

install: release
	bin=$$($(SWIFT) build -c release --show-bin-path); \
	install -D -m 0755 $$bin/earshotd $(DESTDIR)$(PREFIX)/bin/earshotd; \
	install -D -m 0755 $$bin/earshot $(DESTDIR)$(PREFIX)/bin/earshot
	install -D -m 0644 include/earshot/scorer.h $(DESTDIR)$(PREFIX)/include/earshot/scorer.h
	install -D -m 0644 systemd/earshot.service $(DESTDIR)/etc/systemd/system/earshot.service
	install -D -m 0644 systemd/earshot.socket $(DESTDIR)/etc/systemd/system/earshot.socket
	install -D -m 0644 systemd/earshot-retrain.service $(DESTDIR)/etc/systemd/system/earshot-retrain.service
	install -D -m 0644 systemd/earshot-retrain.timer $(DESTDIR)/etc/systemd/system/earshot-retrain.timer
	install -D -m 0644 systemd/earshot.sysusers $(DESTDIR)/usr/lib/sysusers.d/earshot.conf
	[ -e $(DESTDIR)/etc/earshot/earshot.toml ] || install -D -m 0644 config/earshot.toml $(DESTDIR)/etc/earshot/earshot.toml
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemd-sysusers /usr/lib/sysusers.d/earshot.conf && systemctl daemon-reload && \
		echo "Installed. Start with: systemctl enable --now earshot.socket earshot-retrain.timer"; \
	fi

# The per-user service: binaries in ~/.local/bin, units in ~/.config/systemd/user
# (README, "A per-user service"). No root needed.
USER_BIN ?= $(HOME)/.local/bin
USER_UNITS ?= $(or $(XDG_CONFIG_HOME),$(HOME)/.config)/systemd/user
install-user: release
	bin=$$($(SWIFT) build -c release --show-bin-path); \
	install -D -m 0755 $$bin/earshotd $(USER_BIN)/earshotd; \
	install -D -m 0755 $$bin/earshot $(USER_BIN)/earshot
	for unit in systemd/user/*; do install -D -m 0644 $$unit $(USER_UNITS)/$$(basename $$unit); done
	@if systemctl --user show-environment >/dev/null 2>&1; then \
		systemctl --user daemon-reload && \
		echo "Installed. Start with: systemctl --user enable --now earshot.socket earshot-retrain.timer"; \
	fi

uninstall-user:
	rm -f $(USER_BIN)/earshotd $(USER_BIN)/earshot
	for unit in systemd/user/*; do rm -f $(USER_UNITS)/$$(basename $$unit); done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/earshotd $(DESTDIR)$(PREFIX)/bin/earshot $(DESTDIR)$(PREFIX)/include/earshot/scorer.h \
		$(DESTDIR)/etc/systemd/system/earshot.service $(DESTDIR)/etc/systemd/system/earshot.socket \
		$(DESTDIR)/etc/systemd/system/earshot-retrain.service $(DESTDIR)/etc/systemd/system/earshot-retrain.timer \
		$(DESTDIR)/usr/lib/sysusers.d/earshot.conf

clean:
	rm -rf .build $(DEMO_STATE)

# The Spark trainer end to end on the Last.fm split (contrib/spark, docs/SCALING.md); not part of `make test`.
# Installs a Java runtime (Debian) and a venv with pyspark (PyPI) when missing.
SPARK_VENV ?= $(CURDIR)/.build/spark-venv
SPARK_MASTER ?= local[2]
LASTFM_SPLIT ?= $(CURDIR)/../shared/data/lastfm-2k/split
.PHONY: test-spark
test-spark: release
	contrib/spark/install.sh $(SPARK_VENV)
	$(SPARK_VENV)/bin/python contrib/spark/test_spark.py --bin "$$($(SWIFT) build -c release --show-bin-path)" \
		--split $(LASTFM_SPLIT) --master '$(SPARK_MASTER)'
