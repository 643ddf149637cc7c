package org.trufflebpf.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The network bpf_fib_lookup sees: devices, routes (IPv4 and IPv6, in numbered tables), neighbours and local
 * addresses, read from a small text format (one entry a line, {@code #} starts a comment):
 *
 * <pre>
 * dev IFINDEX mac MAC [mtu N] [noforward]      a device (mtu 1500 unless given; forwarding on unless noforward)
 * route PREFIX/LEN dev IFINDEX [via ADDR] [metric N] [src ADDR] [mtu N] [table N]
 * route PREFIX/LEN blackhole|unreachable|prohibit [table N]
 * neigh ADDR MAC dev IFINDEX                    a resolved neighbour
 * local ADDR dev IFINDEX                        an address of this host (its route is local: not forwarded)
 * </pre>
 *
 * Routes go in the main table (254) unless a table is given. An IllegalArgumentException names the line.
 */
public final class FibTable {
    public static final FibTable EMPTY = new FibTable();
    static final int MAIN_TABLE = 254;

    record Device(int ifindex, byte[] mac, int mtu, boolean forwarding) {
    }

    enum RouteType {
        UNICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, LOCAL
    }

    record Route(byte[] prefix, int length, RouteType type, int ifindex, byte[] gateway, long metric, byte[] source, int mtu, int table) {
    }

    record Local(byte[] address, int ifindex) {
    }

    private final Map<Integer, Device> devices = new HashMap<>();
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, byte[]> neighbours = new HashMap<>();
    private final List<Local> locals = new ArrayList<>();

    private FibTable() {
    }

    Device device(long ifindex) {
        return ifindex > Integer.MAX_VALUE ? null : devices.get((int) ifindex);
    }

    byte[] neighbour(int ifindex, byte[] address) {
        return neighbours.get(ifindex + "/" + HexFormat.of().formatHex(address));
    }

    /** The local addresses of a device of one family (4 or 16 bytes), in the order given. */
    List<byte[]> localAddresses(int ifindex, int addressLength) {
        return locals.stream().filter(l -> l.ifindex() == ifindex && l.address().length == addressLength).map(Local::address).toList();
    }

    /**
     * The longest-prefix route for {@code address} in {@code table} (the lowest metric among equal prefixes), or
     * null; with {@code withLocal}, this host's own addresses first, as the kernel's local table comes first.
     */
    Route lookup(byte[] address, int table, boolean withLocal) {
        if (withLocal) {
            for (Local local : locals) {
                if (Arrays.equals(local.address(), address)) {
                    return new Route(address, address.length * 8, RouteType.LOCAL, local.ifindex(), null, 0, null, 0, 255);
                }
            }
        }
        Route best = null;
        for (Route route : routes) {
            if (route.table() != table || route.prefix().length != address.length || !matches(route, address)) {
                continue;
            }
            if (best == null || route.length() > best.length() || route.length() == best.length() && route.metric() < best.metric()) {
                best = route;
            }
        }
        return best;
    }

    int routeCount() {
        return routes.size();
    }

    boolean hasTable(int table) {
        return routes.stream().anyMatch(r -> r.table() == table);
    }

    private static boolean matches(Route route, byte[] address) {
        int bits = route.length();
        for (int i = 0; i < address.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if (((address[i] ^ route.prefix()[i]) & mask) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The table of {@code text}, in the format above. */
    public static FibTable parse(String text) {
        FibTable table = new FibTable();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            try {
                table.add(line.split("\\s+"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("fib line " + (n + 1) + " '" + line + "': " + e.getMessage());
            }
        }
        table.checkDevices();
        return table;
    }

    /** Every route, neighbour and local address is on a device the table declares. */
    private void checkDevices() {
        for (Route route : routes) {
            if (route.ifindex() != 0 && !devices.containsKey(route.ifindex())) {
                throw new IllegalArgumentException("fib: a route uses dev " + route.ifindex() + ", which no dev line declares");
            }
        }
        for (String key : neighbours.keySet()) {
            int ifindex = Integer.parseInt(key.substring(0, key.indexOf('/')));
            if (!devices.containsKey(ifindex)) {
                throw new IllegalArgumentException("fib: a neighbour uses dev " + ifindex + ", which no dev line declares");
            }
        }
        for (Local local : locals) {
            if (!devices.containsKey(local.ifindex())) {
                throw new IllegalArgumentException("fib: a local address uses dev " + local.ifindex() + ", which no dev line declares");
            }
        }
    }

    private void add(String[] words) {
        switch (words[0]) {
            case "dev" -> {
                int ifindex = (int) number(word(words, 1), 1, Integer.MAX_VALUE);
                Map<String, String> options = options(words, 2, "mac", "mtu");
                int mtu = options.containsKey("mtu") ? (int) number(options.get("mtu"), 68, 65535) : 1500;
                byte[] mac = options.containsKey("mac") ? mac(options.get("mac")) : new byte[6];
                devices.put(ifindex, new Device(ifindex, mac, mtu, !options.containsKey("noforward")));
            }
            case "route" -> {
                String[] prefix = word(words, 1).split("/", -1);
                if (prefix.length != 2) {
                    throw new IllegalArgumentException("a route needs PREFIX/LEN");
                }
                byte[] address = IpAddresses.parse(prefix[0]);
                int length = (int) number(prefix[1], 0, address.length * 8L);
                String kind = word(words, 2);
                RouteType type = switch (kind) {
                    case "blackhole" -> RouteType.BLACKHOLE;
                    case "unreachable" -> RouteType.UNREACHABLE;
                    case "prohibit" -> RouteType.PROHIBIT;
                    default -> RouteType.UNICAST;
                };
                Map<String, String> options = options(words, type == RouteType.UNICAST ? 2 : 3, "dev", "via", "metric", "src", "mtu", "table");
                if (type == RouteType.UNICAST && !options.containsKey("dev")) {
                    throw new IllegalArgumentException("a route needs dev IFINDEX (or blackhole, unreachable, prohibit)");
                }
                int ifindex = options.containsKey("dev") ? (int) number(options.get("dev"), 1, Integer.MAX_VALUE) : 0;
                byte[] gateway = options.containsKey("via") ? sameFamily(IpAddresses.parse(options.get("via")), address) : null;
                byte[] source = options.containsKey("src") ? sameFamily(IpAddresses.parse(options.get("src")), address) : null;
                long metric = options.containsKey("metric") ? number(options.get("metric"), 0, 0xffff_ffffL) : 0;
                int mtu = options.containsKey("mtu") ? (int) number(options.get("mtu"), 68, 65535) : 0;
                int tableId = options.containsKey("table") ? (int) number(options.get("table"), 1, 0xffff_ffffL) : MAIN_TABLE;
                routes.add(new Route(address, length, type, ifindex, gateway, metric, source, mtu, tableId));
            }
            case "neigh" -> {
                byte[] address = IpAddresses.parse(word(words, 1));
                byte[] mac = mac(word(words, 2));
                Map<String, String> options = options(words, 3, "dev");
                if (!options.containsKey("dev")) {
                    throw new IllegalArgumentException("a neighbour needs dev IFINDEX");
                }
                neighbours.put(number(options.get("dev"), 1, Integer.MAX_VALUE) + "/" + HexFormat.of().formatHex(address), mac);
            }
            case "local" -> {
                byte[] address = IpAddresses.parse(word(words, 1));
                Map<String, String> options = options(words, 2, "dev");
                if (!options.containsKey("dev")) {
                    throw new IllegalArgumentException("a local address needs dev IFINDEX");
                }
                locals.add(new Local(address, (int) number(options.get("dev"), 1, Integer.MAX_VALUE)));
            }
            default -> throw new IllegalArgumentException("expected dev, route, neigh or local");
        }
    }

    private static String word(String[] words, int i) {
        if (i >= words.length) {
            throw new IllegalArgumentException("too few words");
        }
        return words[i];
    }

    /** name value pairs from {@code from} on (and the bare word noforward). */
    private static Map<String, String> options(String[] words, int from, String... names) {
        Map<String, String> options = new HashMap<>();
        for (int i = from; i < words.length; i++) {
            if (words[i].equals("noforward")) {
                options.put("noforward", "");
                continue;
            }
            if (!Arrays.asList(names).contains(words[i]) || i + 1 >= words.length) {
                throw new IllegalArgumentException("unexpected '" + words[i] + "' (expected " + String.join(", ", names) + " with a value)");
            }
            options.put(words[i], words[++i]);
        }
        return options;
    }

    private static long number(String text, long min, long max) {
        try {
            long n = Long.parseLong(text);
            if (n < min || n > max) {
                throw new IllegalArgumentException(text + " is not between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
    }

    private static byte[] sameFamily(byte[] address, byte[] of) {
        if (address.length != of.length) {
            throw new IllegalArgumentException("addresses of one route must be of one family");
        }
        return address;
    }

    private static byte[] mac(String text) {
        if (!text.matches("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}")) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
        }
        return HexFormat.ofDelimiter(":").parseHex(text);
    }
}
