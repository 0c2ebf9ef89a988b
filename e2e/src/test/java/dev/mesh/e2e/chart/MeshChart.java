package dev.mesh.e2e.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The chart under deploy/charts/mesh, rendered by real Helm (helm-java) and read back as typed objects. */
final class MeshChart {

    static final String NAMESPACE = "istio-system";
    /** The five services, as named in the chart; gateway-proxy runs as the ingress gateway. */
    static final List<String> SERVICES = List.of("config-distributor", "citadel-ca", "injector-webhook", "telemetry",
            "istio-ingressgateway");

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private MeshChart() {
    }

    /** The repository's root, as Maven passes it (or the working directory's parent when run by hand). */
    static Path root() {
        String root = System.getProperty("mesh.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    static Path dir() {
        return root().resolve("deploy/charts/mesh");
    }

    static Helm helm() {
        return new Helm(dir());
    }

    /** {@code helm template mesh <chart> -n <namespace> --set k=v...}, as text. */
    static String template(String namespace, Map<String, String> sets) {
        TemplateCommand command = helm().template().withName("mesh").withNamespace(namespace);
        for (Map.Entry<String, String> set : sets.entrySet()) {
            command = command.set(set.getKey(), set.getValue());
        }
        return command.call();
    }

    /** Renders with the given --set pairs (key, value, key, value, ...) into the mesh namespace. */
    static Rendered render(String... sets) {
        return renderIn(NAMESPACE, sets);
    }

    static Rendered renderIn(String namespace, String... sets) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < sets.length; i += 2) {
            map.put(sets[i], sets[i + 1]);
        }
        return Rendered.parse(template(namespace, map));
    }

    /** Splits a multi-document YAML stream into its non-empty documents. */
    static List<String> documents(String yaml) {
        List<String> documents = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            if (document.lines().anyMatch(l -> !l.isBlank() && !l.stripLeading().startsWith("#"))) {
                documents.add(document.strip() + "\n");
            }
        }
        return documents;
    }

    /** One rendering: each document's text and the typed object fabric8 made of it. */
    record Rendered(List<String> texts, List<HasMetadata> objects) {

        static Rendered parse(String yaml) {
            List<String> texts = documents(yaml);
            List<HasMetadata> objects = new ArrayList<>();
            for (String text : texts) {
                Object o = Serialization.unmarshal(text);
                if (!(o instanceof HasMetadata object) || o instanceof GenericKubernetesResource) {
                    throw new AssertionError("not a Kubernetes kind fabric8 knows (" + (o == null ? "null"
                            : o.getClass().getSimpleName()) + "):\n" + text);
                }
                List<String> unknown = new ArrayList<>();
                unknownFields(object, object.getKind(), unknown);
                if (!unknown.isEmpty()) {
                    throw new AssertionError("fields the Kubernetes API does not define: " + unknown + "\n" + text);
                }
                objects.add(object);
            }
            return new Rendered(List.copyOf(texts), List.copyOf(objects));
        }

        /**
         * Collects the fields fabric8 kept aside as unknown ({@code additionalProperties}) anywhere in a typed object:
         * a misspelt or misplaced key in a template lands there instead of failing to parse.
         */
        private static void unknownFields(Object value, String path, List<String> out) {
            if (value instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    unknownFields(list.get(i), path + "[" + i + "]", out);
                }
                return;
            }
            if (value instanceof Map<?, ?> map) {
                map.forEach((k, v) -> unknownFields(v, path + "." + k, out));
                return;
            }
            if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
                return;
            }
            for (Method getter : value.getClass().getMethods()) {
                if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                        || getter.getDeclaringClass() == Object.class) {
                    continue;
                }
                Object field;
                try {
                    field = getter.invoke(value);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError("cannot read " + path + "." + getter.getName(), e);
                }
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        out.add(path + " " + extra.keySet());
                    }
                } else {
                    unknownFields(field, path + "." + Character.toLowerCase(getter.getName().charAt(3))
                            + getter.getName().substring(4), out);
                }
            }
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
            return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
        }

        <T extends HasMetadata> T get(Class<T> type, String name) {
            return find(type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name
                    + " rendered; rendered: " + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName())
                    .toList()));
        }
    }
}
