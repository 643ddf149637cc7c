package org.trufflebpf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;

/** The helper catalogue: one entry per id and name, found by both, and read by the assembler. */
class HelperCatalogueTest {
    @Test
    void everyIdAndNameBelongsToOneHelperAndFindsIt() {
        Set<Integer> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Helper helper : Helper.values()) {
            assertTrue(ids.add(helper.id()), "id " + helper.id() + " twice");
            assertTrue(names.add(helper.linuxName()), helper.linuxName() + " twice");
            assertSame(helper, Helper.byId(helper.id()));
            assertSame(helper, Helper.byName(helper.linuxName()));
            assertSame(helper, Helper.byName("bpf_" + helper.linuxName()));
        }
        assertEquals(ids, Helper.ids());
        assertNull(Helper.byId(84), "bpf_sk_lookup_tcp is not provided");
        assertNull(Helper.byId(-1));
        assertNull(Helper.byId(1L << 32 | 1), "an id beyond 32 bits is not helper 1");
        assertNull(Helper.byName("sk_lookup_tcp"));
    }

    @Test
    void packetAndXdpHelpersAreAvailableToTheirProgramTypesOnly() {
        assertTrue(Helper.SKB_LOAD_BYTES.availableTo(ProgramType.SOCKET_FILTER));
        assertTrue(Helper.SKB_LOAD_BYTES.availableTo(ProgramType.SCHED_CLS));
        assertFalse(Helper.SKB_LOAD_BYTES.availableTo(ProgramType.XDP));
        assertFalse(Helper.SKB_LOAD_BYTES.availableTo(ProgramType.RAW));
        assertTrue(Helper.XDP_ADJUST_HEAD.availableTo(ProgramType.XDP));
        assertFalse(Helper.XDP_ADJUST_HEAD.availableTo(ProgramType.SCHED_CLS));
        for (ProgramType type : ProgramType.values()) {
            assertTrue(Helper.MAP_LOOKUP_ELEM.availableTo(type), type.name());
        }
    }

    @Test
    void mapHelpersTakeTheMapFirstAndKeyAndValuePointersAfterIt() {
        assertEquals(List.of(Helper.Argument.MAP, Helper.Argument.MAP_KEY, Helper.Argument.MAP_VALUE, Helper.Argument.ANYTHING),
                        Helper.MAP_UPDATE_ELEM.arguments());
        assertEquals(Helper.Result.MAP_VALUE_OR_NULL, Helper.MAP_LOOKUP_ELEM.result());
        assertTrue(Helper.Argument.MAP_KEY.isMemory());
        assertFalse(Helper.Argument.SIZE.isMemory());
    }

    @Test
    void theAssemblerReadsHelperNamesAsCallsAndAsImmediates() {
        List<Instruction> code = Assembler.assembleProgram("""
                        call bpf_ringbuf_output
                        call ktime_get_ns
                        mov %r1, helper:get_prandom_u32
                        call %r1
                        exit
                        """, "names.s").code();
        assertEquals(Helper.RINGBUF_OUTPUT.id(), code.get(0).imm());
        assertEquals(Helper.KTIME_GET_NS.id(), code.get(1).imm());
        assertEquals(Helper.GET_PRANDOM_U32.id(), code.get(2).imm());
        BpfError unknown = assertThrows(BpfError.class, () -> Assembler.assembleProgram("mov %r1, helper:sk_lookup_tcp\nexit\n", "bad.s"));
        assertEquals("bad.s: line 1 'mov %r1, helper:sk_lookup_tcp': unknown helper 'sk_lookup_tcp'", unknown.getMessage());
    }
}
