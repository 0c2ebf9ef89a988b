package dev.mesh.cli;

import dev.mesh.cli.proxy.ConfigDumpSource;
import dev.mesh.cli.proxy.ConfigWriter;
import dev.mesh.cli.proxy.Documents;
import dev.mesh.cli.proxy.ProxySourceOptions;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshctl proxy-config}: a proxy's Envoy configuration with istioctl's tables. It is read from the
 * config-distributor replica the proxy is connected to (what the control plane sends it), or with
 * {@code --proxy-admin} from the proxy's own admin endpoint (what it applied).
 */
@Command(name = "proxy-config", aliases = "pc", mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = "Retrieve information about a proxy's configuration: what the config-distributor sends it"
                + " (default) or, with --proxy-admin, what it applied.",
        subcommands = {ProxyConfigCommand.Clusters.class, ProxyConfigCommand.Listeners.class,
                ProxyConfigCommand.Routes.class, ProxyConfigCommand.Endpoints.class, ProxyConfigCommand.Secrets.class,
                ProxyConfigCommand.Bootstrap.class, ProxyConfigCommand.All.class},
        footer = {"", "Examples:",
                "  meshctl proxy-config cluster podinfo-v1-d57b7c9fd-7swjb.demo",
                "  meshctl proxy-config routes istio-ingressgateway-584467857d-h8gtc.istio-system",
                "  kubectl -n demo port-forward podinfo-v1-d57b7c9fd-7swjb 15000 &",
                "  meshctl proxy-config listeners podinfo-v1-d57b7c9fd-7swjb.demo --proxy-admin localhost:15000"})
public class ProxyConfigCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    enum Format { SHORT, JSON, YAML }

    /** What every subcommand shares: the proxy, the source flags and the output format. */
    abstract static class Base implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POD[.NAMESPACE]",
                description = "The proxy's pod, as <pod>.<namespace> (or <pod> with -n).")
        String pod;

        @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
                description = "The pod's namespace when POD has none (default: default).")
        String namespace;

        @Mixin
        ProxySourceOptions source;

        @Option(names = {"-o", "--output"}, defaultValue = "short", converter = FormatConverter.class,
                description = "Output format: short, json or yaml (default: ${DEFAULT-VALUE}).")
        Format output;

        /** The clock that decides whether a certificate is valid now. */
        Clock clock = Clock.systemUTC();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String proxyId = pod.contains(".") ? pod : pod + "." + (namespace == null ? "default" : namespace);
            try {
                source.validate();
                ConfigDumpSource.Fetched fetched = source.fetch(proxyId);
                err.println("config of " + proxyId + " from " + fetched.source());
                err.flush();
                String text = print(new ConfigWriter(fetched.dump(), clock), fetched);
                out.print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
                out.flush();
                return ExitCodes.OK;
            } catch (IllegalArgumentException | IllegalStateException | IOException e) {
                return fail(e.getMessage());
            } catch (KubernetesClientException e) {
                return fail("cannot read the cluster: " + dev.mesh.cli.kube.KubeErrors.describe(e));
            }
        }

        private int fail(String message) {
            spec.commandLine().getErr().println("Error: " + message);
            spec.commandLine().getErr().flush();
            return ExitCodes.UNKNOWN_ERROR;
        }

        abstract String print(ConfigWriter writer, ConfigDumpSource.Fetched fetched);

        String document(Object value) {
            return output == Format.YAML ? Documents.yaml(value) : Documents.json(value);
        }
    }

    @Command(name = "cluster", aliases = {"clusters", "c"}, mixinStandardHelpOptions = true,
            description = "The proxy's clusters (CDS): service FQDN, port, subset, direction, type and the"
                    + " DestinationRule that shaped it.",
            footer = {"", "Examples:",
                    "  meshctl proxy-config cluster podinfo-v1-d57b7c9fd-7swjb.demo",
                    "  meshctl proxy-config cluster podinfo-v1-d57b7c9fd-7swjb.demo --fqdn podinfo.demo.svc.cluster.local --subset v1",
                    "  meshctl proxy-config cluster podinfo-v1-d57b7c9fd-7swjb.demo --direction inbound -o json"})
    static class Clusters extends Base {
        @Option(names = "--fqdn", description = "Only clusters whose name contains this FQDN.")
        String fqdn;

        @Option(names = "--port", defaultValue = "0", description = "Only clusters of this port.")
        int port;

        @Option(names = "--subset", description = "Only clusters of this subset.")
        String subset;

        @Option(names = "--direction", description = "Only inbound or outbound clusters.")
        String direction;

        @Override
        String print(ConfigWriter writer, ConfigDumpSource.Fetched fetched) {
            var filter = new ConfigWriter.ClusterFilter(fqdn, port, subset, direction);
            return output == Format.SHORT ? writer.clusterSummary(filter) : document(writer.clusters(filter));
        }
    }

    @Command(name = "listeners", aliases = {"listener", "l"}, mixinStandardHelpOptions = true,
            description = "The proxy's listeners (LDS): address, port, each filter chain's match and destination.",
            footer = {"", "Examples:",
                    "  meshctl proxy-config listeners podinfo-v1-d57b7c9fd-7swjb.demo",
                    "  meshctl proxy-config listeners podinfo-v1-d57b7c9fd-7swjb.demo --port 15006 --type HTTP",
                    "  meshctl proxy-config listeners podinfo-v1-d57b7c9fd-7swjb.demo --address 0.0.0.0 -o yaml"})
    static class Listeners extends Base {
        @Option(names = "--address", description = "Only listeners on this address.")
        String address;

        @Option(names = "--port", defaultValue = "0", description = "Only listeners on this port.")
        int port;

        @Option(names = "--type", description = "Only listeners of this type: HTTP, TCP, HTTP+TCP or UNKNOWN.")
        String type;

        @Override
        String print(ConfigWriter writer, ConfigDumpSource.Fetched fetched) {
            var filter = new ConfigWriter.ListenerFilter(address, port, type);
            return output == Format.SHORT ? writer.listenerSummary(filter) : document(writer.listeners(filter));
        }
    }

    @Command(name = "routes", aliases = {"route", "r"}, mixinStandardHelpOptions = true,
            description = "The proxy's HTTP routes (RDS): each route's virtual host, domains, match and the"
                    + " VirtualService it came from.",
            footer = {"", "Examples:",
                    "  meshctl proxy-config routes podinfo-v1-d57b7c9fd-7swjb.demo",
                    "  meshctl proxy-config routes istio-ingressgateway-584467857d-h8gtc.istio-system --name http.8080",
                    "  meshctl proxy-config routes podinfo-v1-d57b7c9fd-7swjb.demo --name 80 -o json"})
    static class Routes extends Base {
        @Option(names = "--name", description = "Only the route configuration of this name (e.g. 80).")
        String name;

        @Override
        String print(ConfigWriter writer, ConfigDumpSource.Fetched fetched) {
            return output == Format.SHORT ? writer.routeSummary(name) : document(writer.routes(name));
        }
    }

    @Command(name = "endpoints", aliases = {"endpoint", "ep"}, mixinStandardHelpOptions = true,
            description = "The proxy's endpoints (EDS): each address, its health status, locality and cluster.",
            footer = {"", "Examples:",
                    "  meshctl proxy-config endpoints podinfo-v1-d57b7c9fd-7swjb.demo",
                    "  meshctl proxy-config endpoints podinfo-v1-d57b7c9fd-7swjb.demo --cluster \"outbound|80|v2|podinfo.demo.svc.cluster.local\"",
                    "  meshctl proxy-config endpoints podinfo-v1-d57b7c9fd-7swjb.demo --port 9898 --status healthy"})
    static class Endpoints extends Base {
        @Option(names = "--address", description = "Only endpoints with this IP address.")
        String address;

        @Option(names = "--port", defaultValue = "0", description = "Only endpoints on this port.")
        int port;

        @Option(names = "--cluster", description = "Only endpoints of this cluster.")
        String cluster;

        @Option(names = "--status", description = "Only endpoints with this health status (e.g. HEALTHY).")
        String status;

        @Override
        String print(ConfigWriter writer, ConfigDumpSource.Fetched fetched) {
            var filter = new ConfigWriter.EndpointFilter(address, port, cluster, status);
            return output == Format.SHORT ? writer.endpointSummary(filter) : document(writer.endpoints(filter));
        }
    }

    @Command(name = "secret", aliases = {"secrets", "s"}, mixinStandardHelpOptions = true,
            description = "The proxy's certificates (SDS): name, type, status, validity, serial number and dates."
                    + " Only the proxy holds them, so this needs --proxy-admin.",
            footer = {"", "Examples:",
                    "  kubectl -n demo port-forward podinfo-v1-d57b7c9fd-7swjb 15000 &",
                    "  meshctl proxy-config secret podinfo-v1-d57b7c9fd-7swjb.demo --proxy-admin localhost:15000"})
    static class Secrets extends Base {
        @Override
        String print(ConfigWriter writer, ConfigDumpSource.Fetched fetched) {
            if (!fetched.dump().has("SecretsConfigDump")) {
                throw new IllegalStateException("no secrets in the config dump of " + fetched.source() + ": "
                        + (source.proxyAdmin() == null
                                ? "the config-distributor never holds a proxy's certificates (the private key never"
                                        + " leaves the proxy); pass --proxy-admin HOST:PORT to read the proxy's own"
                                : "this proxy's admin does not report its certificates (no SecretsConfigDump)"));
            }
            return output == Format.SHORT ? writer.secretSummary()
                    : document(fetched.dump().section("SecretsConfigDump").orElseThrow());
        }
    }

    @Command(name = "bootstrap", aliases = {"b"}, mixinStandardHelpOptions = true,
            description = "The proxy's bootstrap: the node identity it announces and the xDS server it uses.",
            footer = {"", "Examples:",
                    "  meshctl proxy-config bootstrap podinfo-v1-d57b7c9fd-7swjb.demo --proxy-admin localhost:15000",
                    "  meshctl proxy-config bootstrap podinfo-v1-d57b7c9fd-7swjb.demo --proxy-admin localhost:15000 -o json"})
    static class Bootstrap extends Base {
        @Override
        String print(ConfigWriter writer, ConfigDumpSource.Fetched fetched) {
            if (fetched.dump().bootstrap().isEmpty()) {
                throw new IllegalStateException("no bootstrap in the config dump of " + fetched.source() + ": "
                        + (source.proxyAdmin() == null
                                ? "the config-distributor sends a proxy its xDS resources, not its bootstrap; pass"
                                        + " --proxy-admin HOST:PORT to read the proxy's own"
                                : "this proxy's admin does not report its bootstrap (no BootstrapConfigDump)"));
            }
            return output == Format.SHORT ? writer.bootstrapSummary()
                    : document(fetched.dump().section("BootstrapConfigDump").orElseThrow());
        }
    }

    @Command(name = "all", aliases = {"a"}, mixinStandardHelpOptions = true,
            description = "Clusters, listeners, routes and endpoints (and secrets when the source has them); with"
                    + " -o json or yaml the whole config dump.",
            footer = {"", "Examples:",
                    "  meshctl proxy-config all podinfo-v1-d57b7c9fd-7swjb.demo",
                    "  meshctl proxy-config all podinfo-v1-d57b7c9fd-7swjb.demo -o json > config_dump.json"})
    static class All extends Base {
        @Override
        String print(ConfigWriter writer, ConfigDumpSource.Fetched fetched) {
            if (output != Format.SHORT) {
                return document(fetched.dump().json());
            }
            StringBuilder b = new StringBuilder();
            List<java.util.function.Supplier<String>> sections = new java.util.ArrayList<>(List.of(
                    () -> writer.clusterSummary(ConfigWriter.ClusterFilter.NONE),
                    () -> writer.listenerSummary(ConfigWriter.ListenerFilter.NONE),
                    () -> writer.routeSummary(null),
                    () -> writer.endpointSummary(ConfigWriter.EndpointFilter.NONE)));
            if (fetched.dump().has("SecretsConfigDump")) {
                sections.add(writer::secretSummary);
            }
            for (var section : sections) {
                String text;
                try {
                    text = section.get();
                } catch (IllegalStateException e) {
                    text = e.getMessage() + "\n";
                }
                b.append(b.isEmpty() ? "" : "\n").append(text);
            }
            return b.toString();
        }
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return Format.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        "\"" + value + "\" is not a valid output format: use short, json or yaml");
            }
        }
    }
}
