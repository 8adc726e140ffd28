#!/usr/bin/env bash
# examples/tls_echo.rs against OpenSSL, both ways, on every backend:
#   - `openssl s_client` (verifying against our CA, the name and the IP) talks to
#     `tls_echo --serve`, and must read its line back;
#   - `tls_echo --connect localhost:PORT` (by host name, verifying against our CA) talks to
#     `openssl s_server -rev`, and must print the line reversed;
#   - `tls_echo --connect` refuses a server whose certificate is for another name, and one
#     signed by a CA it was not given, exiting non-zero with the reason.
# The CA and the certificates are made here, in a temporary folder; loopback only; every wait
# is bounded, and every process started here is killed on the way out.
#
#   bash scripts/tls-check.sh                      tokio, smol and async-std
#   BACKENDS="smol" bash scripts/tls-check.sh      a subset
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
backends=${BACKENDS:-tokio smol async-std}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}

say() { printf '\n--- %s\n' "$*"; }
die() { printf '\nTLS CHECK FAILED: %s\n' "$*" >&2; exit 1; }

command -v openssl >/dev/null || (apt-get update && apt-get install -y openssl)
command -v openssl >/dev/null || die "openssl is not installed"
openssl version

work=$(mktemp -d)
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $status -ne 0 ]]; then
    for log in "$work"/*.log; do
      [[ -f $log ]] || continue
      echo "--- $(basename "$log") (last 20 lines)" >&2
      tail -n 20 "$log" >&2 || true
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits (at most 10 s) until FILE has a line matching REGEX; prints the first match.
wait_for() {
  local file=$1 regex=$2 pid=$3
  for _ in $(seq 1 100); do
    if grep -m1 -E "$regex" "$file" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || die "process $pid exited before printing /$regex/ in $file"
    sleep 0.1
  done
  die "no /$regex/ in $file after 10 s"
}

say "a CA, and certificates for localhost (DNS:localhost, IP:127.0.0.1) and for another name"
cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=txaio tls-check CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=txaio other CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout other-ca.key -out other-ca.pem 2>/dev/null
leaf() { # NAME CN SAN CA
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
leaf server localhost "DNS:localhost,IP:127.0.0.1" ca
leaf elsewhere example.com "DNS:example.com" ca
leaf stranger localhost "DNS:localhost,IP:127.0.0.1" other-ca
openssl verify -CAfile ca.pem server.pem

# `openssl s_server -accept 0` binds a free port and prints it: `ACCEPT 0.0.0.0:PORT`.
start_s_server() { # NAME CERT
  openssl s_server -accept 127.0.0.1:0 -cert "$2.pem" -key "$2.key" -rev -naccept 1 \
    >"$1.log" 2>&1 </dev/null &
  pids+=($!)
  s_server_pid=$!
  s_server_port=$(wait_for "$1.log" '^ACCEPT ' "$s_server_pid" | sed -E 's/.*:([0-9]+)$/\1/')
}

for backend in $backends; do
  say "$backend: building tls_echo"
  (cd "$root" && cargo build --release -q -p txaio-examples --example tls_echo \
    --no-default-features --features "$backend")
  bin=$CARGO_TARGET_DIR/release/examples/tls_echo

  say "$backend: openssl s_client -> tls_echo --serve"
  "$bin" --serve 127.0.0.1:0 --cert server.pem --key server.key >"serve-$backend.log" 2>&1 &
  pids+=($!)
  server=$!
  addr=$(wait_for "serve-$backend.log" 'listening on ' "$server" | sed -E 's/.* listening on //')
  grep -q "tls_echo on $backend " "serve-$backend.log" \
    || die "the server does not run on $backend: $(head -n1 "serve-$backend.log")"
  line="hello from s_client on $backend"
  # s_client sends the line, and ends (-no_ign_eof) when its input does: that input stays
  # open until the echo is in the output file (at most 10 s).
  {
    echo "$line"
    for _ in $(seq 1 100); do grep -qF "$line" "s_client-$backend.out" 2>/dev/null && break; sleep 0.1; done
  } | timeout 20 openssl s_client -connect "$addr" -CAfile ca.pem -verify_return_error \
      -verify_hostname localhost -verify_ip 127.0.0.1 -quiet -no_ign_eof \
      >"s_client-$backend.out" 2>"s_client-$backend.log" \
    || die "s_client failed against tls_echo on $backend"
  grep -qxF "$line" "s_client-$backend.out" \
    || die "s_client read back '$(cat "s_client-$backend.out")', not '$line'"
  echo "ok: the line came back"
  kill "$server" 2>/dev/null || true

  say "$backend: tls_echo --connect localhost -> openssl s_server -rev"
  start_s_server "s_server-$backend" server
  reply=$(timeout 20 "$bin" --connect "localhost:$s_server_port" --ca ca.pem --message hello \
    --timeout 10) || die "tls_echo --connect failed on $backend"
  [[ $reply == olleh ]] || die "tls_echo printed '$reply', not 'olleh'"
  echo "ok: printed $reply"

  for case in elsewhere:"not valid for name" stranger:"UnknownIssuer"; do
    cert=${case%%:*} reason=${case#*:}
    say "$backend: tls_echo refuses a certificate ($cert: $reason)"
    start_s_server "s_server-$cert-$backend" "$cert"
    if out=$(timeout 20 "$bin" --connect "localhost:$s_server_port" --ca ca.pem --message hello \
      --timeout 10 2>&1); then
      die "tls_echo accepted the $cert certificate on $backend: $out"
    fi
    grep -qi "$reason" <<<"$out" || die "tls_echo's error does not say '$reason': $out"
    echo "ok: $out"
  done
done

echo
echo "tls-check: all checks passed on: $backends"
