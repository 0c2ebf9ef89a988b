package dev.mesh.telemetry.otlp;

import static dev.mesh.telemetry.Spans.gatewayToPodinfo;
import static dev.mesh.telemetry.Spans.without;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import dev.mesh.telemetry.OtlpClient;
import dev.mesh.telemetry.Spans;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The OTLP receiver, driven by a real grpc-java client: good spans land, bad ones are counted and named. */
@QuarkusTest
class OtlpReceiverTest {

    @Inject
    OtlpReceiver receiver;

    private static double metric(String line) {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(line) + " ([0-9.E+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void mixedBatch_keepsTheGoodSpans_andAnswersPartialSuccessNamingTheBadOnes() throws Exception {
        double missingBefore = metric("telemetry_spans_rejected_total{reason=\"missing_attribute\"}");
        Span good = gatewayToPodinfo("recv-gateway", "recv-demo", "v1", 200, 3).build();
        Span bad = without(gatewayToPodinfo("recv-gateway", "recv-demo", "v1", 200, 3), "source_workload").build();
        ExportTraceServiceResponse response;
        try (OtlpClient client = new OtlpClient(receiver.port())) {
            response = client.export(Spans.request(List.of(good, bad, good.toBuilder().build())));
        }
        assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
        assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo("1 span(s) rejected: span "
                + HexFormat.of().formatHex(bad.getSpanId().toByteArray()) + ": attribute source_workload is missing");
        assertThat(metric("telemetry_spans_rejected_total{reason=\"missing_attribute\"}"))
                .isEqualTo(missingBefore + 1);

        String traceId = HexFormat.of().formatHex(good.getTraceId().toByteArray());
        given().when().get("/api/traces/" + traceId).then().statusCode(200)
                .body("traceId", equalTo(traceId))
                .body("spans[0].destination.workload", equalTo("podinfo-v1"))
                .body("spans[0].responseCode", equalTo(200));
        given().when().get("/api/traces?service=podinfo.recv-demo.svc.cluster.local&limit=5").then().statusCode(200)
                .body("traces[0].traceId", equalTo(traceId));
        given().when().get("/api/traces?limit=1").then().statusCode(200).body("traces.size()", equalTo(1));

        assertThat(metric("istio_requests_total{connection_security_policy=\"mutual_tls\",destination_app=\"podinfo\","
                + "destination_principal=\"spiffe://cluster.local/ns/recv-demo/sa/podinfo\","
                + "destination_service=\"podinfo.recv-demo.svc.cluster.local\",destination_version=\"v1\","
                + "destination_workload=\"podinfo-v1\",destination_workload_namespace=\"recv-demo\","
                + "grpc_response_status=\"\",reporter=\"source\",request_protocol=\"http\",response_code=\"200\","
                + "response_flags=\"-\",source_app=\"istio-ingressgateway\","
                + "source_principal=\"spiffe://cluster.local/ns/recv-gateway/sa/istio-ingressgateway-service-account\","
                + "source_version=\"unknown\",source_workload=\"istio-ingressgateway\","
                + "source_workload_namespace=\"recv-gateway\"}")).isEqualTo(2);
    }

    @Test
    void garbageOnTheWire_failsThatCallOnly_andTheReceiverGoesOn() throws Exception {
        MethodDescriptor<byte[], byte[]> raw = TraceServiceGrpc.getExportMethod().toBuilder(
                new BytesMarshaller(), new BytesMarshaller()).build();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", receiver.port()).usePlaintext().build();
        try {
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT
                    .withDeadlineAfter(5, TimeUnit.SECONDS), new byte[] {(byte) 0xff, 0x01, 0x02, 0x7f}))
                    .isInstanceOf(StatusRuntimeException.class);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        try (OtlpClient client = new OtlpClient(receiver.port())) {
            ExportTraceServiceResponse response = client.export(Spans.request(
                    List.of(gatewayToPodinfo("recv-gateway", "recv-demo", "v2", 200, 3).build())));
            assertThat(response.hasPartialSuccess()).isFalse();
        }
    }

    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
