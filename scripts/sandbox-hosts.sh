#!/usr/bin/env bash
# Throwaway SSH hosts for tests, demos and benchmarks: one network namespace per host,
# joined by a bridge, each running its own sshd with its own host key and its own
# (tmpfs) home directory for the login user. Needs root, iproute2 and openssh-server.
#
#   sandbox-hosts.sh up DIR COUNT      create COUNT hosts; writes DIR/inventory.csv, DIR/id_ed25519
#   sandbox-hosts.sh stop-host DIR N   stop host N's sshd (the host becomes unreachable)
#   sandbox-hosts.sh start-host DIR N  start it again
#   sandbox-hosts.sh exec DIR N CMD... run CMD (as root) inside host N's network namespace
#   sandbox-hosts.sh down DIR          remove every host of DIR
#   sandbox-hosts.sh sweep             remove sandboxes whose DIR no longer exists
#
# Traffic only ever goes to the addresses created here (10.<a>.<b>.0/24 on the bridge).
set -euo pipefail

USER_NAME=${SANDBOX_USER:-fleettest}
REGISTRY=/run/fleetkit-sandbox

die() { echo "sandbox-hosts: $*" >&2; exit 1; }

sandbox_id() { printf '%s' "$1" | md5sum | cut -c1-6; }

ensure_user() {
    if ! id "$USER_NAME" >/dev/null 2>&1; then
        useradd -m -s /bin/bash "$USER_NAME"
    fi
    # A new user's password is locked, and sshd without PAM refuses locked accounts even
    # for key logins: '*' means "no password" without the lock.
    usermod -p '*' "$USER_NAME"
}

start_host() {
    local dir=$1 i=$2 id ns hostdir
    id=$(sandbox_id "$dir")
    ns="fks${id}h${i}"
    hostdir="$dir/h$i"
    local home
    home=$(getent passwd "$USER_NAME" | cut -d: -f6)
    # The host's sshd runs in its own mount namespace with a fresh tmpfs over the user's
    # home, so every host keeps its own files.
    # shellcheck disable=SC2016 # the inner script expands its own arguments
    ip netns exec "$ns" unshare --mount --propagation private sh -c '
        set -e
        mount -t tmpfs -o mode=0755 tmpfs "$1"
        chown "$2": "$1"
        exec /usr/sbin/sshd -D -e -f "$3/sshd_config"
    ' sandbox-host "$home" "$USER_NAME" "$hostdir" >>"$hostdir/sshd.log" 2>&1 &
    echo $! >"$hostdir/launcher.pid"
    # Wait until sshd accepts connections.
    local addr
    addr=$(cat "$hostdir/address")
    for _ in $(seq 1 100); do
        if ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/$addr/22" 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    die "sshd of host $i did not start; see $hostdir/sshd.log"
}

# Whether a process is alive; a zombie waiting for its reaper counts as gone.
alive() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ "$state" != Z* ]]
}

# Sends SIGTERM to the sshd of host I (and its sessions); prints its pid.
signal_host() {
    local hostdir="$1/h$2" pid
    [ -f "$hostdir/launcher.pid" ] || return 0
    pid=$(cat "$hostdir/launcher.pid")
    rm -f "$hostdir/launcher.pid"
    # The launcher exec'd into sshd, so this is the listening daemon.
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    echo "$pid"
}

# Waits up to 2.5 s for the given pids to go, then kills what is left.
reap() {
    local pid
    for _ in $(seq 1 50); do
        local left=0
        for pid in "$@"; do alive "$pid" && left=1; done
        [ "$left" = 0 ] && return 0
        sleep 0.05
    done
    for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
}

stop_host() {
    local pid
    pid=$(signal_host "$1" "$2")
    [ -z "$pid" ] || reap "$pid"
}

up() {
    local dir=$1 count=$2
    if ! [[ "$count" =~ ^[0-9]+$ ]] || [ "$count" -lt 1 ] || [ "$count" -gt 200 ]; then die "COUNT must be 1-200"; fi
    [ "$(id -u)" = 0 ] || die "must run as root (network namespaces and sshd)"
    command -v ip >/dev/null || die "iproute2 is missing (apt-get install iproute2)"
    [ -x /usr/sbin/sshd ] || die "openssh-server is missing (apt-get install openssh-server)"
    mkdir -p "$dir" /run/sshd "$REGISTRY"
    dir=$(cd "$dir" && pwd)
    chmod 0755 "$dir"
    local id a b bridge
    id=$(sandbox_id "$dir")
    down "$dir" 2>/dev/null || true
    echo "$dir" >"$REGISTRY/$id"
    a=$((200 + 16#${id:0:2} % 50)); b=$((16#${id:2:2}))
    bridge="fks${id}br"
    ensure_user
    [ -f "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C sandbox-client -f "$dir/id_ed25519"
    # Sandboxes started side by side (test suites run in parallel) must not share a subnet:
    # two bridges with one /24 would route a suite's logins to another suite's sshd. The
    # subnet is taken under a lock, moving on from the one the id suggests while it is in use.
    local lock
    exec {lock}>"$REGISTRY/.subnets.lock"
    flock "$lock"
    local tries=0
    while ip -4 route show "10.$a.$b.0/24" | grep -q . && [ "$tries" -lt 12800 ]; do
        b=$(( (b + 1) % 256 )); [ "$b" -eq 0 ] && a=$(( 200 + (a - 200 + 1) % 50 )); tries=$((tries + 1))
    done
    ip link add "$bridge" type bridge
    ip addr add "10.$a.$b.1/24" dev "$bridge"
    ip link set "$bridge" up
    flock -u "$lock"
    exec {lock}>&-
    echo "name,ip,user,port" >"$dir/inventory.csv"
    local i ns veth addr hostdir
    for i in $(seq 1 "$count"); do
        ns="fks${id}h${i}"; veth="fks${id}v${i}"; addr="10.$a.$b.$((10 + i))"; hostdir="$dir/h$i"
        mkdir -p "$hostdir/bin"
        chmod 0755 "$hostdir" "$hostdir/bin"
        echo "$addr" >"$hostdir/address"
        ip netns add "$ns"
        ip link add "$veth" type veth peer name eth0 netns "$ns"
        ip link set "$veth" master "$bridge" up
        ip -n "$ns" addr add "$addr/24" dev eth0
        ip -n "$ns" link set eth0 up
        ip -n "$ns" link set lo up
        rm -f "$hostdir/host_key" "$hostdir/host_key.pub"
        ssh-keygen -q -t ed25519 -N '' -C "sandbox-h$i" -f "$hostdir/host_key"
        cp "$dir/id_ed25519.pub" "$hostdir/authorized_keys"
        # sshd reads the keys file as the login user.
        if ! runuser -u "$USER_NAME" -- test -r "$hostdir/authorized_keys"; then
            die "$USER_NAME cannot read $hostdir/authorized_keys: every folder above $dir must be world-searchable (chmod o+x)"
        fi
        cat >"$hostdir/sshd_config" <<CONF
Port 22
Port 2222
ListenAddress $addr
HostKey $hostdir/host_key
PidFile $hostdir/sshd.pid
AuthorizedKeysFile $hostdir/authorized_keys
AllowUsers $USER_NAME
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
MaxSessions 100
MaxStartups 100:30:200
LogLevel VERBOSE
SetEnv PATH=$hostdir/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SANDBOX_HOST=h$i SANDBOX_DIR=$hostdir
Subsystem sftp /usr/lib/openssh/sftp-server
CONF
        echo "h$i,$addr,$USER_NAME,22" >>"$dir/inventory.csv"
        start_host "$dir" "$i"
    done
}

down() {
    local dir=$1 id i pid
    dir=$(cd "$dir" 2>/dev/null && pwd || echo "$1")
    id=$(sandbox_id "$dir")
    local pids=()
    for hostdir in "$dir"/h*; do
        [ -d "$hostdir" ] || continue
        i=${hostdir##*/h}
        pid=$(signal_host "$dir" "$i")
        if [ -n "$pid" ]; then pids+=("$pid"); fi
    done
    [ ${#pids[@]} -eq 0 ] || reap "${pids[@]}"
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^fks${id}h" || true); do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    ip link del "fks${id}br" 2>/dev/null || true
    rm -f "$REGISTRY/$id"
}

# Runs a command inside host I's network namespace; whatever it leaves running there is
# killed by 'down' with the rest of the namespace.
exec_in_host() {
    local dir=$1 i=$2 id
    shift 2
    [[ "$i" =~ ^[0-9]+$ ]] || die "N must be a host number"
    dir=$(cd "$dir" && pwd)
    id=$(sandbox_id "$dir")
    ip netns list | awk '{print $1}' | grep -qx "fks${id}h${i}" || die "no host $i in $dir"
    exec ip netns exec "fks${id}h${i}" "$@"
}

sweep() {
    [ -d "$REGISTRY" ] || return 0
    local entry dir
    for entry in "$REGISTRY"/*; do
        [ -f "$entry" ] || continue
        dir=$(cat "$entry")
        if [ ! -d "$dir" ]; then
            if mkdir -p "$dir"; then down "$dir"; rmdir "$dir" 2>/dev/null || true; fi
        fi
    done
}

case "${1:-}" in
    up) [ $# -eq 3 ] || die "usage: $0 up DIR COUNT"; sweep; up "$2" "$3" ;;
    down) [ $# -eq 2 ] || die "usage: $0 down DIR"; down "$2" ;;
    stop-host) [ $# -eq 3 ] || die "usage: $0 stop-host DIR N"; stop_host "$(cd "$2" && pwd)" "$3" ;;
    start-host) [ $# -eq 3 ] || die "usage: $0 start-host DIR N"; start_host "$(cd "$2" && pwd)" "$3" ;;
    exec) [ $# -ge 4 ] || die "usage: $0 exec DIR N COMMAND..."; exec_in_host "${@:2}" ;;
    sweep) sweep ;;
    *) die "usage: $0 up DIR COUNT | down DIR | stop-host DIR N | start-host DIR N | exec DIR N COMMAND... | sweep" ;;
esac
