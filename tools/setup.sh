#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian 12 machine (and CI) for BotaCLIP:
#  1. QGIS, PyQGIS, GDAL, Xvfb, ImageMagick and Qt's lrelease from Debian when missing;
#  2. .venv from Debian's Python (the one PyQGIS lives in) with --system-site-packages;
#  3. pinned Python packages, constrained so that pip never replaces numpy, scipy, matplotlib
#     or Pillow, which QGIS and GDAL were built against;
#  4. the package importable as `botaclip` whatever the checkout's folder is called, and a
#     `botaclip` command in .venv/bin.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
SYSPY=/usr/bin/python3.11
VENV="$here/.venv"

need_apt=0
[ -x /usr/bin/qgis_process.bin ] || need_apt=1
[ -x /usr/bin/Xvfb ] || need_apt=1
command -v import >/dev/null 2>&1 || need_apt=1
command -v lrelease >/dev/null 2>&1 || need_apt=1      # Qt's translation compiler (tests)
"$SYSPY" -c "import qgis.core, osgeo.gdal, numpy, scipy, matplotlib, PIL" >/dev/null 2>&1 || need_apt=1
if [ "$need_apt" = 1 ]; then
  echo "== installing QGIS, PyQGIS, GDAL, Xvfb from Debian"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
    qgis python3-qgis gdal-bin python3-gdal python3-venv python3-numpy python3-scipy \
    python3-matplotlib python3-pil xvfb xauth imagemagick qttools5-dev-tools
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV from $SYSPY (with system site packages: PyQGIS, GDAL)"
  "$SYSPY" -m venv --system-site-packages "$VENV"
fi

# Never let pip replace what QGIS and GDAL were built against.
constraints="$VENV/system-constraints.txt"
"$SYSPY" - > "$constraints" <<'PY'
import importlib.metadata as md
for name in ("numpy", "scipy", "matplotlib", "Pillow"):
    try:
        print(f"{name}=={md.version(name)}")
    except md.PackageNotFoundError:
        pass
print("affine<3")
PY

stamp="$VENV/.botaclip-deps"
want="$(cat requirements.txt requirements-dev.txt "$constraints" | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== installing pinned Python packages"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
      -c "$constraints" -r requirements.txt -r requirements-dev.txt 2>&1 \
      | grep -v "is ignored: it is neither a file nor a directory" || true
  "$VENV/bin/python" -c "import torch, timm, safetensors, sklearn, distributed, pytest, hypothesis" \
      || { echo "Python packages failed to install; see the messages above." >&2; exit 1; }
  echo "$want" > "$stamp"
fi

# The repository root is the plugin folder; make it importable as `botaclip`.
site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
ln -sfn "$here" "$site/botaclip"
cat > "$VENV/bin/botaclip" <<PY
#!$VENV/bin/python
import sys
from botaclip.backend.cli import main
sys.exit(main())
PY
chmod +x "$VENV/bin/botaclip"
echo "== set-up complete: $VENV/bin/botaclip"
