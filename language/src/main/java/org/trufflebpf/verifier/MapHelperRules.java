package org.trufflebpf.verifier;

import java.util.Locale;
import java.util.Set;

import org.trufflebpf.model.Helper;
import org.trufflebpf.model.MapType;

/**
 * Which helpers may take which map types, as the kernel's {@code check_map_func_compatibility} decides for the
 * map types and helpers we provide: a perf event array is for {@code perf_event_output} only, a stack
 * trace map for {@code get_stackid} only, a cgroup array for the two {@code *_under_cgroup} helpers only, and
 * {@code redirect_map} takes only redirect targets (devmap, devmap_hash, cpumap, xskmap), and a map of maps
 * allows lookups only.
 */
final class MapHelperRules {
    /** Linux ids of the map types bpf_redirect_map accepts: devmap 14, cpumap 16, xskmap 17, devmap_hash 25. */
    private static final Set<Integer> REDIRECT_TARGETS = Set.of(14, 16, 17, 25);

    private MapHelperRules() {
    }

    /** Null when {@code helper} may take a map of {@code type}; else the kernel's words. */
    static String problem(Helper helper, MapType type) {
        boolean allowed = switch (helper) {
            case PERF_EVENT_OUTPUT -> type == MapType.PERF_EVENT_ARRAY;
            case REDIRECT_MAP -> REDIRECT_TARGETS.contains(type.linuxId());
            case GET_STACKID -> type == MapType.STACK_TRACE;
            case SKB_UNDER_CGROUP, CURRENT_TASK_UNDER_CGROUP -> type == MapType.CGROUP_ARRAY;
            // Programs only look inner maps up; the host alone puts maps into a map of maps.
            // Devmap and xskmap lookups, which the kernel allows, are not modelled: their entries are no memory here.
            case MAP_LOOKUP_ELEM -> type != MapType.PERF_EVENT_ARRAY && type != MapType.STACK_TRACE && type != MapType.CGROUP_ARRAY && !type.isRedirectTarget();
            default -> type != MapType.PERF_EVENT_ARRAY && type != MapType.STACK_TRACE && type != MapType.CGROUP_ARRAY && !type.isMapOfMaps()
                            && !type.isRedirectTarget();
        };
        if (!allowed && helper == Helper.MAP_LOOKUP_ELEM && type.isRedirectTarget()) {
            return "bpf_map_lookup_elem on a " + type.name().toLowerCase(Locale.ROOT)
                            + " is not supported here (the kernel allows it; our entries are no memory a program could read)";
        }
        return allowed ? null : "cannot pass map_type " + type.linuxId() + " into func bpf_" + helper.linuxName() + "#" + helper.id();
    }
}
