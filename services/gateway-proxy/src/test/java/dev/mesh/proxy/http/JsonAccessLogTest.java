package dev.mesh.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonAccessLogTest {

    static RequestRecord record(String path, int status, String flags) {
        return new RequestRecord(1_764_158_400_123L, "GET", path, "HTTP/1.1", status, flags, 0, 12, 3, 2,
                "10.0.0.9", "curl/8.5 \"quoted\"", "0f3c", "podinfo.example.com", "10.244.1.5:9898",
                "outbound|80|v1|podinfo.demo.svc.cluster.local", "default", "10.0.0.9:51000", "source",
                RequestRecord.Workload.UNKNOWN, RequestRecord.Workload.UNKNOWN, null, null, "http", "unknown",
                TraceContext.fromHeaders(h -> null), 3_000_000);
    }

    @Test
    void line_hasEnvoysKeysAndEscapes() {
        JsonObject line = new JsonObject(JsonAccessLog.format(record("/a\nb", 200, "-")));
        assertThat(line.getString("start_time")).isEqualTo("2025-11-26T12:00:00.123Z");
        assertThat(line.getString("method")).isEqualTo("GET");
        assertThat(line.getString("path")).isEqualTo("/a\nb");
        assertThat(line.getInteger("response_code")).isEqualTo(200);
        assertThat(line.getString("response_flags")).isEqualTo("-");
        assertThat(line.getLong("bytes_sent")).isEqualTo(12);
        assertThat(line.getLong("duration")).isEqualTo(3);
        assertThat(line.getLong("upstream_service_time")).isEqualTo(2);
        assertThat(line.getString("user_agent")).isEqualTo("curl/8.5 \"quoted\"");
        assertThat(line.getString("upstream_cluster")).isEqualTo("outbound|80|v1|podinfo.demo.svc.cluster.local");
        assertThat(line.fieldNames()).contains("protocol", "bytes_received", "x_forwarded_for", "request_id", "authority",
                "upstream_host");
    }

    @Test
    void noUpstream_isNull() {
        RequestRecord r = new RequestRecord(0, "GET", "/", "HTTP/2", 404, "NR", 0, 0, 0, -1, null, null, null, "x", null,
                null, null, null, "source", RequestRecord.Workload.UNKNOWN, RequestRecord.Workload.UNKNOWN, null, null,
                "http", "unknown", TraceContext.fromHeaders(h -> null), 0);
        JsonObject line = new JsonObject(JsonAccessLog.format(r));
        assertThat(line.containsKey("upstream_service_time")).isTrue();
        assertThat(line.getValue("upstream_service_time")).isNull();
        assertThat(line.getValue("upstream_host")).isNull();
    }

    @Test
    void writer_writesOneLinePerRequest() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonAccessLog log = new JsonAccessLog(out, 16);
        for (int i = 0; i < 10; i++) {
            log.onRequest(record("/" + i, 200, "-"));
        }
        log.close();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(10);
        assertThat(new JsonObject(lines[9]).getString("path")).isEqualTo("/9");
        assertThat(log.dropped()).isZero();
    }
}
