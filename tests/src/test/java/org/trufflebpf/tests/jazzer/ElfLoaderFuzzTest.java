package org.trufflebpf.tests.jazzer;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.trufflebpf.elf.ElfLoader;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.RefusedProgram;
import org.trufflebpf.verifier.Verifier;

/**
 * Any bytes given as an ELF object either load (each program then verified or refused) or are refused with one
 * line naming the file. Seeds: small clang objects with BTF, in {@code ElfLoaderFuzzTestInputs}.
 */
public class ElfLoaderFuzzTest {
    private static final String FILE = "fuzzed.o";

    @FuzzTest(maxDuration = "20s")
    void anyBytesLoadOrAreRefusedInOneLine(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** The entry point of the Jazzer CLI and of OSS-Fuzz / ClusterFuzzLite. */
    public static void fuzzerTestOneInput(byte[] data) {
        BpfObject object;
        try {
            object = ElfLoader.load(data, FILE);
        } catch (BpfError refused) {
            CleanRefusals.require(refused, FILE);
            return;
        }
        for (RefusedProgram refused : object.refused()) {
            CleanRefusals.require(refused.reason(), FILE);
        }
        // What the loader accepted goes on to the verifier, so that mutated relocations and calls reach it too.
        for (Program program : object.programs()) {
            try {
                Verifier.verify(program);
            } catch (BpfError refused) {
                CleanRefusals.require(refused, FILE);
            }
        }
    }
}
