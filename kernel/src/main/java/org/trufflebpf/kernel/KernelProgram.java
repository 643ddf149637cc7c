package org.trufflebpf.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;

/**
 * One program loaded with BPF_PROG_LOAD: its instructions as written, with lddw map references (our map
 * indexes) replaced by the kernel maps' fds, under the program type of its context; license GPL so that every
 * helper is allowed; with the object's BTF loaded, its func_info ({@link KernelFuncInfo}). The verifier's log
 * is kept.
 */
final class KernelProgram implements AutoCloseable {
    private static final int LOG_SIZE = 16 << 20;

    private final int fd;
    private final String log;
    private final Program program;

    private KernelProgram(int fd, String log, Program program) {
        this.fd = fd;
        this.log = log;
        this.program = program;
    }

    /** The kernel's number for a context type ({@code enum bpf_prog_type}). */
    static int kernelType(ProgramType type) {
        return switch (type) {
            case SOCKET_FILTER -> 1;
            case SCHED_CLS -> 3;
            case XDP -> 6;
            case RAW -> -1;
        };
    }

    /**
     * Loads {@code program}; a verifier rejection is a BpfError of kind VERIFY whose reason is the log's last
     * meaningful line.
     */
    static KernelProgram load(Program program, KernelMaps maps, KernelBtf btf) {
        String file = program.sourceName();
        int type = kernelType(program.type());
        if (type < 0) {
            throw new BpfError(BpfError.Kind.LOAD, file, program.name(), -1, null,
                            "raw-memory programs have no kernel counterpart; give the program a socket, tc or xdp context (--context)");
        }
        byte[] code = patchedCode(program, maps);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocateFrom(ValueLayout.JAVA_BYTE, code);
            MemorySegment license = arena.allocateFrom("GPL");
            MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
            attr.set(ValueLayout.JAVA_INT, 0, type);
            attr.set(ValueLayout.JAVA_INT, 4, code.length / Instruction.SLOT_BYTES);
            attr.set(ValueLayout.JAVA_LONG, 8, insns.address());
            attr.set(ValueLayout.JAVA_LONG, 16, license.address());
            byte[] name = KernelMaps.kernelName(program.name());
            MemorySegment.copy(name, 0, attr, ValueLayout.JAVA_BYTE, 48, name.length);
            // Level 1 logs the whole verification; a big buffer so that rejections keep their last lines.
            MemorySegment logBuffer = arena.allocate(LOG_SIZE);
            attr.set(ValueLayout.JAVA_INT, 24, 1);
            attr.set(ValueLayout.JAVA_INT, 28, LOG_SIZE);
            attr.set(ValueLayout.JAVA_LONG, 32, logBuffer.address());
            int[] funcInfo = KernelFuncInfo.of(program, btf);
            if (funcInfo != null) {
                attr.set(ValueLayout.JAVA_INT, 72, btf.fd());
                attr.set(ValueLayout.JAVA_INT, 76, KernelFuncInfo.RECORD_BYTES);
                attr.set(ValueLayout.JAVA_LONG, 80, arena.allocateFrom(ValueLayout.JAVA_INT, funcInfo).address());
                attr.set(ValueLayout.JAVA_INT, 88, funcInfo.length / 2);
            }
            try {
                int fd = (int) BpfSyscall.call(BpfSyscall.PROG_LOAD, attr, "BPF_PROG_LOAD");
                return new KernelProgram(fd, logBuffer.getString(0), program);
            } catch (BpfSyscall.Failure e) {
                String log = logBuffer.getString(0);
                if (e.errno == Errno.ENOSPC && log.length() >= LOG_SIZE - 1) {
                    // Accepted or not, the log did not fit; load again without a log for the verdict.
                    attr.set(ValueLayout.JAVA_INT, 24, 0);
                    attr.set(ValueLayout.JAVA_INT, 28, 0);
                    attr.set(ValueLayout.JAVA_LONG, 32, 0L);
                    try {
                        return new KernelProgram((int) BpfSyscall.call(BpfSyscall.PROG_LOAD, attr, "BPF_PROG_LOAD"), log, program);
                    } catch (BpfSyscall.Failure again) {
                        throw rejection(program, log, again);
                    }
                }
                throw rejection(program, log, e);
            }
        }
    }

    private static BpfError rejection(Program program, String log, BpfSyscall.Failure failure) {
        if (failure.errno == Errno.EPERM && log.isBlank()) {
            return new BpfError(BpfError.Kind.LOAD, program.sourceName(), program.name(), -1, null, "kernel engine: " + failure.getMessage());
        }
        String reason = KernelLog.reason(log);
        BpfError error = new BpfError(BpfError.Kind.VERIFY, program.sourceName(), program.name(), -1, null,
                        "kernel verifier: " + (reason == null ? failure.getMessage() : reason));
        return new KernelRejection(error, log);
    }

    /** A kernel verifier rejection, with the whole log for {@code bpf verify --kernel}. */
    static final class KernelRejection extends BpfError {
        private static final long serialVersionUID = 1L;
        private final String log;

        KernelRejection(BpfError error, String log) {
            super(error.kind(), error.file(), error.function(), error.instructionIndex(), error.instructionText(), error.reason());
            this.log = log;
        }

        String log() {
            return log;
        }
    }

    /** The program's slots with map fds in place of map indexes. */
    private static byte[] patchedCode(Program program, KernelMaps maps) {
        ByteBuffer out = ByteBuffer.allocate(program.slotCount() * Instruction.SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Instruction insn : program.code()) {
            Instruction patched = insn;
            if (insn.opcode() == Opcodes.LDDW) {
                int src = insn.src();
                if (src == Opcodes.PSEUDO_MAP_FD || src == Opcodes.PSEUDO_MAP_IDX || src == Opcodes.PSEUDO_MAP_VALUE || src == Opcodes.PSEUDO_MAP_IDX_VALUE) {
                    int index = insn.imm();
                    if (index < 0 || index >= maps.size()) {
                        throw BpfError.at(BpfError.Kind.LOAD, program.sourceName(), program.name(), insn, "lddw names map " + index + ", which the object does not have");
                    }
                    boolean value = src == Opcodes.PSEUDO_MAP_VALUE || src == Opcodes.PSEUDO_MAP_IDX_VALUE;
                    patched = new Instruction(insn.index(), insn.opcode(), insn.dst(), value ? Opcodes.PSEUDO_MAP_VALUE : Opcodes.PSEUDO_MAP_FD, insn.offset(),
                                    maps.fd(index), value ? insn.imm2() : 0);
                }
            }
            out.position(insn.index() * Instruction.SLOT_BYTES);
            patched.encode(out);
        }
        return out.array();
    }

    int fd() {
        return fd;
    }

    String log() {
        return log;
    }

    Program program() {
        return program;
    }

    @Override
    public void close() {
        BpfSyscall.close(fd);
    }
}
