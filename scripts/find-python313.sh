#!/usr/bin/env bash
# Prints the path of a CPython 3.13 interpreter: the Lambda runtime's version, which `chalice package`
# needs to run under (it names the runtime after its own interpreter and picks wheels for it).
# Looks at $PYTHON313, python3.13 on PATH, then pyenv's versions; a pyenv shim only counts if it runs.
set -uo pipefail
want="3.13"

works() {
  [ -n "$1" ] && [ -x "$1" ] && [ "$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$want" ]
}

candidates=("${PYTHON313:-}" "$(command -v python$want 2>/dev/null)")
for root in "${PYENV_ROOT:-}" "${HOME:-/root}/.pyenv" /root/.pyenv; do
  [ -n "$root" ] && candidates+=("$root"/versions/$want*/bin/python$want)
done
candidates+=(/usr/local/bin/python$want /usr/bin/python$want)

for python in "${candidates[@]}"; do
  if works "$python"; then
    echo "$python"
    exit 0
  fi
done

cat >&2 <<EOF
No CPython $want found: the Lambda functions run on python$want, and the package must be built by
that version. Install one (e.g. \`pyenv install $want\`, or your distribution's python$want with its
venv module), or point PYTHON313 at it: make package PYTHON313=/path/to/python$want
EOF
exit 1
