#!/usr/bin/env bash
# Fetch Dear ImGui 1.86 from Debian's source package `imgui` into .cache/imgui/.
#
# Why a private apt directory: `apt-get source` needs deb-src entries, and we do not want to
# touch the machine's apt configuration or write a mirror address into this repository. We
# derive deb-src entries from the machine's own apt sources (same mirrors), keep the lists and
# the downloaded files under .cache/apt/, and unpack with dpkg-source.
#
# Needs: apt-get, dpkg-source (package dpkg-dev). Idempotent.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.cache/imgui"
aptdir="$root/.cache/apt"

if [[ -f "$dest/imgui.h" ]]; then
  echo "fetch-imgui: Dear ImGui already in $dest (delete it to fetch again)"
  exit 0
fi
if ! command -v dpkg-source >/dev/null; then
  echo "fetch-imgui: dpkg-source not found; install it with: apt-get install dpkg-dev" >&2
  exit 1
fi

mkdir -p "$aptdir/sources.list.d" "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/src"
: > "$aptdir/sources.list"
rm -f "$aptdir/sources.list.d/"*

# One-line format: "deb URI suite components" -> "deb-src URI suite components".
if [[ -f /etc/apt/sources.list ]]; then
  sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list >> "$aptdir/sources.list"
fi
for f in /etc/apt/sources.list.d/*.list; do
  [[ -f "$f" ]] || continue
  sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" > "$aptdir/sources.list.d/$(basename "$f")"
done
# deb822 format: "Types: deb" -> "Types: deb-src" (stanzas that already list deb-src keep it).
for f in /etc/apt/sources.list.d/*.sources; do
  [[ -f "$f" ]] || continue
  sed -E 's/^(Types:.*)\bdeb\b([^-]|$)/\1deb-src\2/' "$f" > "$aptdir/sources.list.d/$(basename "$f")"
done

if [[ ! -s "$aptdir/sources.list" ]] && [[ -z "$(ls -A "$aptdir/sources.list.d")" ]]; then
  echo "fetch-imgui: no apt sources found in /etc/apt to derive deb-src entries from" >&2
  exit 1
fi

# Running as root: apt drops privileges to _apt for downloads, which cannot write into our
# private directories; keep root for this private, user-owned download.
apt_opts=(
  -o "Dir::Etc::SourceList=$aptdir/sources.list"
  -o "Dir::Etc::SourceParts=$aptdir/sources.list.d"
  -o "Dir::State::Lists=$aptdir/lists"
  -o "Dir::Cache=$aptdir/cache"
  -o "APT::Sandbox::User=$(id -un)"
)

echo "fetch-imgui: updating a private apt index (deb-src) in $aptdir ..."
apt-get "${apt_opts[@]}" -q update
echo "fetch-imgui: downloading the source package imgui ..."
( cd "$aptdir/src" && apt-get "${apt_opts[@]}" -q source --download-only imgui )

dsc="$(ls -1 "$aptdir/src"/imgui_*.dsc | sort | tail -n1)"
echo "fetch-imgui: unpacking $(basename "$dsc") ..."
rm -rf "$dest.tmp"
dpkg-source --no-check -x "$dsc" "$dest.tmp" >/dev/null
rm -rf "$dest"
mv "$dest.tmp" "$dest"
version="$(sed -n 's/^#define IMGUI_VERSION[[:space:]]*"\(.*\)"/\1/p' "$dest/imgui.h")"
echo "fetch-imgui: Dear ImGui $version ready in $dest"
