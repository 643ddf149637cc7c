package org.trufflebpf.runtime;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Literal IPv4 and IPv6 addresses as the host writes them (routing tables, tunnel metadata) and as we print them. */
public final class IpAddresses {
    private IpAddresses() {
    }

    /** The 4 or 16 bytes of a literal address; anything else (a host name too, which would need a lookup) is refused. */
    public static byte[] parse(String text) {
        if (!text.matches("[0-9a-fA-F:.]+") || (!text.contains(":") && !text.matches("\\d+\\.\\d+\\.\\d+\\.\\d+"))) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
    }

    /** A 4 or 16-byte address in its usual notation. */
    public static String text(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16-byte address is always valid", e);
        }
    }
}
