package dev.mesh.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Golden outputs of commands run against a cluster, kept under {@code e2e/src/test/resources/golden/<suite>/}.
 * What differs from one cluster to the next is replaced before comparing: a pod's name by
 * {@code <workload>-<pod>} and its address by {@code <workload>-ip}; runs of spaces (column padding, which follows
 * the width of those names) become one space. {@code -Dgolden.update=true} rewrites the files.
 */
final class Goldens {

    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    private final Path dir;
    private final Map<String, String> replacements = new LinkedHashMap<>();

    Goldens(String suite) {
        this.dir = Path.of(System.getProperty("mesh.root")).resolve("e2e/src/test/resources/golden").resolve(suite);
    }

    /** Learns the names and addresses of {@code pods} (replacing what was learnt of pods of the same name). */
    Goldens learn(List<Pod> pods) {
        for (Pod pod : pods) {
            String workload = workloadOf(pod);
            replacements.put(pod.getMetadata().getName(), workload + "-<pod>");
            if (pod.getStatus() != null && pod.getStatus().getPodIP() != null) {
                replacements.put(pod.getStatus().getPodIP(), "<" + workload + "-ip>");
            }
        }
        return this;
    }

    /** A Deployment's pod is named {@code <deployment>-<template hash>-<suffix>}; other pods keep their name. */
    static String workloadOf(Pod pod) {
        String name = pod.getMetadata().getName();
        String hash = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get("pod-template-hash");
        if (hash != null && name.contains("-" + hash + "-")) {
            return name.substring(0, name.indexOf("-" + hash + "-"));
        }
        return name;
    }

    /** A table's header: capitals and spaces only, as istioctl prints them. */
    static boolean isHeader(String line) {
        return !line.isBlank() && line.chars().allMatch(c -> c == ' ' || (c >= 'A' && c <= 'Z'));
    }

    /** {@code output} with this cluster's names and addresses replaced and column padding collapsed. */
    String normalize(String output) {
        String text = output;
        List<String> keys = new ArrayList<>(replacements.keySet());
        keys.sort(Comparator.comparingInt(String::length).reversed());
        for (String key : keys) {
            text = Pattern.compile("(?<![\\w.-])" + Pattern.quote(key) + "(?![\\w-]|\\.\\d)").matcher(text)
                    .replaceAll(Matcher.quoteReplacement(replacements.get(key)));
        }
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            lines.add(line.replaceAll(" {2,}", " ").stripTrailing());
        }
        return String.join("\n", lines).strip() + "\n";
    }

    /**
     * Compares {@code output} (normalized; with {@code sortRows}, the rows after the table's header sorted, for tables whose
     * row order follows names or addresses) with the golden file {@code name}.
     */
    void check(String name, String output, boolean sortRows) throws IOException {
        String actual = normalize(output);
        if (sortRows) {
            List<String> lines = new ArrayList<>(List.of(actual.strip().split("\n")));
            int header = 0;
            while (header < lines.size() && !isHeader(lines.get(header))) {
                header++;
            }
            int firstRow = header < lines.size() ? header + 1 : 0;
            List<String> rows = new ArrayList<>(lines.subList(firstRow, lines.size()));
            rows.sort(null);
            List<String> sorted = new ArrayList<>(lines.subList(0, firstRow));
            sorted.addAll(rows);
            actual = String.join("\n", sorted) + "\n";
        }
        Path golden = dir.resolve(name + ".txt");
        if (UPDATE) {
            Files.createDirectories(dir);
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(golden).as("golden file %s (-Dgolden.update=true writes it)", golden).exists();
        assertThat(actual).as("%s differs from the golden file %s (-Dgolden.update=true rewrites it)", name, golden)
                .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }
}
