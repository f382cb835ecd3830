#!/bin/sh
# Installs the Debian packages a make target needs, when they are missing and we are root.
# Not root: says what is missing and carries on (the step that needs it will say so too).
set -eu
need=""
case "${1:-}" in
  run) ldconfig -p | grep -q libpango-1.0 || need="$need libpango-1.0-0 libpangoft2-1.0-0" ;;
  test)
    ldconfig -p | grep -q libpango-1.0 || need="$need libpango-1.0-0 libpangoft2-1.0-0"
    [ -x /usr/bin/chromium ] || need="$need chromium"
    [ -x /usr/bin/chromedriver ] || need="$need chromium-driver" ;;
  bench) command -v wrk >/dev/null 2>&1 || need="$need wrk" ;;
esac
[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ]; then
  echo "Installing Debian packages:$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $need >/dev/null
else
  echo "Missing Debian packages (install them as root):$need" >&2
fi
