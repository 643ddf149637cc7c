package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.*;

import org.trufflebpf.model.ProgramType;
import org.trufflebpf.runtime.ProgramContexts;

/**
 * The context fields that hold pointers: a 4-byte load of {@code __sk_buff.data}, {@code data_end},
 * {@code data_meta} (socket and tc programs) or of the same {@code xdp_md} fields gives a packet pointer, as
 * in the kernel (and {@link org.trufflebpf.runtime.ContextRewriter} turns exactly these loads into loads of
 * the real pointers). Every other context field, and every byte of a raw program's input, is a number.
 */
final class ContextFields {
    private ContextFields() {
    }

    /** The kind of pointer {@code ldx} of this opcode at {@code offset} from the context loads, or null for a number. */
    static PointerKind loadedPointer(ProgramType type, int opcode, int offset) {
        if (opcode != (CLASS_LDX | MODE_MEM | SIZE_W)) {
            return null;
        }
        return switch (type) {
            case SOCKET_FILTER, SCHED_CLS -> switch (offset) {
                case ProgramContexts.SKB_DATA -> PointerKind.PACKET;
                case ProgramContexts.SKB_DATA_END -> PointerKind.PACKET_END;
                case ProgramContexts.SKB_DATA_META -> PointerKind.PACKET_META;
                default -> null;
            };
            case XDP -> switch (offset) {
                case ProgramContexts.XDP_DATA -> PointerKind.PACKET;
                case ProgramContexts.XDP_DATA_END -> PointerKind.PACKET_END;
                case ProgramContexts.XDP_DATA_META -> PointerKind.PACKET_META;
                default -> null;
            };
            case RAW -> null;
        };
    }
}
