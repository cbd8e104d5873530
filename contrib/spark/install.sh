#!/usr/bin/env bash
# Installs what contrib/spark needs, each only when missing: a Java runtime
# (17 or later, as Spark 4 requires) from Debian, and a virtual environment
# VENV with the pinned pyspark and numpy from PyPI.
set -euo pipefail
venv=${1:?usage: install.sh VENV}
here=$(cd "$(dirname "$0")" && pwd)
sudo=$([ "$(id -u)" = 0 ] || echo sudo)

apt_install() {
	echo "Installing from Debian: $*"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}

java_major() {
	java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}
if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ]; then
	apt_install default-jre-headless
fi

if [ ! -x "$venv/bin/python" ]; then
	if ! python3 -m venv "$venv" 2>/dev/null; then
		rm -rf "$venv"
		apt_install python3-venv
		/usr/bin/python3 -m venv "$venv"
	fi
fi
if ! "$venv/bin/python" -c 'import pyspark, numpy' 2>/dev/null; then
	echo "Installing into $venv: $(grep -v '^#' "$here/requirements.txt" | tr '\n' ' ')"
	"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
fi
