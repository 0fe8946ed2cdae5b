# Shared by ./run and ./test (sourced, not run): make .venv inside the repository and install requirements.
#
#   PYTHON       the interpreter for the virtualenv (default: python3.11, else python3 if it is 3.11)
#   TORCH_INDEX  where torch comes from (default: PyTorch's CPU-only wheels). For a CUDA build, give PyTorch's
#                index for your CUDA version, e.g. https://download.pytorch.org/whl/cu126; "pypi" takes
#                whatever your default index has (on Linux, PyPI's torch pulls several GB of CUDA libraries).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
TORCH_INDEX="${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}"

as_root() {  # run a system command as root: directly, through sudo, or not at all
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

apt_install() {
  echo "Installing with apt-get: $*" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then echo "$candidate"; return; fi
  done
  echo "Attention Lab needs Python 3.11 (python3.11 or python3); set PYTHON=/path/to/python3.11." >&2
  return 1
}

make_venv() {
  [ -x "$VENV/bin/python" ] && return
  local python
  python="$(find_python)"
  if ! "$python" -m venv "$VENV" 2>/dev/null; then  # Debian ships venv separately
    rm -rf "$VENV"
    apt_install python3-venv || { echo "Run: sudo apt-get install python3-venv" >&2; return 1; }
    "$python" -m venv "$VENV"
  fi
}

# Install the requirements files given (and torch first, from TORCH_INDEX) unless they are already in.
install_requirements() {
  make_venv
  local stamp="$VENV/.installed-${*//[^a-z-]/_}" wanted torch_pin
  wanted="$(cat "$ROOT"/requirements*.txt | sha256sum | cut -c1-16) $TORCH_INDEX"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && return
  torch_pin="$(grep -E '^torch==' "$ROOT/requirements.txt")"
  if [ "$TORCH_INDEX" != pypi ]; then
    echo "Installing $torch_pin from $TORCH_INDEX" >&2
    "$VENV/bin/python" -m pip install --quiet --index-url "$TORCH_INDEX" "$torch_pin"
  fi
  for file in "$@"; do "$VENV/bin/python" -m pip install --quiet -r "$ROOT/$file"; done
  echo "$wanted" > "$stamp"
}

# What the test command needs besides Python packages: Debian's chromium and fonts-noto-cjk (browser tests).
prepare_tests() {
  install_requirements requirements-dev.txt
  # grep without -q reads all of fc-list: with pipefail, -q's early exit made fc-list fail (SIGPIPE) and the fonts
  # look missing, so apt-get ran on every call
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then
    apt_install chromium fonts-noto-cjk || echo "No chromium/fonts-noto-cjk (needs root): the browser tests will be skipped." >&2
  fi
}
