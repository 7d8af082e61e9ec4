# Sourced by the scripts beside it: the project root, and one way to configure and build.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}

# build_tree DIR [CMAKE_ARGS...]: configure DIR once (again only when the arguments
# change), then build it incrementally; BUILD_TARGET names targets to build instead of all.
build_tree() {
  local dir=$1
  shift
  local stamp="$dir/.configured-with"
  if [ ! -f "$dir/build.ninja" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$*" ]; then
    cmake -S "$root" -B "$dir" -G Ninja "$@" >/dev/null
    echo "$*" >"$stamp"
  fi
  # shellcheck disable=SC2086 # BUILD_TARGET may name several targets
  cmake --build "$dir" ${BUILD_TARGET:+--target $BUILD_TARGET}
}
