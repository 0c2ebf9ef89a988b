package dev.mesh.api;

import java.util.regex.Pattern;

/** Checks shared by several kinds, with the rules Istio's validation applies. */
public final class Validation {

    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final int DNS1123_LABEL_MAX = 63;
    private static final int DNS1123_SUBDOMAIN_MAX = 253;

    private Validation() {
    }

    /** A Kubernetes object name: a DNS-1123 subdomain (lower case, digits, '-', '.'; at most 253). */
    public static void checkDnsSubdomain(Problems problems, String path, String value) {
        if (value.length() > DNS1123_SUBDOMAIN_MAX) {
            problems.error(path, "\"" + value + "\" is longer than " + DNS1123_SUBDOMAIN_MAX + " characters");
            return;
        }
        for (String label : value.split("\\.", -1)) {
            if (!DNS1123_LABEL.matcher(label).matches()) {
                problems.error(path, "\"" + value + "\" is not a valid DNS-1123 subdomain: lower-case letters,"
                        + " digits, '-' and '.', starting and ending with a letter or digit");
                return;
            }
        }
    }

    /** A DNS-1123 label: lower-case letters, digits and '-', at most 63, as in a port or subset name. */
    public static boolean isDnsLabel(String value) {
        return value.length() <= DNS1123_LABEL_MAX && DNS1123_LABEL.matcher(value).matches();
    }

    public static void checkPort(Problems problems, String path, Long port) {
        if (port != null && (port < 1 || port > 65535)) {
            problems.error(path, "port number " + port + " must be in the range 1..65535");
        }
    }
}
