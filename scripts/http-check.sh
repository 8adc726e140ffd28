#!/usr/bin/env bash
# txaio-hyper's examples against clients and servers nobody here wrote, on every backend:
# curl against http_server (HTTP/1.1 keep-alive, --http2-prior-knowledge, a 1 MiB POST echoed
# back intact), and http_client against Python's http.server and against `openssl s_server
# -www` over https with a CA made here. Loopback only; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v curl >/dev/null && command -v openssl >/dev/null \
  || { apt-get update -qq && apt-get install -y -qq curl openssl >/dev/null; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A CA and a certificate for localhost signed by it.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=txaio http-check CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$work/ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -CAcreateserial -days 2 -extfile "$work/ext" -out "$work/server.pem" 2>/dev/null
head -c 1048576 /dev/urandom > "$work/body.bin"

# Waits (bounded) until `file` has a line matching `pattern`; prints that line.
wait_for_line() {
  local file=$1 pattern=$2
  for _ in $(seq 1 200); do
    if line=$(grep -m1 -E "$pattern" "$file" 2>/dev/null); then
      printf '%s\n' "$line"
      return 0
    fi
    sleep 0.05
  done
  echo "timed out waiting for '$pattern' in $file:"; cat "$file"; return 1
}

# A free loopback port (bound and released by Python; the race with other programs is
# accepted: CI runs nothing else).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Each backend alone, then all three compiled in one binary with TXAIO_RUNTIME picking smol.
for run in tokio smol async-std all; do
  if [[ $run == all ]]; then
    features=tokio,smol,async-std backend=smol
    export TXAIO_RUNTIME=smol
  else
    features=$run backend=$run
  fi
  echo "--- $run"
  cargo build -q -p txaio-hyper --examples --no-default-features --features "$features"
  server=target/debug/examples/http_server
  client=target/debug/examples/http_client

  "$server" --serve 127.0.0.1:0 > "$work/server.out" 2>&1 &
  pids+=($!)
  url=$(wait_for_line "$work/server.out" '^serving on ' | sed -E 's/^serving on ([^ ]+).*/\1/')

  # HTTP/1.1, two requests on one kept-alive connection.
  curl -sS -v --max-time 10 "$url/" "$url/" > "$work/get.out" 2> "$work/get.err"
  [[ $(grep -c "hello from txaio on $backend" "$work/get.out") == 2 ]] \
    || { cat "$work/get.out" "$work/get.err"; echo "GET / on $backend"; exit 1; }
  grep -qiE 're-?using (existing|connection)' "$work/get.err" \
    || { cat "$work/get.err"; echo "no keep-alive on $backend"; exit 1; }
  # HTTP/2 with prior knowledge.
  curl -sS --max-time 10 --http2-prior-knowledge -o "$work/h2.out" -w '%{http_version}\n' "$url/" > "$work/h2.version"
  [[ $(cat "$work/h2.version") == 2 ]] && grep -q "hello from txaio on $backend" "$work/h2.out" \
    || { cat "$work/h2.version" "$work/h2.out"; echo "HTTP/2 on $backend"; exit 1; }
  # 1 MiB POST, echoed back intact.
  curl -sS --max-time 20 --data-binary @"$work/body.bin" -o "$work/echo.bin" "$url/echo"
  cmp -s "$work/body.bin" "$work/echo.bin" || { echo "the 1 MiB echo differs on $backend"; exit 1; }
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

  # http_client against Python's http.server.
  port=$(free_port)
  (cd "$work" && exec python3 -m http.server --bind 127.0.0.1 "$port") > "$work/py.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  timeout 20 "$client" "http://localhost:$port/body.bin" > "$work/client.out"
  grep -q '200 OK' "$work/client.out" && grep -q '^1048576 bytes' "$work/client.out" \
    || { cat "$work/client.out"; echo "http_client vs http.server on $backend"; exit 1; }
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

  # http_client over https against openssl s_server -www.
  port=$(free_port)
  openssl s_server -accept "127.0.0.1:$port" -cert "$work/server.pem" -key "$work/server.key" \
    -www -quiet > "$work/s_server.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  timeout 20 "$client" "https://localhost:$port/" --ca "$work/ca.pem" > "$work/tls.out"
  grep -q '200 ok\|200 OK' "$work/tls.out" || { cat "$work/tls.out"; echo "https on $backend"; exit 1; }
  # And refused when the CA is not the one that signed.
  if timeout 20 "$client" "https://localhost:$port/" --ca "$work/server.pem" > "$work/bad.out" 2>&1; then
    cat "$work/bad.out"; echo "an untrusted certificate was accepted on $backend"; exit 1
  fi
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  echo "ok: curl (HTTP/1.1 keep-alive, HTTP/2, 1 MiB echo), http.server, openssl s_server"
done
