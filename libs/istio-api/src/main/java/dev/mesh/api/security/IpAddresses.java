package dev.mesh.api.security;

/**
 * Parses IP address and CIDR literals without touching DNS (unlike {@link java.net.InetAddress}), with
 * the strictness of Go's {@code net/netip}, which Istio uses: no leading zeros in IPv4 octets, no zones,
 * prefix lengths in range.
 */
final class IpAddresses {

    private IpAddresses() {
    }

    /** Null when {@code value} is an IP address or a CIDR range, else what is wrong, naming the value. */
    static String problemWithAddressOrCidr(String value) {
        int slash = value.indexOf('/');
        if (slash < 0) {
            return addressBits(value) > 0 ? null : "\"" + value + "\" is not a valid IP address";
        }
        String address = value.substring(0, slash);
        String bits = value.substring(slash + 1);
        int width = addressBits(address);
        if (width < 0) {
            return "\"" + value + "\" is not a valid CIDR range: \"" + address + "\" is not an IP address";
        }
        if (!isDecimal(bits) || bits.length() > 3 || Integer.parseInt(bits) > width) {
            return "\"" + value + "\" is not a valid CIDR range: the prefix length must be 0.." + width;
        }
        return null;
    }

    /** True when {@code value} is an IPv4 or IPv6 address (no prefix). */
    static boolean isAddress(String value) {
        return addressBits(value) > 0;
    }

    /** 32 for IPv4, 128 for IPv6, -1 when not an address. */
    private static int addressBits(String value) {
        if (isIpv4(value)) {
            return 32;
        }
        if (value.indexOf(':') >= 0 && isIpv6(value)) {
            return 128;
        }
        return -1;
    }

    static boolean isIpv4(String value) {
        String[] octets = value.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String octet : octets) {
            if (!isDecimal(octet) || octet.length() > 3 || (octet.length() > 1 && octet.charAt(0) == '0')
                    || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv6(String value) {
        int doubleColon = value.indexOf("::");
        if (doubleColon >= 0 && value.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String head = doubleColon >= 0 ? value.substring(0, doubleColon) : value;
        String tail = doubleColon >= 0 ? value.substring(doubleColon + 2) : "";
        int groups = 0;
        String[] parts = doubleColon >= 0 ? new String[] {head, tail} : new String[] {head};
        for (int p = 0; p < parts.length; p++) {
            String part = parts[p];
            if (part.isEmpty()) {
                continue;
            }
            String[] fields = part.split(":", -1);
            for (int i = 0; i < fields.length; i++) {
                String field = fields[i];
                boolean last = p == parts.length - 1 && i == fields.length - 1;
                if (last && field.indexOf('.') >= 0) {
                    // An embedded IPv4 address, as in ::ffff:10.0.0.1, takes two groups.
                    if (!isIpv4(field)) {
                        return false;
                    }
                    groups += 2;
                } else if (isHexGroup(field)) {
                    groups++;
                } else {
                    return false;
                }
            }
        }
        return doubleColon >= 0 ? groups < 8 : groups == 8;
    }

    private static boolean isHexGroup(String field) {
        if (field.isEmpty() || field.length() > 4) {
            return false;
        }
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDecimal(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
