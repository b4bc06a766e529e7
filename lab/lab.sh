#!/usr/bin/env bash
# lab.sh - a lab of real test hosts for runbook, on this machine.
#
# Each host rblabK is a network namespace rblabI-K with its own address
# (10.213.I.(10+K)) on a bridge rblabI-br (10.213.I.1), its own sshd, its own
# mount namespace (so a host can have a full disk that no one else sees) and
# its own hostname. Faults are real kernel state: sysctls, routes, iptables
# rules and tmpfs mounts, read by the same commands a runbook would run.
#
#   lab/lab.sh up [N] [--faults]   create N hosts (default 6)
#   lab/lab.sh down                remove everything this lab created
#   lab/lab.sh status              list hosts, whether sshd answers, faults
#
# State (keys, configs, pid files, ssh_config, hosts, faults.txt, and the
# list of what `up` created) lives in ${RUNBOOK_LAB_DIR:-/tmp/runbook-lab}.
# Use the lab with:
#   ssh -F /tmp/runbook-lab/ssh_config rblab1 hostname
#
# Several labs can run at once, each with its own state dir. I, the lab id
# (1-254), names the lab's namespaces, links and subnet: RUNBOOK_LAB_ID if
# set, otherwise one derived from the state dir (the next free one if
# another lab has it). lab.env in the state dir records it and the names.
# `down` removes only what this lab's `up` recorded; `up` refuses to touch
# a lab it did not create.
#
# Needs root; exits 77 ("skipped") otherwise. Only the lab's own addresses
# and loopback are ever contacted.
set -Eeuo pipefail
# Name the command that failed: `set -e` alone exits silently.
trap 'echo "lab: error: \"$BASH_COMMAND\" failed (line $LINENO)" >&2' ERR

LAB_DIR="$(realpath -m -- "${RUNBOOK_LAB_DIR:-/tmp/runbook-lab}")"
readonly LAB_DIR
# The lab id and the kernel-wide names derived from it, set by set_lab_id.
LAB_ID=""
BRIDGE=""                            # rblabI-br
NET=""                               # the lab's /24: 10.213.I
BRIDGE_ADDR=""
NS_PREFIX=""                         # network namespace rblabI-K
VETH_PREFIX=""                       # root-side veth rblabIvK (at most 12 of the 15 chars allowed)
readonly HOST_PREFIX=rblab           # host name rblabK (its own UTS namespace, this lab's ssh_config)
readonly MAX_HOSTS=200               # 10+K must stay below 255
readonly POD_CIDR=10.244.0.0/16
readonly KUBELET_PORT=10250
readonly KUBELET_DIR=/var/lib/kubelet
readonly CONTAINERD_DIR=/var/lib/containerd
# A marker so that `down` never deletes a directory the lab did not create
# (think RUNBOOK_LAB_DIR=/root by mistake).
readonly MARKER=.runbook-lab
# Held while a lab chooses its id and creates the names: two labs starting
# at once cannot take the same id.
readonly LOCK_FILE=/run/runbook-lab.lock
# Bounded wait for every sshd to accept a connection.
readonly WAIT_SECONDS="${RUNBOOK_LAB_WAIT:-60}"

SELF="$(readlink -f "$0")"
readonly SELF

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# set_lab_id I: the lab's id and every kernel-wide name derived from it.
set_lab_id() {
  LAB_ID=$1
  BRIDGE="rblab$1-br"
  NET="10.213.$1"
  BRIDGE_ADDR="$NET.1"
  NS_PREFIX="rblab$1-"
  VETH_PREFIX="rblab$1v"
}

valid_lab_id() { [[ $1 =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= 254)); }

# The id derived from the state dir, so that labs in two directories get two
# ids (on a hash collision `up` moves on to the next free one).
derived_lab_id() { echo $(($(printf '%s' "$LAB_DIR" | cksum | cut -d' ' -f1) % 254 + 1)); }

# Why id I is taken, or nothing when it is free: a namespace, bridge, veth
# or route of its names or subnet exists, whoever made it.
id_in_use() {
  local id=$1 what
  what=$(ip netns list 2>/dev/null | awk -v p="^rblab$id-" '$1 ~ p {print "namespace " $1; exit}')
  if [[ -z $what ]] && ip link show "rblab$id-br" >/dev/null 2>&1; then what="bridge rblab$id-br"; fi
  [[ -n $what ]] || what=$(ip -o link show 2>/dev/null \
    | awk -F': ' -v p="^rblab${id}v[0-9]+(@|$)" '$2 ~ p {sub(/@.*/, "", $2); print "link " $2; exit}')
  [[ -n $what ]] || what=$(ip -o -4 route show 2>/dev/null | awk -v n="10.213.$id." 'index($1, n) == 1 {print "a route to " $1; exit}')
  echo "$what"
}

# The state dir of the lab that runs namespace NS, from its sshd's command
# line (`sshd -f DIR/hosts.d/…`); nothing if none is found.
owner_of_netns() {
  local pid args
  for pid in $(ip netns pids "$1" 2>/dev/null); do
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    if [[ $args =~ -f\ ([^ ]*)/hosts\.d/ ]]; then
      echo "${BASH_REMATCH[1]}"
      return 0
    fi
  done
}

# Notes something `up` created, for `down`: "KIND NAME" lines in the state dir.
record() { echo "$1 $2" >>"$LAB_DIR/created"; }

host_name() { echo "$HOST_PREFIX$1"; }
host_addr() { echo "$NET.$((10 + $1))"; }
host_dir()  { echo "$LAB_DIR/hosts.d/$(host_name "$1")"; }

# The fault each host gets with --faults (hosts past 7 stay healthy; a lab
# of fewer than 7 hosts goes without the faults of the hosts it lacks).
fault_for() {
  case "$1" in
    2) echo ip-forward-off ;;
    3) echo disk-full ;;
    4) echo inodes-exhausted ;;
    5) echo pod-cidr-overlap ;;
    6) echo kubelet-port-blocked ;;
    7) echo unreachable ;;
    *) echo healthy ;;
  esac
}

require_root() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "lab: skipped: needs root (network namespaces, bridges, mounts, sshd)" >&2
    exit 77
  fi
}

# Install what a fresh machine lacks. apt may be busy with another process:
# wait for its lock rather than fail.
ensure_tools() {
  local -A pkg_of=(
    [ip]=iproute2 [sshd]=openssh-server [ssh]=openssh-client
    [ssh-keygen]=openssh-client [iptables]=iptables [sysctl]=procps
    [unshare]=util-linux [setsid]=util-linux [mount]=mount
  )
  local cmd missing=()
  for cmd in "${!pkg_of[@]}"; do
    [[ $cmd == sshd ]] && { [[ -x /usr/sbin/sshd ]] || missing+=("${pkg_of[$cmd]}"); continue; }
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${pkg_of[$cmd]}")
  done
  ((${#missing[@]})) || return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 \
    || log "apt-get update failed; trying install anyway"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >&2 \
    || die "could not install: ${missing[*]}"
}

# ---------------------------------------------------------------- down ---

# Signal pids, give them a moment to exit, then SIGKILL what is left.
kill_pids() {
  (($#)) || return 0
  kill -TERM "$@" 2>/dev/null || true
  local i pid alive
  for i in {1..20}; do
    alive=()
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    ((${#alive[@]})) || return 0
    sleep 0.1
  done
  kill -KILL "${alive[@]}" 2>/dev/null || true
}

# ssh ControlMaster processes that keep a socket under the state dir: ask
# each to exit through its socket, then end by pid any ssh whose command
# line names the state dir (a master whose socket is already gone).
stop_control_masters() {
  local sock pid args pids=()
  if [[ -d $LAB_DIR ]]; then
    while IFS= read -r -d '' sock; do
      ssh -o ControlPath="$sock" -O exit rblab-control-master >/dev/null 2>&1 || true
    done < <(find "$LAB_DIR" -type s -print0 2>/dev/null)
  fi
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == ssh ]] || continue
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    [[ $args == *"$LAB_DIR/"* ]] && pids+=("$pid")
  done
  kill_pids "${pids[@]}"
}

# Namespaces of other labs (any id but this lab's): their hosts may have a
# disk mounted on a directory this lab created.
other_labs_netns() {
  ip netns list 2>/dev/null | awk -v mine="${NS_PREFIX:-none}" '$1 ~ /^rblab[0-9]+-[0-9]+$/ && index($1, mine) != 1 {print $1}'
}

# Removes what this lab's `up` recorded in its state dir, and nothing else:
# a lab of another state dir is left alone.
cmd_down() {
  if [[ ! -e $LAB_DIR ]]; then
    log "no lab in $LAB_DIR"
    return 0
  fi
  # The state dir goes only if it bears the lab's marker.
  if [[ ! -f $LAB_DIR/$MARKER ]]; then
    log "warning: $LAB_DIR has no $MARKER marker; not touching it"
    return 0
  fi
  local kind name
  local -a namespaces=() links=() dirs=()
  if [[ -f $LAB_DIR/created ]]; then
    while read -r kind name; do
      case "$kind" in
        netns) namespaces+=("$name") ;;
        link) links+=("$name") ;;
        dir) dirs+=("$name") ;;
      esac
    done <"$LAB_DIR/created"
  elif [[ -f $LAB_DIR/hosts ]]; then
    # A state dir of an older lab.sh, which used fixed names and kept no list
    # (other such labs used the same names: see the owner check below).
    local k count
    count=$(grep -c . "$LAB_DIR/hosts" || true)
    for ((k = 1; k <= count; k++)); do namespaces+=("rblab-$k") links+=("rblabv$k"); done
    links+=(rblab-br0)
    [[ -f $LAB_DIR/created-dirs ]] && mapfile -t dirs <"$LAB_DIR/created-dirs"
  fi
  # A namespace whose sshd belongs to another state dir is that lab's.
  local ns owner mine=()
  for ns in "${namespaces[@]}"; do
    owner=$(owner_of_netns "$ns")
    if [[ -n $owner && $owner != "$LAB_DIR" ]]; then
      log "warning: leaving namespace $ns: it runs the lab of $owner"
    else
      mine+=("$ns")
    fi
  done
  if ((${#mine[@]} < ${#namespaces[@]})); then
    # Its links may be the same names too (an older lab.sh): keep them all.
    links=()
  fi
  namespaces=("${mine[@]}")
  if [[ -f $LAB_DIR/lab.env ]]; then set_lab_id "$(. "$LAB_DIR/lab.env" && echo "$LAB_ID")"; fi

  stop_control_masters

  # Every process inside one of this lab's namespaces is a lab sshd or one
  # of its sessions. Also end sshds from pid files, in case a namespace was
  # deleted while its sshd still ran.
  local pids=() pidfile pid
  for ns in "${namespaces[@]}"; do
    mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns" 2>/dev/null)
  done
  if [[ -d $LAB_DIR/hosts.d ]]; then
    for pidfile in "$LAB_DIR"/hosts.d/*/sshd.pid; do
      [[ -f $pidfile ]] || continue
      pid=$(<"$pidfile")
      [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sshd ]] && pids+=("$pid")
    done
  fi
  kill_pids "${pids[@]}"

  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done

  # Deleting a namespace takes its end of each veth with it; delete any
  # root-side veth that is left anyway, and the bridge.
  local link
  for link in "${links[@]}"; do
    if ip link show "$link" >/dev/null 2>&1; then ip link del "$link" 2>/dev/null || true; fi
  done

  # With the state dir go the directories `up` created outside it (mount
  # points for the disk faults), each only if still empty, and only when no
  # other lab runs: removing a directory unmounts what another lab's host
  # has mounted on it.
  local dir other
  other=$(other_labs_netns | head -n 1)
  for dir in "${dirs[@]}"; do
    [[ -n $dir ]] || continue
    if [[ -n $other ]]; then
      log "warning: leaving $dir: another lab (namespace $other) may have a disk mounted there"
    else
      rmdir "$dir" 2>/dev/null || log "warning: could not remove $dir (not empty?)"
    fi
  done
  rm -rf -- "$LAB_DIR"
}

# ------------------------------------------------------------------ up ---

# Create a directory outside the state dir only if it is absent, and note
# that we did, so `down` removes it (and only it).
make_dir_once() {
  [[ -e $1 ]] && return 0
  mkdir -p "$1"
  record dir "$1"
}

# Keys: one client key authorized for root everywhere; one host key per
# host (ed25519 keys take milliseconds, generated in parallel).
make_keys() {
  local n=$1 k pids=()
  ssh-keygen -q -t ed25519 -N '' -C rblab-client -f "$LAB_DIR/client_key"
  cp "$LAB_DIR/client_key.pub" "$LAB_DIR/authorized_keys"
  for ((k = 1; k <= n; k++)); do
    ssh-keygen -q -t ed25519 -N '' -C "$(host_name "$k")" -f "$(host_dir "$k")/ssh_host_ed25519_key" &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || die "ssh-keygen failed"; done
}

# Bridge in the root namespace; per host a namespace and a veth pair whose
# inside end is called eth0. No default route: hosts only reach the lab net.
make_network() {
  local n=$1 k ns veth
  ip link add "$BRIDGE" type bridge
  record link "$BRIDGE"
  # No IPv6 on lab links: nothing but the lab's IPv4 addresses is used.
  sysctl -qw "net.ipv6.conf.$BRIDGE.disable_ipv6=1" 2>/dev/null || true
  ip addr add "$BRIDGE_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  for ((k = 1; k <= n; k++)); do
    ns="$NS_PREFIX$k" veth="$VETH_PREFIX$k"
    ip netns add "$ns"
    record netns "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    record link "$veth"
    sysctl -qw "net.ipv6.conf.$veth.disable_ipv6=1" 2>/dev/null || true
    ip link set "$veth" master "$BRIDGE" up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
    ip -n "$ns" addr add "$(host_addr "$k")/24" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    # Healthy default, set explicitly: a new namespace may start with 0.
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
  done
}

write_configs() {
  local n=$1 k name addr dir
  : >"$LAB_DIR/empty"        # bind-mounted over root's shell start-up files
  : >"$LAB_DIR/known_hosts"
  : >"$LAB_DIR/hosts"
  {
    echo "# Generated by lab/lab.sh: one block per lab host."
  } >"$LAB_DIR/ssh_config"
  for ((k = 1; k <= n; k++)); do
    name=$(host_name "$k") addr=$(host_addr "$k") dir=$(host_dir "$k")
    cat >"$dir/sshd_config" <<EOF
# sshd for lab host $name (runs in namespace $NS_PREFIX$k)
ListenAddress $addr:22
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $LAB_DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# The state dir lives in /tmp: skip sshd's ownership checks of it.
StrictModes no
LogLevel ERROR
UseDNS no
PrintMotd no
PrintLastLog no
# Room for 32+ concurrent connections from one fan-out.
MaxStartups 100
MaxSessions 100
Subsystem sftp internal-sftp
EOF
    cat >>"$LAB_DIR/ssh_config" <<EOF

Host $name
    HostName $addr
    User root
    IdentityFile $LAB_DIR/client_key
    IdentitiesOnly yes
    UserKnownHostsFile $LAB_DIR/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    UpdateHostKeys no
    BatchMode yes
    ConnectTimeout 5
    LogLevel ERROR
EOF
    # Known under both its name and its address, so either works.
    echo "$name,$addr $(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" >>"$LAB_DIR/known_hosts"
    echo "$name" >>"$LAB_DIR/hosts"
  done
}

# Runs INSIDE a host's fresh network + mount + UTS namespaces (lab.sh calls
# itself through `ip netns exec … unshare …`): set the hostname, make root's
# shell start-up lean, mount the host's disk fault, then become its sshd.
host_init() {
  local k=$1 fault=$2 dir f i
  dir=$(host_dir "$k")
  hostname "$(host_name "$k")"
  # sshd runs commands with bash, which reads ~/.bashrc even when not
  # interactive; on this machine that runs `pyenv init` (~100 ms a command).
  for f in /root/.bashrc /root/.profile /root/.bash_profile /root/.bash_login; do
    [[ -f $f ]] && mount --bind "$LAB_DIR/empty" "$f"
  done
  case "$fault" in
    disk-full)
      mount -t tmpfs -o size=4m,mode=0755 rblab-kubelet "$KUBELET_DIR"
      # dd stops at ENOSPC with a non-zero status: that is the point.
      dd if=/dev/zero of="$KUBELET_DIR/fill" bs=64k 2>/dev/null || true
      ;;
    inodes-exhausted)
      mount -t tmpfs -o size=4m,nr_inodes=64,mode=0755 rblab-containerd "$CONTAINERD_DIR"
      i=0
      while touch "$CONTAINERD_DIR/f$i" 2>/dev/null; do i=$((i + 1)); done
      ;;
  esac
  exec /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
}

# Start one host's sshd. setsid detaches it from the caller's session (and
# sshd daemonizes itself), so a harness can run `up`, go on, and run `down`.
start_host() {
  local k=$1 fault=$2 dir
  dir=$(host_dir "$k")
  setsid -w ip netns exec "$NS_PREFIX$k" \
    unshare --mount --propagation private --uts \
    "$SELF" _host_init "$k" "$fault" </dev/null >"$dir/start.log" 2>&1
}

# Network faults are namespace state that can be set from outside.
apply_net_fault() {
  local k=$1 fault=$2 ns="$NS_PREFIX$1"
  case "$fault" in
    ip-forward-off)
      ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 ;;
    pod-cidr-overlap)
      ip -n "$ns" route add "$POD_CIDR" dev eth0 ;;
    kubelet-port-blocked)
      # iptables rules are per network namespace. Prefer the default
      # (nf_tables-backed) iptables, which is what `iptables -S` on the host
      # then shows; fall back to iptables-legacy.
      local ipt
      for ipt in iptables iptables-legacy; do
        if ip netns exec "$ns" "$ipt" -A INPUT -p tcp --dport "$KUBELET_PORT" -j DROP 2>/dev/null; then
          echo "$ipt" >"$LAB_DIR/iptables-backend"
          return 0
        fi
      done
      die "could not add an iptables rule in $ns" ;;
  esac
}

# Wait until every host accepts `ssh … true`, at most WAIT_SECONDS.
wait_ready() {
  local n=$1 k pids=() failed=() deadline=$((SECONDS + WAIT_SECONDS))
  for ((k = 1; k <= n; k++)); do
    (
      until ssh -F "$LAB_DIR/ssh_config" -o ConnectTimeout=3 "$(host_name "$k")" true 2>/dev/null; do
        ((SECONDS < deadline)) || exit 1
        sleep 0.2
      done
    ) &
    pids+=($!)
  done
  for k in "${!pids[@]}"; do
    wait "${pids[$k]}" || failed+=("$((k + 1))")
  done
  ((${#failed[@]} == 0)) && return 0
  for k in "${failed[@]}"; do
    log "$(host_name "$k") ($(host_addr "$k")) did not accept ssh within ${WAIT_SECONDS}s"
    tail -n 5 "$(host_dir "$k")/start.log" "$(host_dir "$k")/sshd.log" 2>/dev/null | sed 's/^/    /' >&2 || true
  done
  return 1
}

# This lab's id: RUNBOOK_LAB_ID, which must be free, or the one derived
# from the state dir, or the next free one after it. Called with the lock.
choose_lab_id() {
  local id why owner tries
  if [[ -n ${RUNBOOK_LAB_ID:-} ]]; then
    valid_lab_id "$RUNBOOK_LAB_ID" || die "RUNBOOK_LAB_ID must be a number from 1 to 254, not '$RUNBOOK_LAB_ID'"
    why=$(id_in_use "$RUNBOOK_LAB_ID")
    if [[ -n $why ]]; then
      owner=$(owner_of_netns "rblab$RUNBOOK_LAB_ID-1")
      die "lab id $RUNBOOK_LAB_ID is in use (${why}${owner:+, by the lab in $owner}); this lab ($LAB_DIR) did not create it and leaves it alone. Take that lab down (RUNBOOK_LAB_DIR=${owner:-<its state dir>} lab.sh down) or choose another RUNBOOK_LAB_ID."
    fi
    set_lab_id "$RUNBOOK_LAB_ID"
    return 0
  fi
  id=$(derived_lab_id)
  for ((tries = 0; tries < 254; tries++)); do
    if [[ -z $(id_in_use "$id") ]]; then
      set_lab_id "$id"
      return 0
    fi
    id=$((id % 254 + 1))
  done
  die "every lab id (1-254) is in use"
}

cmd_up() {
  local n=6 faults=0 arg k fault pids=()
  for arg in "$@"; do
    case "$arg" in
      --faults) faults=1 ;;
      '' | *[!0-9]*) die "usage: lab.sh up [N] [--faults]" ;;
      *) n=$arg ;;
    esac
  done
  ((n >= 1 && n <= MAX_HOSTS)) || die "N must be between 1 and $MAX_HOSTS"
  ensure_tools

  # A previous lab of this state dir is replaced; nothing else is ours.
  if [[ -f $LAB_DIR/$MARKER ]]; then
    log "removing the previous lab of $LAB_DIR first"
    cmd_down
  fi
  # down keeps a directory without the marker: never adopt (and later
  # delete) a directory that is not the lab's.
  [[ ! -e $LAB_DIR ]] || die "$LAB_DIR exists and is not a lab state dir; set RUNBOOK_LAB_DIR elsewhere"

  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "another lab.sh up has held $LOCK_FILE for 2 minutes"
  choose_lab_id

  # On any failure from here on (set -e or die), leave nothing behind.
  # (An EXIT trap, not ERR: `die` exits without raising ERR.)
  trap 'if (($?)); then log "up failed; cleaning up"; cmd_down; fi' EXIT
  local t0=$SECONDS

  mkdir -p "$LAB_DIR"
  chmod 700 "$LAB_DIR"
  touch "$LAB_DIR/$MARKER"
  : >"$LAB_DIR/created"
  printf '%s\n' "# Written by lab.sh up: this lab's id and the kernel-wide names it uses." \
    "LAB_ID=$LAB_ID" "BRIDGE=$BRIDGE" "NET=$NET" "NS_PREFIX=$NS_PREFIX" "VETH_PREFIX=$VETH_PREFIX" >"$LAB_DIR/lab.env"
  for ((k = 1; k <= n; k++)); do mkdir -p "$(host_dir "$k")"; done
  # sshd refuses to start without its privilege separation directory. It is
  # a standard system directory that other sshd users (tests running
  # `sshd -i`, say) also need at any moment: create it, never remove it.
  mkdir -p /run/sshd
  if ((faults)); then
    for ((k = 1; k <= n; k++)); do
      case $(fault_for "$k") in
        disk-full) make_dir_once "$KUBELET_DIR" ;;
        inodes-exhausted) make_dir_once "$CONTAINERD_DIR" ;;
      esac
    done
  fi

  make_keys "$n"
  make_network "$n"
  # The names exist now: a lab choosing its id after this sees them taken.
  flock -u 9
  exec 9>&-
  write_configs "$n"

  : >"$LAB_DIR/faults.txt"
  for ((k = 1; k <= n; k++)); do
    fault=healthy
    ((faults)) && fault=$(fault_for "$k")
    ((faults)) && echo "$(host_name "$k") $fault" >>"$LAB_DIR/faults.txt"
    apply_net_fault "$k" "$fault"
    start_host "$k" "$fault" &
    pids+=($!)
  done
  for k in "${!pids[@]}"; do
    if ! wait "${pids[$k]}"; then
      sed 's/^/    /' "$(host_dir "$((k + 1))")/start.log" >&2 || true
      die "could not start sshd for $(host_name "$((k + 1))")"
    fi
  done

  wait_ready "$n" || die "not every lab sshd came up"

  # Unreachable: the namespace and its address stay, sshd goes away, so a
  # connection is refused.
  if ((faults && n >= 7)); then
    kill_pids "$(<"$(host_dir 7)/sshd.pid")"
  fi

  trap - EXIT
  if ((faults && n < 7)); then
    log "$n hosts: the faults of hosts $((n + 1)) to 7 are left out (the full set needs 7 hosts)"
  fi
  log "up: lab $LAB_ID ($NET.0/24), $n hosts in $((SECONDS - t0))s$( ((faults)) && echo ", with faults (see $LAB_DIR/faults.txt)")"
  log "try: ssh -F $LAB_DIR/ssh_config $(host_name 1) hostname"
}

# -------------------------------------------------------------- status ---

cmd_status() {
  if [[ ! -f $LAB_DIR/hosts || ! -f $LAB_DIR/lab.env ]]; then
    echo "no lab in $LAB_DIR"
    return 0
  fi
  set_lab_id "$(. "$LAB_DIR/lab.env" && echo "$LAB_ID")"
  echo "lab $LAB_ID: $NET.0/24, bridge $BRIDGE, namespaces $NS_PREFIX*"
  local -A fault=()
  local name f
  [[ -f $LAB_DIR/faults.txt ]] && while read -r name f; do fault[$name]=$f; done <"$LAB_DIR/faults.txt"
  mapfile -t hosts <"$LAB_DIR/hosts"
  # Probe all hosts at once; each answer goes to its own file.
  local tmp
  tmp=$(mktemp -d)
  for name in "${hosts[@]}"; do
    (ssh -F "$LAB_DIR/ssh_config" -o ConnectTimeout=2 "$name" true >/dev/null 2>&1 \
      && echo up || echo down) >"$tmp/$name" &
  done
  wait
  printf '%-10s %-13s %-5s %s\n' HOST ADDRESS SSHD FAULT
  for name in "${hosts[@]}"; do
    printf '%-10s %-13s %-5s %s\n' "$name" "$(host_addr "${name#"$HOST_PREFIX"}")" \
      "$(<"$tmp/$name")" "${fault[$name]:-healthy}"
  done
  rm -rf "$tmp"
  [[ -f $LAB_DIR/iptables-backend ]] && echo "iptables backend: $(<"$LAB_DIR/iptables-backend")"
  echo "ssh config: $LAB_DIR/ssh_config"
}

# ---------------------------------------------------------------- main ---

main() {
  local sub=${1:-}
  (($#)) && shift
  case "$sub" in
    up)     require_root; cmd_up "$@" ;;
    down)   require_root; cmd_down; log "down" ;;
    status) require_root; cmd_status ;;
    _host_init) host_init "$@" ;;   # internal: see start_host
    *) echo "usage: lab.sh up [N] [--faults] | down | status" >&2; exit 2 ;;
  esac
}

main "$@"
