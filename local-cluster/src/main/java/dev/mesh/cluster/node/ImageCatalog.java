package dev.mesh.cluster.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Maps container images to what runs them on this machine, since there is no container runtime: the mesh's own
 * images ({@code <any registry>/gateway-proxy:<tag>}, and the other services by their module names) to the packaged
 * Quarkus apps under {@code services/<name>/target/quarkus-app}, {@code ghcr.io/stefanprodan/podinfo:<tag>} to the
 * podinfo-app jar with the tag as its version, and the proxy image run as {@code istio-iptables ...} (istio-init)
 * to the capture rules, which the node installs itself.
 */
public final class ImageCatalog {

    /** The mesh's services that have an image, by module name under {@code services/}. */
    static final Set<String> SERVICES = Set.of("gateway-proxy", "config-distributor", "citadel-ca",
            "injector-webhook", "telemetry");
    static final String PROXY = "gateway-proxy";

    /** How an image runs. */
    public sealed interface Runnable {
        /** {@code java -jar <jar> <args>}; {@code appDir} is copied to a world-readable place first. */
        record Java(String image, Path appDir, String jarName, List<String> args, String maxHeap) implements Runnable {
        }

        /** istio-init: install these capture rules in the pod's network namespace, as the image's iptables mode would. */
        record Capture(String image, CaptureRules rules) implements Runnable {
        }
    }

    /** An image name the node has nothing for. */
    public static final class UnknownImageException extends RuntimeException {
        UnknownImageException(String message) {
            super(message);
        }
    }

    private final Path meshRoot;

    /** @param meshRoot the repository's root, where the packaged modules are */
    public ImageCatalog(Path meshRoot) {
        this.meshRoot = meshRoot;
    }

    /** The repository name of an image reference: {@code ghcr.io/stefanprodan/podinfo:6.7.1} → {@code podinfo}. */
    static String name(String image) {
        String withoutDigest = image.split("@", 2)[0];
        String last = withoutDigest.substring(withoutDigest.lastIndexOf('/') + 1);
        int colon = last.indexOf(':');
        return colon < 0 ? last : last.substring(0, colon);
    }

    /** The tag of an image reference, {@code latest} when it has none. */
    static String tag(String image) {
        String withoutDigest = image.split("@", 2)[0];
        String last = withoutDigest.substring(withoutDigest.lastIndexOf('/') + 1);
        int colon = last.indexOf(':');
        return colon < 0 ? "latest" : last.substring(colon + 1);
    }

    /**
     * What runs {@code image} with the container's {@code command} and {@code args} (already expanded).
     *
     * @throws UnknownImageException when the image is not one the node knows, or its build is missing
     * @throws IllegalArgumentException when istio-init's arguments are not valid
     */
    public Runnable resolve(String image, List<String> command, List<String> args) {
        String name = name(image);
        List<String> all = new ArrayList<>(command);
        all.addAll(args);
        if (name.equals("podinfo")) {
            Path jar = podinfoJar();
            List<String> programArgs = new ArrayList<>();
            programArgs.add("--version=" + tag(image));
            // podinfo's image runs ./podinfo with flags; the flags are the app's, the binary is this jar.
            all.stream().filter(a -> a.startsWith("--")).forEach(programArgs::add);
            return new Runnable.Java(image, jar.getParent(), jar.getFileName().toString(), programArgs, "32m");
        }
        if (SERVICES.contains(name)) {
            if (name.equals(PROXY) && !all.isEmpty() && all.get(0).equals("istio-iptables")) {
                return new Runnable.Capture(image, CaptureRules.parse(all));
            }
            Path app = meshRoot.resolve("services").resolve(name).resolve("target/quarkus-app");
            if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
                throw new UnknownImageException("image " + image + " runs " + app.resolve("quarkus-run.jar")
                        + ", which is not built: run ./mvnw -pl services/" + name + " package");
            }
            return new Runnable.Java(image, app, "quarkus-run.jar", all, "128m");
        }
        throw new UnknownImageException("image " + image + " has no local runnable on this node (known: "
                + "ghcr.io/stefanprodan/podinfo:<tag> and <registry>/{" + String.join(",", SERVICES.stream()
                .sorted().toList()) + "}:<tag>)");
    }

    /**
     * What the gateway-proxy image's entrypoint would add to a container's environment: the injected istio-proxy
     * container speaks Istio's contract ({@code args: [proxy, sidecar, ...]}, {@code XDS_ADDR}), the jar reads
     * {@code MESH_PROXY_MODE} and {@code MESH_PROXY_DISCOVERY_ADDRESS}; the mode and address are translated unless
     * the container sets the jar's own variables, and the last-good config goes to the istio-data volume when
     * mounted. Empty for other images.
     */
    static java.util.Map<String, String> entrypointEnvironment(String image, List<String> args,
            java.util.Map<String, String> env, List<String> mountPaths) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (!name(image).equals(PROXY)) {
            return out;
        }
        if (args.size() >= 2 && args.get(0).equals("proxy") && !env.containsKey("MESH_PROXY_MODE")) {
            out.put("MESH_PROXY_MODE", args.get(1));
        }
        if (env.containsKey("XDS_ADDR") && !env.containsKey("MESH_PROXY_DISCOVERY_ADDRESS")) {
            out.put("MESH_PROXY_DISCOVERY_ADDRESS", env.get("XDS_ADDR"));
        }
        if (mountPaths.contains("/var/lib/istio/data") && !env.containsKey("MESH_PROXY_SAVED_CONFIG_PATH")) {
            out.put("MESH_PROXY_SAVED_CONFIG_PATH", "/var/lib/istio/data/last-acked-config.pb");
        }
        return out;
    }

    private Path podinfoJar() {
        Path target = meshRoot.resolve("samples/podinfo-app/target");
        try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            return files.filter(f -> f.getFileName().toString().matches("podinfo-app-.*\\.jar")
                            && !f.getFileName().toString().endsWith("-sources.jar")
                            && !f.getFileName().toString().endsWith("-tests.jar"))
                    .findFirst().orElseThrow(() -> new UnknownImageException("the podinfo image runs the"
                            + " podinfo-app jar, which is not built in " + target
                            + ": run ./mvnw -pl samples/podinfo-app package"));
        } catch (IOException e) {
            throw new UnknownImageException("cannot list " + target + ": " + e.getMessage());
        }
    }
}
