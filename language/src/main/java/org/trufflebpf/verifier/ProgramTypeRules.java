package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.CLASS_LDX;
import static org.trufflebpf.model.Opcodes.MODE_MEM;
import static org.trufflebpf.model.Opcodes.SIZE_W;

import java.util.Locale;

import org.trufflebpf.model.Helper;
import org.trufflebpf.model.ProgramType;

/**
 * What a program may do depending on its type, as the kernel decides it (its {@code get_func_proto},
 * {@code is_valid_access} and {@code may_access_skb} callbacks for socket filters, tc classifiers and XDP, and
 * {@code bpf_prog_map_compatible}). The verifier asks here, once for every path to a rule: direct helper calls
 * and {@code callx} targets, context loads and stores, LD_ABS/LD_IND, and prog arrays asks which programs their
 * slots may hold. Raw-memory programs are ours, not a kernel type: their context is plain input bytes and they
 * may call every helper that needs no packet.
 *
 * <p>Each method returns null when the program may, else the reason, worded for a one-line rejection.
 */
public final class ProgramTypeRules {
    private ProgramTypeRules() {
    }

    /**
     * Whether programs of {@code type} may call helper {@code id}, as the helper catalogue lists its callers (a
     * known one; unknown ids are refused elsewhere).
     */
    public static String helperProblem(ProgramType type, long id) {
        Helper helper = Helper.byId(id);
        if (helper == null || helper.availableTo(type)) {
            return null;
        }
        return "helper " + helper.linuxName() + " is not available to " + typeName(type) + " programs";
    }

    /** LD_ABS and LD_IND read an sk_buff's packet: socket filters and tc programs only. */
    public static String packetLoadProblem(ProgramType type) {
        if (type == ProgramType.SOCKET_FILTER || type == ProgramType.SCHED_CLS) {
            return null;
        }
        return "LD_ABS and LD_IND are only for socket and tc programs (they read an sk_buff's packet), not " + typeName(type) + " programs";
    }

    /** How an instruction touches the context. */
    public enum Access {
        /** ldx */
        LOAD,
        /** ldsx: as ldx, but never of a field that holds a packet pointer */
        LOAD_SIGN_EXTENDED,
        /** stx or st */
        STORE,
        /** atomic read-modify-write: refused on the context too */
        ATOMIC
    }

    /**
     * Whether {@code access} of {@code size} bytes at {@code offset} from the context pointer itself (not moved)
     * is allowed in a program of {@code type}; raw programs' input may be touched anywhere (the engines bound it).
     */
    public static String contextAccessProblem(ProgramType type, int offset, int size, Access access) {
        if (access == Access.LOAD_SIGN_EXTENDED && ContextFields.loadedPointer(type, CLASS_LDX | MODE_MEM | SIZE_W, offset) != null) {
            return "context access at offset " + offset + " (" + size + " bytes): the packet pointer there cannot be loaded sign-extended";
        }
        return switch (type) {
            case RAW -> null;
            case SOCKET_FILTER, SCHED_CLS -> SkBuffFields.problem(type, offset, size, access);
            case XDP -> xdpProblem(offset, size, access);
        };
    }

    /**
     * struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex (u32 each);
     * only 4-byte loads, never stores, and egress_ifindex only in devmap programs, which we do not have.
     */
    private static String xdpProblem(int offset, int size, Access access) {
        String where = "context access at offset " + offset + " (" + size + " bytes): ";
        if (offset < 0 || offset >= XDP_MD_SIZE) {
            return where + "outside struct xdp_md (" + XDP_MD_SIZE + " bytes)";
        }
        if (access != Access.LOAD && access != Access.LOAD_SIGN_EXTENDED) {
            return where + "xdp_md is read-only";
        }
        if (size != 4 || offset % 4 != 0) {
            return where + "xdp_md fields are read whole, as 4-byte loads";
        }
        if (offset == XDP_MD_EGRESS_IFINDEX) {
            return where + "egress_ifindex is only for devmap programs";
        }
        return null;
    }

    private static final int XDP_MD_SIZE = 24;
    private static final int XDP_MD_EGRESS_IFINDEX = 20;

    /**
     * A prog array that serves programs of type {@code owner} (null: none yet) may be named by, and hold, only
     * programs of that type, as the kernel's {@code bpf_prog_map_compatible} decides.
     */
    public static String tailCallTargetProblem(String arrayName, ProgramType owner, String targetName, ProgramType target) {
        if (owner == null || owner == target) {
            return null;
        }
        return "prog array '" + arrayName + "' serves " + typeName(owner) + " programs, not '" + targetName + "' of type " + typeName(target)
                        + " (tail calls stay within one program type)";
    }

    /** The kernel's name of the type: socket_filter, sched_cls, xdp; ours for raw. */
    static String typeName(ProgramType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }
}
