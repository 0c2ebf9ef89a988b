package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;

/** Rewrites the part of a path {@code match} (RE2) matches with {@code rewrite} (\1 style groups). */
public record RegexRewrite(String match, String rewrite) {

    public RegexRewrite {
        match = Fields.str(match);
        rewrite = Fields.str(rewrite);
    }

    public static RegexRewrite parse(Node node) {
        RegexRewrite regex = new RegexRewrite(Fields.string(node, "match"), Fields.string(node, "rewrite"));
        if (regex.match.isEmpty()) {
            node.error("match", "is required: uriRegexRewrite needs both match and rewrite");
        } else {
            Validation.checkRegex(node, "match", regex.match);
        }
        if (regex.rewrite.isEmpty()) {
            node.error("rewrite", "is required: uriRegexRewrite needs both match and rewrite");
        }
        return regex;
    }
}
