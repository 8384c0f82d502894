#!/usr/bin/env bash
# Prints the go build tags for the fastest BLAS this machine can use, setting
# OpenBLAS up first where it can (root on Debian/Ubuntu). With no OpenBLAS it
# prints nothing, and a one-line notice on stderr: the pure-Go backend is used.
set -u
have_openblas() {
  [ -e /usr/include/x86_64-linux-gnu/cblas.h ] || [ -e /usr/include/cblas.h ] ||
    ls /usr/include/*/cblas*.h /usr/include/openblas/cblas.h >/dev/null 2>&1
}
if ! have_openblas && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "hrmlab: installing OpenBLAS (apt-get install -y libopenblas-dev) ..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev) >/dev/null 2>&1
fi
if have_openblas; then
  echo openblas
else
  echo "hrmlab: OpenBLAS not found (apt-get install libopenblas-dev): building the pure-Go BLAS backend, several times slower" >&2
fi
