package dev.mesh.telemetry.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.telemetry.OtlpClient;
import dev.mesh.telemetry.Spans;
import dev.mesh.telemetry.TelemetryMain;
import dev.mesh.telemetry.aggregate.Aggregator;
import dev.mesh.telemetry.model.RecordBatch;
import dev.mesh.telemetry.model.RequestRecord;
import dev.mesh.telemetry.otlp.OtlpReceiver;
import dev.mesh.telemetry.traces.TraceStore;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Kafka transport: this service (its receiver publishing to the topic, its aggregator consuming it) and a second
 * aggregator replica in the same consumer group share the ingest through a real KRaft broker; every record is
 * aggregated exactly once, by one of the two.
 */
@QuarkusTest
@WithTestResource(KafkaBroker.class)
class KafkaTransportTest {

    static final int BATCHES = 200;
    static final int PER_BATCH = 10;
    static final int RECORDS = BATCHES * PER_BATCH;

    @Inject
    OtlpReceiver receiver;

    @Inject
    TelemetryMain main;

    @Test
    void twoReplicasInOneGroup_aggregateEveryRecordExactlyOnce() throws Exception {
        Aggregator secondReplica = new Aggregator(Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofMinutes(10),
                1000);
        Set<String> secondReplicaSpans = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread consumerThread = new Thread(() -> consume(secondReplica, secondReplicaSpans, running), "replica-2");
        consumerThread.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.bootstrapServers()))) {
            awaitTwoMembersSharingThePartitions(admin);

            List<String> sent = new ArrayList<>();
            try (OtlpClient client = new OtlpClient(receiver.port())) {
                for (int b = 0; b < BATCHES; b++) {
                    List<Span> spans = new ArrayList<>();
                    for (int i = 0; i < PER_BATCH; i++) {
                        Span span = Spans.gatewayToPodinfo("kafka-gateway", "kafka-demo", i % 10 == 0 ? "v2" : "v1",
                                200, 2).build();
                        spans.add(span);
                        sent.add(java.util.HexFormat.of().formatHex(span.getSpanId().toByteArray()));
                    }
                    ExportTraceServiceResponse response = client.export(Spans.request(spans));
                    assertThat(response.hasPartialSuccess()).isFalse();
                }
            }

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (main.aggregator().aggregated() + secondReplica.aggregated() < RECORDS
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // give a duplicate, if there were one, the time to show up
            Thread.sleep(500);
            long first = main.aggregator().aggregated();
            long second = secondReplica.aggregated();
            assertThat(first + second).as("records aggregated by the two replicas").isEqualTo(RECORDS);
            assertThat(first).as("this replica's share").isPositive();
            assertThat(second).as("the second replica's share").isPositive();

            Set<String> firstSpans = new HashSet<>();
            for (TraceStore.Trace trace : main.traces().recent(null, RECORDS * 2)) {
                trace.spans().forEach(s -> firstSpans.add(s.spanId()));
            }
            assertThat(firstSpans).hasSize((int) first);
            assertThat(secondReplicaSpans).hasSize((int) second).doesNotContainAnyElementsOf(firstSpans);
            Set<String> all = new HashSet<>(firstSpans);
            all.addAll(secondReplicaSpans);
            assertThat(all).containsExactlyInAnyOrderElementsOf(sent);
        } finally {
            running.set(false);
            consumerThread.join(10_000);
        }
    }

    private static void awaitTwoMembersSharingThePartitions(Admin admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("mesh-telemetry")).all()
                    .get(10, TimeUnit.SECONDS).get("mesh-telemetry");
            List<MemberDescription> members = new ArrayList<>(group.members());
            int assigned = members.stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum();
            if (members.size() == 2 && assigned == KafkaBroker.PARTITIONS
                    && members.stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the two replicas did not share the topic's partitions within 30 s");
    }

    /** The second replica: the same deserializer and aggregator a second telemetry instance runs. */
    private static void consume(Aggregator aggregator, Set<String> spans, AtomicBoolean running) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "mesh-telemetry",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, "replica-2");
        try (KafkaConsumer<String, RecordBatch> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new RecordBatchDeserializer())) {
            consumer.subscribe(List.of(KafkaBroker.TOPIC));
            while (running.get()) {
                for (ConsumerRecord<String, RecordBatch> record : consumer.poll(Duration.ofMillis(100))) {
                    List<RequestRecord> records = record.value().records();
                    aggregator.add(records);
                    records.forEach(r -> spans.add(r.spanId()));
                }
            }
        }
    }
}
