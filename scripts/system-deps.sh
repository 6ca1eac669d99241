#!/bin/sh
# Installs the Debian packages the test suite drives for real: Chromium (the
# browser test) and nginx (the static-export test). Does nothing when they are
# present; when they are missing and we cannot install them, says so loudly and
# the tests that need them skip with that reason.
set -u
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium chromium-driver"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need="$need nginx-light"
# Korean glyphs in the browser test's screenshots (boxes without a CJK font)
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 \
  || need="$need fonts-noto-cjk"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing$need"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends $need) >/dev/null 2>&1 \
    || echo "system-deps: WARNING: apt-get could not install$need; tests needing them will skip"
else
  echo "system-deps: WARNING: missing$need and not root with apt-get; tests needing them will skip"
fi
exit 0
