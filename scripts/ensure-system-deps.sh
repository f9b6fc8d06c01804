#!/usr/bin/env bash
# Make sure the system packages the full test suite needs are present:
# PostgreSQL (server binaries for scripts/pg-test-server.sh), Debian's chromium
# (driven by Playwright in tests/test_browser.py) and a small Chinese font,
# fonts-wqy-microhei: the white paper's charts (stats/whitepaper.py) are drawn by
# matplotlib and refuse to render without a font covering Chinese, so it is required.
#
# As root, missing packages are installed with apt-get. Otherwise a note is
# printed: locally the tests that need them are then skipped, but with CI=true
# they fail (and so does this script), so CI can never pass without them.
set -euo pipefail

missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing+=(postgresql)
fi
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi
# Any installed font covering Chinese will do; without fontconfig's fc-list we cannot
# tell, so we ask for the package itself.
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
    missing+=(fonts-wqy-microhei)
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing system packages: ${missing[*]} =="
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    exit 0
fi

echo "NOTE: missing system packages: ${missing[*]}" >&2
echo "      install them with: sudo apt-get install ${missing[*]}" >&2
if [ "${CI:-}" = "true" ]; then
    echo "      CI=true: the tests that need them would fail; stopping here." >&2
    exit 1
fi
echo "      Tests that need them will be skipped (the white paper tests fail, naming the font package)." >&2
