package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;

/**
 * The facts the engines may use to drop run-time checks ({@code ProgramAnalysis.provenAccesses}): exactly the
 * accesses proven inside their region on every path, and none whose region the verifier does not know.
 */
class ProvenAccessesTest {

    private static Set<Integer> proven(String text) {
        return proven(Assembler.assembleProgram(text, "prog.s"));
    }

    private static Set<Integer> proven(Program program) {
        return Verifier.verify(program).analysis().provenAccesses();
    }

    @Test
    void contextFieldsPacketBytesInRangeStackSlotsAndCheckedMapValuesAreProven() {
        assertEquals(Set.of(0, 1, 6, 7, 14, 15), proven("""
                        .map counts hash key=4 value=8 entries=1
                        .program prog xdp
                        ldxw %r2, [%r1+4]
                        ldxw %r6, [%r1+0]
                        mov %r3, %r6
                        add %r3, 14
                        mov %r0, 0
                        jgt %r3, %r2, +10
                        ldxb %r7, [%r6+13]
                        stw [%r10-4], 0
                        lddw %r1, map:counts
                        mov %r2, %r10
                        add %r2, -4
                        call map_lookup_elem
                        jeq %r0, 0, +2
                        stxdw [%r0], %r7
                        ldxdw %r0, [%r0]
                        exit
                        """));
    }

    @Test
    void aRawProgramsInputIsNotProvenItsSizeIsKnownOnlyAtRunTime() {
        assertEquals(Set.of(1), proven("""
                        ldxb %r0, [%r1]
                        stxdw [%r10-8], %r0
                        exit
                        """));
    }

    @Test
    void aPointerThatIsAMapValueOnOnePathAndTheStackOnAnotherIsProvenOnEachPath() {
        assertEquals(Set.of(0, 1, 10), proven("""
                        .map values array key=4 value=8 entries=1
                        .program prog xdp
                        stdw [%r10-16], 0
                        stw [%r10-4], 0
                        mov %r2, %r10
                        add %r2, -4
                        lddw %r1, map:values
                        call map_lookup_elem
                        jne %r0, 0, +2
                        mov %r0, %r10
                        add %r0, -16
                        ldxdw %r0, [%r0]
                        exit
                        """));
    }

    @Test
    void aSubprogramGivenAPacketPointerByOneCallAndAMapValueByAnotherDoesNotKnowWhichSoItsAccessIsNotProven() {
        assertEquals(Set.of(1, 2, 8), proven("""
                        .program prog xdp
                        .map values array key=4 value=8 entries=1
                        mov %r6, %r1
                        ldxw %r1, [%r6+0]
                        ldxw %r2, [%r6+4]
                        mov %r3, %r1
                        add %r3, 1
                        mov %r0, 0
                        jgt %r3, %r2, +9
                        call local first_byte
                        stw [%r10-4], 0
                        mov %r2, %r10
                        add %r2, -4
                        lddw %r1, map:values
                        call map_lookup_elem
                        mov %r1, %r0
                        call local first_byte
                        exit
                        first_byte:
                        jeq %r1, 0, +2
                        ldxb %r0, [%r1]
                        exit
                        mov %r0, 0
                        exit
                        """));
    }

    @Test
    void ringBufferRecordsAreNotProvenSubmitReleasesThemAndTheVerifierDoesNotTrackThat() {
        assertEquals(Set.of(), proven("""
                        .map events ringbuf entries=4096
                        .program prog xdp
                        lddw %r1, map:events
                        mov %r2, 8
                        mov %r3, 0
                        call ringbuf_reserve
                        jeq %r0, 0, +4
                        stdw [%r0], 42
                        mov %r1, %r0
                        mov %r2, 0
                        call ringbuf_submit
                        mov %r0, 0
                        exit
                        """));
    }

    @Test
    void anAccessThroughACallersFramePointerIsCheckedAtTheCallNotProvenInTheCallee() {
        assertEquals(Set.of(0), proven("""
                        stdw [%r10-8], 7
                        mov %r1, %r10
                        add %r1, -8
                        call local read
                        exit
                        read:
                        ldxdw %r0, [%r1]
                        exit
                        """));
    }

    @Test
    void storesIntoMapValuesAreNotProvenWhenSomeMapIsReadOnly() {
        Program assembled = Assembler.assembleProgram("""
                        .map data array key=4 value=16 entries=1
                        .program prog xdp
                        stdw [%r10-8], 0
                        lddw %r1, map_value:data+8
                        stdw [%r1], 1
                        ldxdw %r0, [%r1]
                        exit
                        """, "prog.s");
        List<MapDefinition> maps = new ArrayList<>(assembled.maps());
        maps.add(MapDefinition.globalData(".rodata", new byte[8], true));
        Program withReadOnlyMap = new Program(assembled.name(), assembled.section(), assembled.type(), assembled.code(), maps, assembled.sourceName(),
                        assembled.symbols(), null, assembled.lines());
        assertEquals(Set.of(0, 3, 4), proven(assembled));
        assertEquals(Set.of(0, 4), proven(withReadOnlyMap));
    }

    private static boolean stackPointersChecked(String text) {
        return Verifier.verify(Assembler.assembleProgram(text, "prog.s")).analysis().stackPointersChecked();
    }

    @Test
    void aCalleesAccessThroughItsCallersFrameIsAStackPointerLeftToTheRunTimeCheck() {
        assertTrue(stackPointersChecked("""
                        stdw [%r10-8], 40
                        mov %r1, %r10
                        add %r1, -8
                        call local reader
                        exit
                        reader:
                        ldxdw %r0, [%r1]
                        exit
                        """));
    }

    @Test
    void ownFrameAccessesAndUnprovenInputReadsLeaveNoStackPointerToTheRunTimeCheck() {
        assertFalse(stackPointersChecked("""
                        mov %r6, %r1
                        stxdw [%r10-8], %r6
                        mov %r2, %r10
                        add %r2, -8
                        ldxdw %r1, [%r2]
                        call local first
                        exit
                        first:
                        ldxb %r0, [%r1]
                        exit
                        """));
    }
}
