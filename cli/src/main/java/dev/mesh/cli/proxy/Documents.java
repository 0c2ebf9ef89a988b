package dev.mesh.cli.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** JSON as istioctl prints it (four-space indent, {@code "key": value}) and YAML. */
public final class Documents {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** As sigs.k8s.io/yaml prints: no document start marker, strings quoted only where YAML needs it. */
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    private Documents() {
    }

    public static String json(Object value) {
        DefaultIndenter indent = new DefaultIndenter("    ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("").withArrayEmptySeparator(""));
        printer.indentObjectsWith(indent);
        printer.indentArraysWith(indent);
        try {
            return JSON.writer(printer).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static String yaml(Object value) {
        try {
            return YAML.writeValueAsString(value).stripTrailing();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print YAML: " + e.getOriginalMessage(), e);
        }
    }
}
