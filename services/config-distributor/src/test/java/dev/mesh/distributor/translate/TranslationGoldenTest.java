package dev.mesh.distributor.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.mesh.api.Problem;
import dev.mesh.distributor.kube.MeshFixtures;
import dev.mesh.distributor.xds.ConfigDump;
import dev.mesh.distributor.xds.ProxyNode;
import dev.mesh.distributor.xds.ProxySnapshot;
import dev.mesh.distributor.xds.ResourceInterner;
import dev.mesh.distributor.xds.TypeUrl;
import dev.mesh.distributor.xds.XdsResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files for the translation: each folder under {@code testdata/translate/} holds the mesh's
 * objects ({@code *.yaml}; {@code includes.txt} names more files, relative to the repository root),
 * {@code proxies.txt} (one proxy a line: {@code <node id> <types> [label=value,...]}) and, per
 * proxy, the expected resources as JSON. {@code -Dupdate=true} rewrites them.
 */
class TranslationGoldenTest {

    private static final Path CASES = Path.of("src/test/resources/testdata/translate");
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
    private static final boolean UPDATE = Boolean.getBoolean("update");

    /** The same types /debug/config_dump knows: a golden file that prints, dumps. */
    static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(ConfigDump.TYPES);

    static Stream<String> cases() throws IOException {
        try (Stream<Path> list = Files.list(CASES)) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void translation_matchesGoldenFiles(String name) throws Exception {
        Path dir = CASES.resolve(name);
        List<Path> inputs = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(inputs::add);
        }
        Path includes = dir.resolve("includes.txt");
        if (Files.exists(includes)) {
            for (String line : Files.readAllLines(includes)) {
                if (!line.isBlank()) {
                    inputs.add(ROOT.resolve(line.trim()));
                }
            }
        }
        MeshFixtures.Loaded loaded = MeshFixtures.load(inputs);
        StringBuilder rejected = new StringBuilder();
        for (Problem p : loaded.rejected()) {
            rejected.append(p).append('\n');
        }
        check(dir.resolve("rejected.txt"), rejected.toString());

        MeshIndex index = new MeshIndex(loaded.snapshot(), "cluster.local", "istio-system");
        MeshTls tls = new MeshTls("cluster.local", true);
        ProxyTranslator translator = new ProxyTranslator(new ClusterTranslator(tls), tls, new ResourceInterner());
        for (String line : Files.readAllLines(dir.resolve("proxies.txt"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            ProxyNode node = node(parts[0], parts.length > 2 ? parts[2] : "");
            ProxySnapshot snapshot = translator.translate(index, node);
            List<String> types = Arrays.asList(parts[1].split(","));
            check(dir.resolve(node.podName() + ".json"), dump(snapshot, types));
        }
    }

    static ProxyNode node(String id, String labelList) {
        String[] parts = id.split("~");
        String podDotNs = parts[2];
        int dot = podDotNs.lastIndexOf('.');
        Map<String, String> labels = new LinkedHashMap<>();
        if (!labelList.isEmpty()) {
            for (String pair : labelList.split(",")) {
                String[] kv = pair.split("=", 2);
                labels.put(kv[0], kv[1]);
            }
        }
        boolean grpc = labels.remove("GENERATOR") != null;
        return new ProxyNode(id, parts[0], parts[1], podDotNs.substring(0, dot), podDotNs.substring(dot + 1), labels,
                "default", "", "Kubernetes", grpc ? "grpc" : "");
    }

    /** The snapshot's resources of the given types (CDS, EDS, LDS, RDS) as one JSON document, by type then name. */
    static String dump(ProxySnapshot snapshot, List<String> types) throws InvalidProtocolBufferException {
        StringBuilder out = new StringBuilder("{\n");
        boolean firstType = true;
        for (String type : TypeUrl.PUSH_ORDER) {
            String shortName = TypeUrl.shortName(type);
            if (!types.contains(shortName)) {
                continue;
            }
            out.append(firstType ? "" : ",\n").append("\"").append(shortName).append("\": [");
            firstType = false;
            boolean first = true;
            for (XdsResource r : snapshot.resources(type).values()) {
                out.append(first ? "\n" : ",\n").append(indent(PRINTER.print(unpack(r.body()))));
                first = false;
            }
            out.append("]");
        }
        return out.append("\n}\n").toString();
    }

    private static Message unpack(Any any) throws InvalidProtocolBufferException {
        return switch (any.getTypeUrl()) {
            case TypeUrl.CLUSTER -> any.unpack(Cluster.class);
            case TypeUrl.ENDPOINT -> any.unpack(ClusterLoadAssignment.class);
            case TypeUrl.LISTENER -> any.unpack(Listener.class);
            case TypeUrl.ROUTE -> any.unpack(RouteConfiguration.class);
            default -> throw new IllegalArgumentException(any.getTypeUrl());
        };
    }

    private static String indent(String json) {
        return "  " + json.replace("\n", "\n  ");
    }

    static void check(Path golden, String actual) throws IOException {
        if (UPDATE) {
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(golden).as("golden file %s (run with -Dupdate=true to create it)", golden).exists();
        assertThat(actual).as("translation differs from %s (-Dupdate=true rewrites it)", golden)
                .isEqualTo(Files.readString(golden));
    }
}
