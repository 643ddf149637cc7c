package org.trufflebpf.tests.jazzer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionDecoder;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.verifier.Verifier;

/**
 * Any bytecode is decoded and verified, or refused with one line naming the file. The first byte picks the program type,
 * the rest is the code (cut to whole instructions); the program has an array, a hash map and a prog array, so that
 * map loads, lookups and tail calls can verify. Seeds: conformance programs as raw bytecode, in
 * {@code VerifierBytecodeFuzzTestInputs}. (Named apart from the language module's seeded {@code VerifierFuzzTest}, and ending in
 * Test so that the build runs its seeds.)
 */
public class VerifierBytecodeFuzzTest {
    private static final String FILE = "fuzzed.bin";
    private static final ProgramType[] TYPES = ProgramType.values();
    private static final List<MapDefinition> MAPS = List.of(MapDefinition.of("values", MapType.ARRAY, 4, 8, 4),
                    MapDefinition.of("counters", MapType.HASH, 4, 8, 16), MapDefinition.of("jmp_table", MapType.PROG_ARRAY, 4, 4, 4));

    @FuzzTest(maxDuration = "20s")
    void anyBytecodeVerifiesOrIsRefusedInOneLine(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** The entry point of the Jazzer CLI and of OSS-Fuzz / ClusterFuzzLite. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length < 1) {
            return;
        }
        ProgramType type = TYPES[(data[0] & 0xff) % TYPES.length];
        byte[] code = Arrays.copyOfRange(data, 1, 1 + (data.length - 1) / Instruction.SLOT_BYTES * Instruction.SLOT_BYTES);
        try {
            List<Instruction> instructions = InstructionDecoder.decode(code, FILE);
            Verifier.verify(new Program("fuzzed", null, type, instructions, MAPS, FILE, Map.of(), null, null));
        } catch (BpfError refused) {
            CleanRefusals.require(refused, FILE);
        }
    }
}
