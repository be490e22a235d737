#!/usr/bin/env bash
# Starts a three-node NATS JetStream cluster on 127.0.0.1 from node.conf.template: clients
# on ports 4231, 4232, 4233, routes on 6231, 6232, 6233, stores and logs under $1 (default
# ./nats-cluster-data). Connect with --nats nats://127.0.0.1:4231,nats://127.0.0.1:4232,nats://127.0.0.1:4233
# Stop with: kill $(cat <dir>/*.pid)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="$(realpath -m "${1:-./nats-cluster-data}")"
nats_server="${NATS_SERVER:-/usr/sbin/nats-server}"
mkdir -p "$data"
for n in 1 2 3; do
    sed -e "s|{{NAME}}|newsroom-$n|" \
        -e "s|{{CLIENT_PORT}}|423$n|" \
        -e "s|{{CLUSTER_PORT}}|623$n|" \
        -e "s|{{STORE_DIR}}|$data/node-$n|" \
        -e "s|{{ROUTE_1}}|6231|" -e "s|{{ROUTE_2}}|6232|" -e "s|{{ROUTE_3}}|6233|" \
        "$here/node.conf.template" >"$data/node-$n.conf"
    "$nats_server" -c "$data/node-$n.conf" -l "$data/node-$n.log" &
    echo $! >"$data/node-$n.pid"
done
echo "cluster newsroom: nats://127.0.0.1:4231,nats://127.0.0.1:4232,nats://127.0.0.1:4233" >&2
