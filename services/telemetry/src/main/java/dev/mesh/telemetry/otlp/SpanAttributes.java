package dev.mesh.telemetry.otlp;

import java.util.List;

/**
 * The span attribute names the receiver reads (services/telemetry/README.md is the contract for exporters).
 * Istio's metric label names are used as attribute names where OpenTelemetry's semantic conventions have no
 * equivalent; where they have one, the convention's name comes first and Istio's name is accepted too.
 * Each attribute is looked up on the span, then on its resource (so an exporter can state its own identity once
 * per resource).
 */
public final class SpanAttributes {

    private SpanAttributes() {
    }

    public static final String SOURCE_WORKLOAD = "source_workload";
    public static final String SOURCE_WORKLOAD_NAMESPACE = "source_workload_namespace";
    public static final String SOURCE_APP = "source_app";
    public static final String SOURCE_VERSION = "source_version";
    public static final String SOURCE_PRINCIPAL = "source_principal";
    public static final String DESTINATION_WORKLOAD = "destination_workload";
    public static final String DESTINATION_WORKLOAD_NAMESPACE = "destination_workload_namespace";
    public static final String DESTINATION_APP = "destination_app";
    public static final String DESTINATION_VERSION = "destination_version";
    public static final String DESTINATION_PRINCIPAL = "destination_principal";
    public static final String DESTINATION_SERVICE = "destination_service";
    public static final String REPORTER = "reporter";
    public static final String REQUEST_PROTOCOL = "request_protocol";
    public static final String RESPONSE_FLAGS = "response_flags";
    public static final String CONNECTION_SECURITY_POLICY = "connection_security_policy";

    /** Response code: OpenTelemetry's name first, then Istio's label name. */
    public static final List<String> RESPONSE_CODE = List.of("http.response.status_code", "response_code");
    /** gRPC status: OpenTelemetry's name first, then Istio's label name. */
    public static final List<String> GRPC_STATUS = List.of("rpc.grpc.status_code", "grpc_response_status");
    /** Request body bytes: OpenTelemetry's name first, then Istio's metric name. */
    public static final List<String> REQUEST_BYTES = List.of("http.request.body.size", "request_bytes");
    /** Response body bytes: OpenTelemetry's name first, then Istio's metric name. */
    public static final List<String> RESPONSE_BYTES = List.of("http.response.body.size", "response_bytes");
    /** OpenTelemetry's RPC system; {@code grpc} makes the protocol gRPC when {@code request_protocol} is absent. */
    public static final String RPC_SYSTEM = "rpc.system";

    /** Longest string value accepted; longer ones are garbage, not names. */
    public static final int MAX_VALUE_LENGTH = 512;
}
