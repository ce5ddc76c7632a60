#!/bin/sh
# A sluice pod's init step: write this pod's server.properties (the role's shared file from the
# chart's ConfigMap, plus what only this pod knows: node.id from its StatefulSet ordinal, its IP to
# bind, its DNS name to advertise), then format its data directory for the cluster id. The format
# is idempotent (`--ignore-formatted`): a restart finds its own meta.properties and goes on, while a
# volume formatted for another node.id or cluster makes this step fail, so the pod never starts on
# somebody else's data.
#
# Environment (the chart sets all of it; the downward API gives the POD_* values):
#   POD_NAME POD_NAMESPACE POD_IP    who and where this pod is
#   SLUICE_ROLE                       controller | broker | coordinator | tiering
#   SLUICE_NODE_ID_OFFSET             node.id = ordinal + this
#   SLUICE_PORT SLUICE_METRICS_PORT   the gRPC listener's port and /metrics' port
#   SLUICE_LISTENER_NAME              optional: the listener's name (default CONTROLLER for controllers,
#                                     else PLAINTEXT; the chart names a TLS listener SSL or SASL_SSL)
#   SLUICE_HEADLESS_SERVICE SLUICE_CLUSTER_DOMAIN   for the advertised DNS name
#   SLUICE_ROLE_CONFIG SLUICE_POD_CONFIG            input and output .properties files
#   SLUICE_CLUSTER_ID                 controller and broker: the cluster id to format with
#   SLUICE_PAIRED_BROKER_PREFIX SLUICE_PAIRED_BROKER_SUFFIX   coordinator: broker-<ordinal> around its ordinal
set -eu
: "${POD_NAME:?}" "${POD_NAMESPACE:?}" "${POD_IP:?}" "${SLUICE_ROLE:?}" "${SLUICE_NODE_ID_OFFSET:?}"
: "${SLUICE_PORT:?}" "${SLUICE_METRICS_PORT:?}" "${SLUICE_HEADLESS_SERVICE:?}" "${SLUICE_CLUSTER_DOMAIN:?}"
: "${SLUICE_ROLE_CONFIG:?}" "${SLUICE_POD_CONFIG:?}"

ordinal=${POD_NAME##*-}
case "$ordinal" in
  '' | *[!0-9]*)
    echo "prepare-pod: pod name $POD_NAME does not end in a StatefulSet ordinal" >&2
    exit 1
    ;;
esac
node_id=$((ordinal + SLUICE_NODE_ID_OFFSET))
host="$POD_NAME.$SLUICE_HEADLESS_SERVICE.$POD_NAMESPACE.svc.$SLUICE_CLUSTER_DOMAIN"
case "$SLUICE_ROLE" in
  controller) listener=CONTROLLER ;;
  broker | coordinator | tiering) listener=PLAINTEXT ;;
  *)
    echo "prepare-pod: unknown SLUICE_ROLE $SLUICE_ROLE (controller, broker, coordinator or tiering)" >&2
    exit 1
    ;;
esac
listener=${SLUICE_LISTENER_NAME:-$listener}
case "$listener" in
  '' | *[!A-Z0-9_]*)
    echo "prepare-pod: SLUICE_LISTENER_NAME $listener is not a listener name (A-Z, 0-9, _)" >&2
    exit 1
    ;;
esac

# Written next to the target and renamed, so a crash mid-write never leaves half a config.
tmp="$SLUICE_POD_CONFIG.tmp"
{
  cat "$SLUICE_ROLE_CONFIG"
  echo "node.id=$node_id"
  echo "listeners=$listener://$POD_IP:$SLUICE_PORT"
  if [ "$SLUICE_ROLE" != controller ]; then echo "advertised.listeners=$listener://$host:$SLUICE_PORT"; fi
  echo "metrics.host=$POD_IP"
  echo "metrics.port=$SLUICE_METRICS_PORT"
  if [ "$SLUICE_ROLE" = coordinator ]; then
    : "${SLUICE_PAIRED_BROKER_PREFIX:?}" "${SLUICE_PAIRED_BROKER_SUFFIX:?}"
    echo "coordinator.broker=$SLUICE_PAIRED_BROKER_PREFIX$ordinal$SLUICE_PAIRED_BROKER_SUFFIX"
  fi
} >"$tmp"
mv "$tmp" "$SLUICE_POD_CONFIG"
echo "prepare-pod: $POD_NAME is node.id $node_id, advertised as $host:$SLUICE_PORT"

# Coordinators keep no data (their state is in __consumer_offsets and __share_group_state), nor
# does the tiering service (its metadata is __remote_log_metadata).
if [ "$SLUICE_ROLE" = controller ] || [ "$SLUICE_ROLE" = broker ]; then
  : "${SLUICE_CLUSTER_ID:?}"
  exec sh "$(dirname -- "$0")/sluice.sh" storage format --cluster-id "$SLUICE_CLUSTER_ID" \
    --config "$SLUICE_POD_CONFIG" --ignore-formatted
fi
