#!/usr/bin/env bash
# Installs the Debian packages the plugin's set-up needs, only when missing.
#   libmariadb-dev pkg-config : build mysqlclient (Open edX's MySQL driver) for the MariaDB tests
#   libharfbuzz-subset0       : fast font subsetting in WeasyPrint (~110 ms/PDF instead of ~700 ms)
#   fonts-noto-cjk            : Chinese/Japanese names render with real glyphs, not boxes
#   fonts-dejavu-core         : Latin, Arabic and Hebrew glyphs for certificates (the templates' fallback)
#   chromium                  : the browser the e2e tests (Playwright) drive; never downloaded by pip
#   gettext                   : msgfmt, which Django's compilemessages runs to build the .mo catalogues
#   poppler-utils             : pdfsig, which checks PDF signatures as Evince and Okular do (NSS), in the tests
# Usage: scripts/system-deps.sh [extra packages...]
set -euo pipefail
wanted=(libmariadb-dev pkg-config libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core chromium gettext
        poppler-utils "$@")
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Please install these packages (as root): apt-get install ${missing[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
