package org.trufflebpf.tests.jazzer;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Program;
import org.trufflebpf.verifier.Verifier;

/**
 * Any text given to the assembler is assembled (each program then verified or refused) or refused in one line
 * naming the file. Seeds: small assembly files in {@code AssemblerFuzzTestInputs}.
 */
public class AssemblerFuzzTest {
    private static final String FILE = "fuzzed.s";

    @FuzzTest(maxDuration = "20s")
    void anyTextAssemblesOrIsRefusedInOneLine(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** The entry point of the Jazzer CLI and of OSS-Fuzz / ClusterFuzzLite; the bytes are read as UTF-8, as files are. */
    public static void fuzzerTestOneInput(byte[] data) {
        BpfObject object;
        try {
            object = Assembler.assemble(new String(data, StandardCharsets.UTF_8), FILE);
        } catch (BpfError refused) {
            CleanRefusals.require(refused, FILE);
            return;
        }
        for (Program program : object.programs()) {
            try {
                Verifier.verify(program);
            } catch (BpfError refused) {
                CleanRefusals.require(refused, FILE);
            }
        }
    }
}
