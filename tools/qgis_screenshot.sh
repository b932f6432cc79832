#!/usr/bin/env bash
# Screenshot of real QGIS (under Xvfb) showing the outputs of `make demo` with the plugin
# loaded from this checkout; used for the README. Usage: tools/qgis_screenshot.sh [DEMO] [PNG]
# (BOTACLIP_SHOT_MENU=1 in the environment: with the Raster > BotaCLIP menu open)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
demo="$(realpath "${1:-$here/demo-out}")"
out="$(realpath -m "${2:-$here/resources/screenshots/qgis-embedding-preview.png}")"
tmp="$(mktemp -d)"
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/plugins" "$tmp/profile/profiles/default/QGIS"
ln -s "$here" "$tmp/plugins/botaclip"
printf '[PythonPlugins]\nbotaclip=true\n[qgis]\ncheckVersion=false\n' \
  > "$tmp/profile/profiles/default/QGIS/QGIS3.ini"
Xvfb :99 -screen 0 1400x900x24 >/dev/null 2>&1 & xvfb=$!
sleep 2
DISPLAY=:99 QGIS_PLUGINPATH="$tmp/plugins" QGIS_CUSTOM_CONFIG_PATH="$tmp/profile" \
  BOTACLIP_DEMO="$demo" BOTACLIP_SHOT="$out" BOTACLIP_REPO="$here" \
  PYTHONPATH="$(. "$here/.venv/bin/activate" && python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
  timeout 120 qgis --nologo --code "$here/tools/qgis_screenshot.py" >/dev/null 2>&1 || true
[ -f "$out" ] && echo "screenshot: $out" || { echo "no screenshot written" >&2; exit 1; }
