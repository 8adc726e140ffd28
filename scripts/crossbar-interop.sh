#!/usr/bin/env bash
# The Rust WAMP client (examples/wamp_client) against a real Crossbar.io router and an
# Autobahn-Python peer, on every backend. Fails loudly on any mismatch; never leaves a router
# (or any process it started) running.
#
#   bash scripts/crossbar-interop.sh            interop on tokio, smol and async-std
#   bash scripts/crossbar-interop.sh --bench    the bench: 10,000 sequential calls, Rust
#                                               client against Autobahn-Python, same router
#   BACKENDS="smol" bash scripts/crossbar-interop.sh   a subset of the backends
#   BENCH_CALLS=10000 BENCH_ROUNDS=3                   the bench's size (best round counts)
#
# Crossbar.io and Autobahn come from PyPI into a virtualenv cached between runs in
# ${XDG_CACHE_HOME:-$HOME/.cache}/txaio-crossbar (about 80 s the first time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-interop}
backends=${BACKENDS:-tokio smol async-std}
bench_calls=${BENCH_CALLS:-10000}
bench_rounds=${BENCH_ROUNDS:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}

# Pinned, so that a green run means the same thing next month.
pins="crossbar==26.10.1 autobahn==26.11.1"
cache=${XDG_CACHE_HOME:-$HOME/.cache}/txaio-crossbar
venv=$cache/venv
python=$venv/bin/python

say() { printf '\n--- %s\n' "$*"; }
die() { printf '\nCROSSBAR INTEROP FAILED: %s\n' "$*" >&2; exit 1; }

work=$(mktemp -d)
pids=()
router_pid=""
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $router_pid ]]; then
    # The router was started with setsid: its controller and worker share one process group.
    kill -TERM -- "-$router_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$router_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$router_pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  if [[ $status -ne 0 && -f $work/router.log ]]; then
    echo "--- router log (last 30 lines)" >&2
    tail -n 30 "$work/router.log" >&2 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Crossbar.io ($pins) in $venv"
if [[ ! -x $venv/bin/crossbar || "$(cat "$cache/pins" 2>/dev/null)" != "$pins" ]]; then
  start=$(date +%s)
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv" || die "python3 -m venv failed (is python3-venv installed?)"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check $pins > "$work/pip.log" 2>&1 \
    || { tail -n 40 "$work/pip.log" >&2; die "pip install $pins failed"; }
  echo "$pins" > "$cache/pins"
  echo "installed in $(( $(date +%s) - start )) s"
else
  echo "cached"
fi
"$venv/bin/crossbar" version 2>/dev/null | grep -E '^ +(Crossbar.io|Autobahn|Twisted|Python) +:' || true

say "router config: one realm, anonymous role, WebSocket on 127.0.0.1, JSON serializer"
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="ws://127.0.0.1:$port/ws"
realm=realm1
mkdir -p "$work/.crossbar"
cat > "$work/.crossbar/config.json" <<JSON
{
  "version": 2,
  "controller": {},
  "workers": [{
    "type": "router",
    "realms": [{
      "name": "$realm",
      "roles": [{
        "name": "anonymous",
        "permissions": [{
          "uri": "", "match": "prefix",
          "allow": {"call": true, "register": true, "publish": true, "subscribe": true},
          "disclose": {"caller": false, "publisher": false},
          "cache": true
        }]
      }]
    }],
    "transports": [{
      "type": "web",
      "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": $port},
      "paths": {
        "ws": {
          "type": "websocket",
          "serializers": ["json"],
          "auth": {"anonymous": {"type": "static", "role": "anonymous"}}
        }
      }
    }]
  }]
}
JSON
echo "$url realm $realm"

say "build wamp_client for each backend"
for backend in $backends; do
  cargo build --quiet --release -p txaio-examples --example wamp_client \
    --no-default-features --features "$backend" || die "build on $backend failed"
  cp "$CARGO_TARGET_DIR/release/examples/wamp_client" "$work/wamp_client-$backend"
  echo "$backend: built"
done

say "start the router"
setsid "$venv/bin/crossbar" start --cbdir "$work/.crossbar" --loglevel warn > "$work/router.log" 2>&1 &
router_pid=$!
for _ in $(seq 1 120); do
  kill -0 "$router_pid" 2>/dev/null || die "the router exited while starting"
  if "$python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.5).close()" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
"$python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.5).close()" 2>/dev/null \
  || die "the router did not listen on $port within 60 s"
echo "listening on 127.0.0.1:$port (pid $router_pid)"

# Starts a background process (bounded by timeout), remembered for the cleanup.
spawn() { # log, command...
  local log=$1; shift
  : > "$log"
  timeout 600 "$@" > "$log" 2>&1 &
  pids+=($!)
}
wait_for_line() { # log, pattern, what
  for _ in $(seq 1 200); do
    grep -q "$2" "$1" && return 0
    sleep 0.05
  done
  cat "$1" >&2
  die "$3 did not start"
}
expect() { # what, expected, actual
  if [[ "$2" != "$3" ]]; then die "$1: expected '$2', got '$3'"; fi
  echo "  ok   $1 -> $3"
}
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  pids=()
}

if [[ $mode == --bench ]]; then
  first=${backends%% *}
  say "bench: $bench_calls sequential calls of add2(i, 1) through Crossbar.io, each checked"
  # Both callees stay up through the whole bench: the Rust one (on the first backend) and the
  # Python one. Each caller runs alone, so the router serves one caller at a time.
  spawn "$work/serve.log" "$work/wamp_client-$first" --router "$url" serve-add2
  wait_for_line "$work/serve.log" "serve-add2: ready" "serve-add2"
  spawn "$work/peer.log" "$python" "$root/scripts/crossbar/peer.py" serve "$url" "$realm"
  wait_for_line "$work/peer.log" READY "the Python peer"
  rust_bench() { # backend, procedure
    timeout 300 "$work/wamp_client-$1" --router "$url" bench "$bench_calls" "$2" | grep '^bench:' \
      || die "Rust bench on $1 failed"
  }
  python_bench() { # procedure
    timeout 300 "$python" "$root/scripts/crossbar/bench.py" "$url" "$realm" "$bench_calls" "$1" 2>"$work/bench.err" \
      | grep '^bench:' || { cat "$work/bench.err" >&2; die "Python bench failed"; }
  }
  field() { awk -v key="$2" '{for (i = 2; i <= NF; i++) if ($i == key) {print $(i-1); exit}}' <<<"$1"; }
  # CPU ticks (1/100 s) of the router's processes: what one routed call costs the router.
  router_ticks() {
    local total=0 pid
    for pid in $(pgrep -g "$router_pid"); do
      total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
    done
    echo "$total"
  }
  router_us() { awk "BEGIN {printf \"%.0f\", ($2 - $1) * 10000 / $bench_calls}"; }
  # Rounds alternate the contenders, so that a burst of other load on the machine hits them
  # alike; each contender's best round is its figure.
  declare -A best=()
  run() { # key, label, command...
    local key=$1 label=$2 ticks line; shift 2
    ticks=$(router_ticks)
    line=$("$@")
    line="$line, router CPU $(router_us "$ticks" "$(router_ticks)") us/call"
    printf '  round %s  %-44s %s\n' "$round" "$label" "$line"
    if [[ -z ${best[$key]:-} ]] || awk "BEGIN {exit !($(field "$line" "calls/s,") > $(field "${best[$key]}" "calls/s,"))}"; then
      best[$key]=$line
    fi
  }
  for round in $(seq 1 "$bench_rounds"); do
    run python "Autobahn-Python -> Autobahn-Python" python_bench com.example.py.add2
    for backend in $backends; do
      run "$backend" "Rust ($backend) -> Rust ($first)" rust_bench "$backend" com.example.add2
    done
  done
  py=${best[python]}
  py_rate=$(field "$py" "calls/s,") py_cpu=$(field "$py" "us/call")
  summary=()
  for backend in $backends; do
    line=${best[$backend]}
    rate=$(field "$line" "calls/s,") cpu=$(field "$line" "us/call")
    summary+=("$(printf '  %-10s %6s calls/s = %4.1fx Autobahn-Python; client CPU %5s us/call = 1/%s of Autobahn-Python' \
      "$backend" "$rate" "$(awk "BEGIN {print $rate / $py_rate}")" "$cpu" \
      "$(awk "BEGIN {if ($cpu > 0) printf \"%.1f\", $py_cpu / $cpu; else print \"(too few calls to tell)\"}")")")
  done
  echo
  echo "mixed, once:"
  printf '  caller %-18s callee %-22s %s\n' "Rust ($first)" "Autobahn-Python" "$(rust_bench "$first" com.example.py.add2)"
  printf '  caller %-18s callee %-22s %s\n' "Autobahn-Python" "Rust ($first)" "$(python_bench com.example.add2)"
  echo
  echo "best of $bench_rounds rounds, Rust caller and callee against Autobahn-Python caller and callee ($py_rate calls/s, $py_cpu us/call):"
  printf '%s\n' "${summary[@]}"
  stop_all
  echo
  echo "bench: done"
  exit 0
fi

for backend in $backends; do
  client=$work/wamp_client-$backend
  say "$backend: wamp_client demo"
  timeout 120 "$client" --router "$url" --realm "$realm" demo | tee "$work/demo.log" \
    || die "$backend: demo failed"
  grep -q '^demo: ok' "$work/demo.log" || die "$backend: demo did not report ok"

  say "$backend: Autobahn-Python calls and publishes to wamp_client serve-add2"
  spawn "$work/serve.log" "$client" --router "$url" --realm "$realm" serve-add2
  wait_for_line "$work/serve.log" "serve-add2: ready" "serve-add2"
  timeout 60 "$python" "$root/scripts/crossbar/peer.py" check "$url" "$realm" > "$work/check.log" 2> "$work/check.err" \
    || { cat "$work/check.log" "$work/check.err" >&2; die "$backend: the Python peer's checks failed"; }
  grep '^peer:' "$work/check.log" | sed 's/^/  /'

  say "$backend: wamp_client call, procedures registered by Autobahn-Python"
  spawn "$work/peer.log" "$python" "$root/scripts/crossbar/peer.py" serve "$url" "$realm"
  wait_for_line "$work/peer.log" READY "the Python peer"
  call() { "$client" --router "$url" --realm "$realm" call "$@"; }
  expect "call com.example.py.mul2 6 7" 42 "$(call com.example.py.mul2 6 7)"
  expect "call com.example.py.echo {\"a\":[1,2]} hello 3" '[{"a":[1,2]},"hello",3]' \
    "$(call com.example.py.echo '{"a":[1,2]}' hello 3)"
  out=$(call com.example.py.fail) && die "$backend: call com.example.py.fail exited 0"
  expect "call com.example.py.fail (exit 1)" "ERROR com.example.error.refused" "$out"
  out=$(call com.example.nothing.here 1) && die "$backend: call of a missing procedure exited 0"
  expect "call com.example.nothing.here (exit 1)" "ERROR wamp.error.no_such_procedure" "$out"
  expect "call com.example.add2 2 3 (Rust to Rust)" 5 "$(call com.example.add2 2 3)"
  stop_all
  echo "$backend: interop ok"
done

say "stop the router"
kill -TERM -- "-$router_pid"
for _ in $(seq 1 100); do kill -0 -- "-$router_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 -- "-$router_pid" 2>/dev/null && die "the router did not stop within 10 s"
router_pid=""
echo "stopped"
echo
echo "crossbar interop: ok on $backends"
