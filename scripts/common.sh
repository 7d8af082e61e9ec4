# Sourced by the scripts beside it: the project root, and one way to configure and build.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}

# configure_tree DIR [CMAKE_ARGS...]: configure DIR once, and again only when the
# arguments change (a tree configured for another compiler is made anew).
configure_tree() {
  local dir=$1
  shift
  local stamp="$dir/.configured-with"
  if [ ! -f "$dir/build.ninja" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$*" ]; then
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
    cmake -S "$root" -B "$dir" -G Ninja "$@" >/dev/null
    echo "$*" >"$stamp"
  fi
}

# build_tree DIR [CMAKE_ARGS...]: configure_tree, then build incrementally; BUILD_TARGET
# names targets to build instead of all.
build_tree() {
  configure_tree "$@"
  # shellcheck disable=SC2086 # BUILD_TARGET may name several targets
  cmake --build "$1" ${BUILD_TARGET:+--target $BUILD_TARGET}
}
