#!/usr/bin/env bash
# Installs the Debian 12 packages misp-input builds and tests with. Idempotent: installs only what
# is missing, and runs `apt-get update` only when something is.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libcpp-httplib-dev nlohmann-json3-dev libssl-dev libyaml-cpp-dev libsimdjson-dev libpcre2-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang-format openssl clang-14 libclang-rt-14-dev
  syslog-ng-dev syslog-ng-core syslog-ng-mod-http syslog-ng-scl bison python3
  python3-prometheus-client time
  dpkg-dev file help2man man-db systemd
  nodejs npm
)

# What installed packages provide counts too (NodeSource's nodejs provides npm and conflicts with it).
provided=$(dpkg-query -W -f='${Status}|${Provides}\n' 2>/dev/null | grep '^install ok installed|' |
  cut -d'|' -f2 | tr ',' '\n' | sed 's/ *(.*//; s/^ *//')
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' &&
     ! grep -qx -- "$p" <<<"$provided"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present."
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root or install them." >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
