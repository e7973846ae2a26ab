#!/usr/bin/env bash
# Starts a one-worker nginx on two ephemeral loopback ports (HTTP and HTTPS) that answers every
# request with `200 {}` over keep-alive: the fast collector the benchmarks deliver to.
#   bash bench/start_nginx.sh DIR   -> writes DIR/{http_port,https_port,ca.pem,nginx.pid}
# Stop it with: kill "$(cat DIR/nginx.pid)"
set -euo pipefail
dir=$(mkdir -p "$1" && cd "$1" && pwd)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
https_port=$(free_port)
while [ "$https_port" = "$http_port" ]; do https_port=$(free_port); done

# A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI.
if [ ! -f "$dir/server.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=vwo bench CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/san.ext" -out "$dir/server.pem" 2>/dev/null
fi

cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_max_body_size 64m;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  ssl_certificate $dir/server.pem;
  ssl_certificate_key $dir/server.key;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:$http_port;
    listen 127.0.0.1:$https_port ssl;
    location / {
      default_type application/json;
      return 200 '{}';
    }
  }
}
CONF
nginx -c "$dir/nginx.conf" -p "$dir"
echo "$http_port" >"$dir/http_port"
echo "$https_port" >"$dir/https_port"
# Ready when both ports answer (bounded wait).
for _ in $(seq 1 100); do
  if python3 - "$http_port" "$https_port" <<'PY' 2>/dev/null; then exit 0; fi
import socket, sys
for p in sys.argv[1:]:
    socket.create_connection(("127.0.0.1", int(p)), timeout=0.2).close()
PY
  sleep 0.05
done
echo "nginx did not start; see $dir/error.log" >&2
exit 1
