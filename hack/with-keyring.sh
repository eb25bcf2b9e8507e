#!/usr/bin/env bash
# with-keyring.sh CMD...: run CMD against a real Secret Service (gnome-keyring)
# on a private D-Bus session bus, then tear both down. CMD's exit code is
# this script's. The daemons get a throwaway HOME and XDG dirs, so the
# user's real keyring is never touched; CMD keeps its own environment plus
# DBUS_SESSION_BUS_ADDRESS.
#
# Needs (Debian): gnome-keyring libsecret-tools dbus-x11  (dbus-daemon, dbus-send)
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi
for tool in dbus-daemon dbus-send gnome-keyring-daemon; do
	if ! command -v "$tool" >/dev/null; then
		echo "with-keyring: $tool not found; apt-get install -y gnome-keyring libsecret-tools dbus-x11" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eksxa-keyring.XXXXXX")
bus_pid=""
keyring_pid=""
cleanup() {
	[[ -n $keyring_pid ]] && kill "$keyring_pid" 2>/dev/null && wait "$keyring_pid" 2>/dev/null
	[[ -n $bus_pid ]] && kill "$bus_pid" 2>/dev/null && wait "$bus_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/run"
chmod 700 "$tmp/run"
daemon_env=(env HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"
	XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run" DISPLAY= WAYLAND_DISPLAY=)

# Private session bus, a child of this script (not --fork: a container's
# pid 1 may not reap it). It prints its address once it listens.
"${daemon_env[@]}" dbus-daemon --session --nofork --nopidfile \
	--address="unix:path=$tmp/run/bus" --print-address=3 3>"$tmp/bus.addr" 2>"$tmp/bus.log" &
bus_pid=$!
for _ in $(seq 100); do
	[[ -s $tmp/bus.addr ]] && break
	sleep 0.05
done
export DBUS_SESSION_BUS_ADDRESS
DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$tmp/bus.addr")
if [[ -z $DBUS_SESSION_BUS_ADDRESS ]]; then
	echo "with-keyring: dbus-daemon did not start:" >&2
	cat "$tmp/bus.log" >&2
	exit 1
fi

# gnome-keyring reads the login keyring's password from stdin: an empty line
# (a throwaway keyring; with no bytes at all it creates no login keyring).
# On first run it creates the login keyring, unlocked, where go-keyring
# stores its items.
printf '\n' | "${daemon_env[@]}" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
	gnome-keyring-daemon --foreground --unlock --components=secrets >"$tmp/keyring.log" 2>&1 &
keyring_pid=$!

has_secrets() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}
for _ in $(seq 100); do
	has_secrets && break
	if ! kill -0 "$keyring_pid" 2>/dev/null; then
		echo "with-keyring: gnome-keyring-daemon exited:" >&2
		cat "$tmp/keyring.log" >&2
		exit 1
	fi
	sleep 0.1
done
if ! has_secrets; then
	echo "with-keyring: org.freedesktop.secrets did not appear on the bus in 10s:" >&2
	cat "$tmp/keyring.log" >&2
	exit 1
fi

set +e
"$@"
rc=$?
set -e
exit "$rc"
