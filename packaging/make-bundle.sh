#!/usr/bin/env bash
# Builds the portable Linux x86_64 bundle from a finished build:
#
#   packaging/make-bundle.sh BUILD_DIR OUT_DIR
#
# Result: OUT_DIR/coffer-VERSION-linux-x86_64/ and OUT_DIR/coffer-VERSION-linux-x86_64.tar.gz
# (also: cmake --build BUILD_DIR --target bundle). Layout:
#
#   coffer                  the executable, RPATH $ORIGIN/lib
#   portable                the marker: keyring and settings go to data/ beside it
#   qt.conf                 points Qt at plugins/ and translations/
#   lib/                    every shared library a bare desktop may lack, named by SONAME, RPATH $ORIGIN
#   plugins/<kind>/         Qt plugins (xcb, offscreen, wayland if present, ...), RPATH $ORIGIN/../../lib
#   translations/           Qt's own translations (qtbase_*.qm), if installed
#   licenses/               the copyright file of every Debian package a bundled file came from
#   MANIFEST.txt            every bundled file with its Debian package, version and SHA-256
#
# data/ is not shipped: Coffer creates it on first run. There are no symbolic links (FAT32 and
# exFAT have none); everything is a real file named by its SONAME.
#
# Libraries NOT bundled (the host provides them): packaging/host-libraries.txt, that is the
# glibc family, libglvnd (libGL/libEGL/libGLX/libOpenGL/libGLdispatch) and the X11 core
# (libX11, libX11-xcb, libxcb, libXau, libXdmcp).
#
# Environment: COFFER_EXE (default BUILD_DIR/main/coffer), QT_PLUGIN_DIR (default: asked from
# qtpaths6), QT_TRANSLATIONS_DIR, COFFER_VERSION (default: from "coffer --version"),
# SOURCE_DATE_EPOCH (tar timestamps).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR OUT_DIR" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)

for tool in patchelf ldd strip sha256sum tar gzip; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing (apt-get install patchelf binutils)" >&2; exit 1; }
done

exe=${COFFER_EXE:-$build/main/coffer}
[ -x "$exe" ] || { echo "error: $exe not found; build the coffer target first" >&2; exit 1; }
[ -x "$(dirname "$exe")/coffer-gui" ] || { echo "error: coffer-gui is not beside $exe; build the coffer target" >&2; exit 1; }

version=${COFFER_VERSION:-$("$exe" --version | awk 'NR==1 {print $2}')}
[ -n "$version" ] || { echo "error: could not read the version from coffer --version" >&2; exit 1; }
name="coffer-$version-linux-x86_64"
bundle="$out/$name"

qtpaths_query() {
  for q in qtpaths6 /usr/lib/qt6/bin/qtpaths qtpaths; do
    if command -v "$q" >/dev/null 2>&1; then "$q" --query "$1" 2>/dev/null && return 0; fi
  done
  return 1
}
plugin_dir=${QT_PLUGIN_DIR:-$(qtpaths_query QT_INSTALL_PLUGINS || echo /usr/lib/x86_64-linux-gnu/qt6/plugins)}
translations_dir=${QT_TRANSLATIONS_DIR:-$(qtpaths_query QT_INSTALL_TRANSLATIONS || echo /usr/share/qt6/translations)}
[ -d "$plugin_dir/platforms" ] || { echo "error: no Qt plugins in $plugin_dir (set QT_PLUGIN_DIR)" >&2; exit 1; }

# Names the host must provide (glibc, libglvnd, the X11 core): packaging/host-libraries.txt.
host_list="$src/packaging/host-libraries.txt"
mapfile -t host_patterns < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$host_list" | grep .)
is_excluded() {
  local p
  for p in "${host_patterns[@]}"; do
    # shellcheck disable=SC2053 # the patterns are globs on purpose
    [[ $1 == $p ]] && return 0
  done
  return 1
}

# Qt plugins: relative to the plugin folder; a missing optional one is reported and skipped.
required_plugins=(
  platforms/libqxcb.so
  platforms/libqoffscreen.so
  imageformats/libqsvg.so
  iconengines/libqsvgicon.so
)
optional_plugins=(
  platforms/libqminimal.so
  platforms/libqwayland-generic.so
  platforms/libqwayland-egl.so
  xcbglintegrations/libqxcb-glx-integration.so
  xcbglintegrations/libqxcb-egl-integration.so
  platforminputcontexts/libcomposeplatforminputcontextplugin.so
  platforminputcontexts/libibusplatforminputcontextplugin.so
)
# Whole plugin folders the Wayland platform loads (present only with qt6-wayland installed).
optional_plugin_dirs=(
  wayland-decoration-client
  wayland-graphics-integration-client
  wayland-shell-integration
)

echo "== Coffer $version bundle: $bundle"
echo "   executables: $exe, $(dirname "$exe")/coffer-gui"
echo "   Qt plugins: $plugin_dir"
rm -rf "$bundle" "$out/$name.tar.gz"
mkdir -p "$bundle/lib" "$bundle/plugins"

elfs=()   # bundled ELF files whose dependencies must be followed: "path-in-bundle|source-path"

# `coffer` (the command) hands over to `coffer-gui` (the window), which must sit beside it.
for e in coffer coffer-gui; do
  install -m 0755 "$(dirname "$exe")/$e" "$bundle/$e"
  strip --strip-unneeded "$bundle/$e"
  patchelf --force-rpath --set-rpath '$ORIGIN/lib' "$bundle/$e"
  elfs+=("$bundle/$e|$(dirname "$exe")/$e")
done

add_plugin() {
  local rel=$1
  mkdir -p "$bundle/plugins/$(dirname "$rel")"
  install -m 0755 "$plugin_dir/$rel" "$bundle/plugins/$rel"
  patchelf --force-rpath --set-rpath '$ORIGIN/../../lib' "$bundle/plugins/$rel"
  elfs+=("$bundle/plugins/$rel|$plugin_dir/$rel")
  echo "   plugin  $rel"
}
for p in "${required_plugins[@]}"; do
  [ -f "$plugin_dir/$p" ] || { echo "error: Qt plugin $plugin_dir/$p is missing" >&2; exit 1; }
  add_plugin "$p"
done
for p in "${optional_plugins[@]}"; do
  if [ -f "$plugin_dir/$p" ]; then add_plugin "$p"; else echo "   (not installed, skipped: $p)"; fi
done
for d in "${optional_plugin_dirs[@]}"; do
  if [ -d "$plugin_dir/$d" ]; then
    for f in "$plugin_dir/$d"/*.so; do add_plugin "$d/$(basename "$f")"; done
  else
    echo "   (not installed, skipped: $d/)"
  fi
done

# Follow DT_NEEDED from every bundled ELF, resolving each name the way the host's loader does
# (ldd on the original file), and copy the real file under its SONAME. Names the host provides
# are not followed further: their own dependencies are the host's business.
declare -A bundled=() excluded_seen=()
i=0
while [ $i -lt ${#elfs[@]} ]; do
  entry=${elfs[$i]}
  i=$((i + 1))
  target=${entry%%|*}
  origin=${entry#*|}
  declare -A resolved=()
  while read -r lname _ lpath _; do
    resolved[$lname]=$lpath
  done < <(ldd "$origin" | awk '$2 == "=>" {print $1, "=>", $3}')
  for needed in $(patchelf --print-needed "$target"); do
    if is_excluded "$needed"; then
      excluded_seen[$needed]=1
      continue
    fi
    [ -n "${bundled[$needed]:-}" ] && continue
    path=${resolved[$needed]:-}
    if [ -z "$path" ] || [ "$path" = "not" ] || [ ! -f "$path" ]; then
      echo "error: $needed (needed by $(basename "$origin")) does not resolve on this machine" >&2
      exit 1
    fi
    real=$(readlink -f "$path")
    soname=$(patchelf --print-soname "$real" 2>/dev/null || true)
    if [ -n "$soname" ] && [ "$soname" != "$needed" ]; then
      echo "error: $real has SONAME $soname but was needed as $needed" >&2
      exit 1
    fi
    install -m 0755 "$real" "$bundle/lib/$needed"
    patchelf --force-rpath --set-rpath '$ORIGIN' "$bundle/lib/$needed"
    bundled[$needed]=$real
    elfs+=("$bundle/lib/$needed|$real")
  done
  unset resolved
done
echo "   bundled ${#bundled[@]} libraries; left to the host: $(printf '%s\n' "${!excluded_seen[@]}" | sort | tr '\n' ' ')"

# Qt's translations for its own dialogs (buttons, file dialog), if installed.
if compgen -G "$translations_dir/qtbase_*.qm" >/dev/null; then
  mkdir -p "$bundle/translations"
  install -m 0644 "$translations_dir"/qtbase_*.qm "$bundle/translations/"
  echo "   translations: $(ls "$bundle/translations" | wc -l) qtbase_*.qm"
else
  echo "   (no Qt translations in $translations_dir; install qt6-translations-l10n to bundle them)"
fi

# Qt reads qt.conf beside the executable (found through /proc/self/exe); relative paths are
# relative to that folder, so the bundle works wherever it is mounted.
cat > "$bundle/qt.conf" <<'EOF'
[Paths]
Prefix = .
Plugins = plugins
Translations = translations
EOF

cat > "$bundle/portable" <<'EOF'
This file turns on Coffer's portable mode: because it sits beside the coffer
executable, Coffer keeps its keyring, backup and settings in the data/ folder
here and writes nothing elsewhere except the outputs you ask for.
Delete this file to use your home folder instead.
EOF

install -m 0644 "$src/LICENSE" "$bundle/LICENSE"
install -m 0644 "$src/packaging/bundle-README.txt" "$bundle/README.txt"

# The copyright (licence) file of every Debian package a bundled file came from, and a manifest.
mkdir -p "$bundle/licenses"
manifest="$bundle/MANIFEST.txt"
{
  echo "Coffer $version portable bundle for Linux x86_64"
  echo "built $(date -u ${SOURCE_DATE_EPOCH:+-d @$SOURCE_DATE_EPOCH} +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "left to the host: $(printf '%s\n' "${!excluded_seen[@]}" | sort | tr '\n' ' ')"
  echo
  printf '%-64s  %-40s  %s\n' "FILE" "DEBIAN PACKAGE (VERSION)" "SHA-256"
} > "$manifest"
declare -A pkgs=()
manifest_line() { # bundle-relative path, source path
  local pkg="" ver=""
  if pkg=$(dpkg-query -S "$2" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ]; then
    ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
    pkgs[$pkg]=1
  else
    pkg="(not from a package)"
  fi
  printf '%-64s  %-40s  %s\n' "$1" "$pkg${ver:+ ($ver)}" "$(sha256sum "$bundle/$1" | cut -d' ' -f1)" >> "$manifest"
}
manifest_line coffer "$exe"
manifest_line coffer-gui "$(dirname "$exe")/coffer-gui"
for e in "${elfs[@]}"; do
  t=${e%%|*}
  [ "$t" = "$bundle/coffer" ] || [ "$t" = "$bundle/coffer-gui" ] && continue
  s=${e#*|}
  # dpkg knows the path under /usr/lib or /lib (merged /usr); try both spellings.
  if ! dpkg-query -S "$s" >/dev/null 2>&1; then
    alt=${s#/usr}
    [ "$alt" = "$s" ] && alt="/usr$s"
    dpkg-query -S "$alt" >/dev/null 2>&1 && s=$alt
  fi
  manifest_line "${t#"$bundle"/}" "$s"
done
for pkg in "${!pkgs[@]}"; do
  base=${pkg%%:*}
  [ -f "/usr/share/doc/$base/copyright" ] && install -m 0644 "/usr/share/doc/$base/copyright" "$bundle/licenses/$base.copyright"
done
echo "   licences: $(ls "$bundle/licenses" | wc -l) Debian copyright files"

# Checks that keep the bundle usable from FAT32/exFAT.
links=$(find "$bundle" -type l)
[ -z "$links" ] || { echo "error: symbolic links in the bundle:" >&2; echo "$links" >&2; exit 1; }
dups=$(cd "$bundle" && find . | tr '[:upper:]' '[:lower:]' | sort | uniq -d)
[ -z "$dups" ] || { echo "error: names that clash on a case-insensitive file system:" >&2; echo "$dups" >&2; exit 1; }
bad=$(cd "$bundle" && find . -name '*[<>:"\\|?*]*')
[ -z "$bad" ] || { echo "error: names FAT cannot store:" >&2; echo "$bad" >&2; exit 1; }
find "$bundle" -type f ! -perm -u+r -print | grep . && { echo "error: unreadable files" >&2; exit 1; }
echo "   no symbolic links, no case clashes, FAT-safe names"

# glibc the bundle needs at least (the highest GLIBC_x.y symbol version any bundled ELF asks for).
glibc_min=$(for e in "${elfs[@]}"; do objdump -T "${e%%|*}" 2>/dev/null; done |
  grep -o 'GLIBC_[0-9][0-9.]*' | sort -u -V | tail -1)
echo "   needs glibc >= ${glibc_min#GLIBC_} on the host"
sed -i "3a needs glibc >= ${glibc_min#GLIBC_}" "$manifest"

# Reproducible-ish archive: sorted names, fixed owner, fixed times.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}
tar -C "$out" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
  --mode='u+rw,go+r,go-w' -cf - "$name" | gzip -9n > "$out/$name.tar.gz"

size_dir=$(du -sb "$bundle" | cut -f1)
size_tgz=$(stat -c %s "$out/$name.tar.gz")
awk -v d="$size_dir" -v t="$size_tgz" -v n="$name" 'BEGIN {
  printf "   size: folder %d bytes (%.1f MiB), %s.tar.gz %d bytes (%.1f MiB)\n", d, d / 1048576, n, t, t / 1048576 }'
echo "== done: $out/$name.tar.gz"
