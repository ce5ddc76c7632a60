"""A sluice client in Python, built only from proto/ with grpcio-tools: no sluice code.

What a user of another language does with the contract: create a topic through the controller
quorum (following NOT_CONTROLLER redirects from the Kafka-named error trailers), find partition
leaders, produce records as protobuf messages (ProduceRecords), join a KIP-848 consumer group,
consume what the group assigns (FetchRecords), commit offsets and read them back, then leave.

Usage: python sluice_grpc_client.py STUBS_DIR CONFIG_JSON
CONFIG_JSON: {"controllers": [...], "coordinators": [...], "topic": str, "group": str,
              "partitions": int, "recordsPerPartition": int}
Prints one JSON object with what it did and saw; exits non-zero with the error otherwise.
"""
import json
import sys
import time

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from sluice.v1 import broker_pb2, broker_pb2_grpc  # noqa: E402
from sluice.v1 import common_pb2  # noqa: E402
from sluice.v1 import controller_pb2, controller_pb2_grpc  # noqa: E402
from sluice.v1 import coordinator_pb2, coordinator_pb2_grpc  # noqa: E402

TIMEOUT_S = 10
DEADLINE_S = 60


def kafka_error(error):
    """The Kafka error name and detail sluice sends as trailers (sluice-error-name, sluice-*)."""
    trailers = dict(error.trailing_metadata() or ())
    return trailers.get("sluice-error-name", ""), trailers


def call_controller(controllers, method, request):
    """Calls the active controller: follows NOT_CONTROLLER to the leader it names, else the next."""
    address = controllers[0]
    tried = 0
    started = time.monotonic()
    while time.monotonic() - started < DEADLINE_S:
        with grpc.insecure_channel(address) as channel:
            stub = controller_pb2_grpc.ControllerStub(channel)
            try:
                return getattr(stub, method)(request, timeout=TIMEOUT_S), tried
            except grpc.RpcError as error:
                name, trailers = kafka_error(error)
                tried += 1
                leader = trailers.get("sluice-leader-address", "")
                if name == "NOT_CONTROLLER" and leader:
                    address = leader
                    continue
                if name not in ("NOT_CONTROLLER", "") and error.code() != grpc.StatusCode.UNAVAILABLE:
                    raise
                address = controllers[tried % len(controllers)]
                time.sleep(0.2)
    raise TimeoutError(f"no active controller answered {method}")


def leaders_of(broker_address, topic):
    with grpc.insecure_channel(broker_address) as channel:
        stub = broker_pb2_grpc.BrokerStub(channel)
        started = time.monotonic()
        while time.monotonic() - started < DEADLINE_S:
            answer = stub.Metadata(broker_pb2.MetadataRequest(topics=[topic]), timeout=TIMEOUT_S)
            brokers = {b.broker_id: f"{b.listeners[0].host}:{b.listeners[0].port}" for b in answer.brokers}
            meta = answer.topics[0]
            if meta.error_name == "" and meta.partitions and all(p.leader in brokers for p in meta.partitions):
                return {p.partition: brokers[p.leader] for p in meta.partitions}
            time.sleep(0.2)
    raise TimeoutError(f"no leaders for {topic}")


def main():
    config = json.loads(sys.argv[2])
    controllers, topic, group = config["controllers"], config["topic"], config["group"]
    count = config["recordsPerPartition"]
    out = {"language": f"python {sys.version.split()[0]}", "grpcio": grpc.__version__}

    created, redirects = call_controller(
        controllers,
        "CreateTopics",
        controller_pb2.CreateTopicsRequest(
            topics=[controller_pb2.CreatableTopic(name=topic, num_partitions=config["partitions"], replication_factor=3)]
        ),
    )
    result = created.topics[0]
    if result.error_name:
        raise RuntimeError(f"CreateTopics: {result.error_name} {result.error_message}")
    out["createdTopic"] = {"name": result.name, "topicId": result.topic_id, "controllerAttempts": redirects + 1}

    cluster, _ = call_controller(controllers, "DescribeCluster", controller_pb2.DescribeClusterRequest())
    some_broker = f"{cluster.brokers[0].listeners[0].host}:{cluster.brokers[0].listeners[0].port}"
    leaders = leaders_of(some_broker, topic)

    produced = []
    for partition, leader in sorted(leaders.items()):
        records = [
            broker_pb2.ProducerRecord(
                key=f"key-{partition}-{i}".encode(),
                value=f"value {partition}/{i} from python".encode(),
                headers=[broker_pb2.RecordHeader(key="lang", value=b"python")],
            )
            for i in range(count)
        ]
        with grpc.insecure_channel(leader) as channel:
            answer = broker_pb2_grpc.BrokerStub(channel).ProduceRecords(
                broker_pb2.ProduceRecordsRequest(
                    acks=-1,
                    timeout_ms=10_000,
                    topics=[
                        broker_pb2.ProduceRecordsTopic(
                            name=topic,
                            partitions=[broker_pb2.ProduceRecordsPartition(partition=partition, records=records)],
                        )
                    ],
                ),
                timeout=TIMEOUT_S,
            )
        part = answer.topics[0].partitions[0]
        if part.error_name:
            raise RuntimeError(f"ProduceRecords {topic}-{partition}: {part.error_name} {part.error_message}")
        produced.append({"partition": partition, "baseOffset": part.base_offset, "records": count})
    out["produced"] = produced

    # Join the consumer group (KIP-848) through its coordinator and wait for the assignment.
    with grpc.insecure_channel(config["coordinators"][0]) as channel:
        found = coordinator_pb2_grpc.CoordinatorStub(channel).FindCoordinator(
            coordinator_pb2.FindCoordinatorRequest(group_ids=[group]), timeout=TIMEOUT_S
        )
    coordinator_address = found.coordinators[0].address
    out["coordinator"] = {"nodeId": found.coordinators[0].node_id, "partition": found.coordinators[0].partition}
    channel = grpc.insecure_channel(coordinator_address)
    coordinator = coordinator_pb2_grpc.CoordinatorStub(channel)
    member_id, epoch, owned = "", 0, []
    joined = False
    started = time.monotonic()
    heartbeats = 0
    while len(owned) < len(leaders):
        if time.monotonic() - started > DEADLINE_S:
            raise TimeoutError(f"no full assignment after {heartbeats} heartbeats (owned {owned})")
        request = coordinator_pb2.ConsumerGroupHeartbeatRequest(
            group_id=group,
            member_id=member_id,
            member_epoch=epoch,
            client_id="python-grpc-example",
            owned=[common_pb2.TopicPartitions(topic=topic, partitions=owned)],
            owned_set=joined,
        )
        if not joined:
            request.rebalance_timeout_ms = 30_000
            request.subscribed_topic_names.append(topic)
            request.subscribed_topic_names_set = True
        answer = coordinator.ConsumerGroupHeartbeat(request, timeout=TIMEOUT_S)
        heartbeats += 1
        member_id, epoch, joined = answer.member_id, answer.member_epoch, True
        if answer.assignment_set:
            owned = sorted(p for tp in answer.assignment if tp.topic == topic for p in tp.partitions)
        if len(owned) < len(leaders):
            time.sleep(0.2)
    out["group"] = {"memberEpoch": epoch, "assigned": owned, "heartbeats": heartbeats}

    committed = coordinator.OffsetFetch(
        coordinator_pb2.OffsetFetchRequest(
            group_id=group, partitions=[common_pb2.TopicPartitions(topic=topic, partitions=owned)]
        ),
        timeout=TIMEOUT_S,
    )
    position = {c.partition: max(0, c.offset) for c in committed.offsets}

    consumed = []
    for partition in owned:
        with grpc.insecure_channel(leaders[partition]) as leader_channel:
            broker = broker_pb2_grpc.BrokerStub(leader_channel)
            while position.get(partition, 0) < count:
                answer = broker.FetchRecords(
                    broker_pb2.FetchRecordsRequest(
                        max_wait_ms=500,
                        max_bytes=1 << 20,
                        topics=[
                            broker_pb2.FetchRecordsTopic(
                                name=topic,
                                partitions=[
                                    broker_pb2.FetchRecordsPartition(
                                        partition=partition,
                                        fetch_offset=position.get(partition, 0),
                                        partition_max_bytes=1 << 20,
                                    )
                                ],
                            )
                        ],
                    ),
                    timeout=TIMEOUT_S,
                )
                part = answer.topics[0].partitions[0]
                if part.error_name:
                    raise RuntimeError(f"FetchRecords {topic}-{partition}: {part.error_name} {part.error_message}")
                for record in part.records:
                    consumed.append(
                        {
                            "partition": partition,
                            "offset": record.offset,
                            "key": record.key.decode() if record.HasField("key") else None,
                            "value": record.value.decode() if record.HasField("value") else None,
                            "headers": {h.key: h.value.decode() for h in record.headers},
                        }
                    )
                position[partition] = part.next_offset
    out["consumed"] = consumed

    commit = coordinator.OffsetCommit(
        coordinator_pb2.OffsetCommitRequest(
            group_id=group,
            member_id=member_id,
            member_epoch=epoch,
            topics=[
                coordinator_pb2.OffsetCommitTopic(
                    name=topic,
                    partitions=[coordinator_pb2.OffsetCommitPartition(partition=p, offset=position[p]) for p in owned],
                )
            ],
        ),
        timeout=TIMEOUT_S,
    )
    errors = [p.error_name for t in commit.topics for p in t.partitions if p.error_name]
    if errors:
        raise RuntimeError(f"OffsetCommit: {errors}")
    read_back = coordinator.OffsetFetch(
        coordinator_pb2.OffsetFetchRequest(
            group_id=group, partitions=[common_pb2.TopicPartitions(topic=topic, partitions=owned)]
        ),
        timeout=TIMEOUT_S,
    )
    out["committed"] = {c.partition: c.offset for c in read_back.offsets}
    coordinator.ConsumerGroupHeartbeat(
        coordinator_pb2.ConsumerGroupHeartbeatRequest(group_id=group, member_id=member_id, member_epoch=-1),
        timeout=TIMEOUT_S,
    )
    channel.close()
    out["left"] = True
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as error:
        name, _ = kafka_error(error)
        print(f"grpc error {error.code().name} {name}: {error.details()}", file=sys.stderr)
        sys.exit(1)
