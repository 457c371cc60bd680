# shellcheck shell=bash
# Shared by scripts/container-test and scripts/fresh-test (sourced, not run).
# Sets up podman as it works on a plain Debian 12 host and provides a local
# Debian 12 base image made with debootstrap, so no registry is needed.

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)

# Installs the Debian packages these scripts need, if missing.
need_packages() {
  local missing=()
  for p in "$@"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

# crun cannot create containers on a host with a hybrid cgroup layout; runc
# with the cgroupfs manager can, on every layout we have met.
podman=("${sudo_cmd[@]}" podman --runtime=runc --cgroup-manager=cgroupfs)
# runc must be given limits it may set.
# shellcheck disable=SC2034  # used by the scripts that source this file
podman_limits=(--ulimit nofile=16384:16384 --ulimit nproc=4096:4096)
# shellcheck disable=SC2034
base_image=localhost/spoolgate-base:bookworm

# The Debian mirror this machine's apt uses for bookworm, read from
# /etc/apt/sources.list and /etc/apt/sources.list.d/ (one-line .list and
# deb822 .sources files alike). Prints nothing if there is none.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    # deb [options] URI SUITE COMPONENTS...
    awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                       if ($(i + 1) == "bookworm") { print $i; exit } }' "$f"
  done | head -1 | grep . && return 0
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    # Stanzas separated by blank lines; take URIs of one whose Suites has bookworm.
    awk 'BEGIN { RS = ""; FS = "\n" }
         { uri = ""; suites = ""; enabled = 1
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^URIs:/) { uri = $i; sub(/^URIs:[ \t]*/, "", uri); sub(/[ \t].*/, "", uri) }
             if ($i ~ /^Suites:/) suites = " " $i " "
             if ($i ~ /^Enabled:[ \t]*no/) enabled = 0
           }
           if (enabled && uri != "" && suites ~ / bookworm /) { print uri; exit } }' "$f"
  done | head -1 | grep .
}

# Makes the base image once: a minimal Debian 12 from this machine's mirror,
# with its apt settings (the mirror may need them, e.g. for dated snapshots).
ensure_base_image() {
  "${podman[@]}" image exists "$base_image" && return 0
  local mirror
  mirror=$(apt_mirror) || true
  if [[ -z "$mirror" ]]; then
    echo "$0: this machine's apt configuration names no Debian 12 (bookworm) mirror;" >&2
    echo "  add one to /etc/apt/sources.list or /etc/apt/sources.list.d/ and try again." >&2
    exit 1
  fi
  local root
  root=$(mktemp -d)
  "${sudo_cmd[@]}" debootstrap --variant=minbase bookworm "$root" "$mirror"
  "${sudo_cmd[@]}" cp -r /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
  "${sudo_cmd[@]}" tar -C "$root" -c . | "${podman[@]}" import - "$base_image"
  "${sudo_cmd[@]}" rm -rf "$root"
}
