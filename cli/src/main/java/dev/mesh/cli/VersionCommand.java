package dev.mesh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshctl version}: the client's version and, with {@code --remote} (the default, as in istioctl), the
 * control plane's. Reading the control plane needs a cluster connection this module does not have yet; like
 * istioctl when the cluster is unreachable, that is said on a line of its own and the client version is still
 * printed, with exit code 0.
 */
@Command(name = "version", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.INCORRECT_USAGE,
        description = "Print the version of meshctl and, with --remote, of the mesh's control plane.")
public class VersionCommand implements Callable<Integer> {

    static final String REMOTE_UNAVAILABLE = "control plane version not available: meshctl cannot connect to a"
            + " cluster yet (no cluster connectivity is implemented in meshctl); use --remote=false for the client"
            + " version only";

    enum Format { SHORT, JSON, YAML }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--remote", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "Also read the control plane's version (default: ${DEFAULT-VALUE}). --remote=false prints"
                    + " the client version only.")
    boolean remote;

    @Option(names = {"-o", "--output"}, defaultValue = "short", converter = FormatConverter.class,
            description = "Output format: short, json or yaml (default: ${DEFAULT-VALUE}).")
    Format output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String version = BuildInfo.version();
        if (remote) {
            // istioctl prints why the remote version is missing before the client version, on stdout.
            out.println(REMOTE_UNAVAILABLE);
        }
        switch (output) {
            case SHORT -> out.println("client version: " + version);
            case JSON, YAML -> {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("clientVersion", Map.of("version", version));
                ObjectMapper mapper = output == Format.JSON
                        ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        : new YAMLMapper();
                out.println(mapper.writeValueAsString(doc).stripTrailing());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return Format.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        "\"" + value + "\" is not a valid output format: use short, json or yaml");
            }
        }
    }
}
