package dev.mesh.proxy.rbac;

import io.envoyproxy.envoy.config.core.v3.CidrRange;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address prefix ({@code 10.0.0.0/8}, {@code fd00::/8}). */
record CidrMatch(byte[] prefix, int length) {

    static CidrMatch of(CidrRange range, String at) {
        String address = range.getAddressPrefix();
        if (!address.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException(at + ": \"" + address + "\" is not an IP address");
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            int length = range.hasPrefixLen() ? range.getPrefixLen().getValue() : bytes.length * 8;
            if (length < 0 || length > bytes.length * 8) {
                throw new IllegalArgumentException(at + ": prefix length " + length + " is out of range for " + address);
            }
            return new CidrMatch(bytes, length);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(at + ": \"" + address + "\" is not an IP address", e);
        }
    }

    boolean contains(String ip) {
        if (ip == null || ip.isEmpty() || !ip.matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            byte[] bytes = InetAddress.getByName(ip).getAddress();
            if (bytes.length != prefix.length) {
                return false;
            }
            int full = length / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = length % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (bytes[full] & mask) == (prefix[full] & mask);
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
