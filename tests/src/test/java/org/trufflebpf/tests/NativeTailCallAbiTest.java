package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.jit.x64.JitDisassembler;

/**
 * Through the Polyglot API the native engine compiles for the context's tail-call ABI, so the code that runs is
 * the spec's sequence for that ABI and nothing else; a program cannot be switched to the other ABI.
 */
class NativeTailCallAbiTest {
    private static final String HIERARCHY = "src/test/resources/tailcall/tailcall_bpf2bpf_hierarchy_1.s";

    private static Context nativeContext(String abi) {
        return Context.newBuilder("bpf").option("bpf.Engine", "native").option("bpf.TailCallAbi", abi).build();
    }

    private static Value load(Context context, String path) throws IOException {
        return BpfRunner.evalAsm(context, Files.readString(Path.of(path)), Path.of(path).getFileName().toString());
    }

    @Test
    void sharedCounterContextRunsTheHierarchyTestTo34() throws IOException {
        try (Context context = nativeContext("shared")) {
            Value module = load(context, HIERARCHY);
            assertEquals(1, module.getMember("entry").execute(new byte[54]).asLong());
            assertEquals(34, module.getMember("count").getArrayElement(0).asLong());
        }
    }

    @Test
    void counterByValueContextStopsTheHierarchyTestByTheBudget() throws IOException {
        try (Context context = nativeContext("counter-by-value")) {
            Value module = load(context, HIERARCHY);
            PolyglotException e = assertThrows(PolyglotException.class, () -> module.getMember("entry").execute(new byte[54]));
            assertTrue(e.isGuestException(), e.getMessage());
            assertTrue(e.getMessage().contains("instruction"), e.getMessage());
        }
    }

    @Test
    void aProgramCannotSwitchToTheAbiItWasNotCompiledFor() throws IOException {
        try (Context context = nativeContext("counter-by-value")) {
            Value entry = load(context, HIERARCHY).getMember("entry");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> entry.invokeMember("withTailCallAbi", "shared"));
            assertTrue(e.getMessage().contains("the native engine compiled 'entry' for the counter-by-value tail-call ABI; use a context with bpf.TailCallAbi=shared"),
                            e.getMessage());
            assertEquals("entry", entry.invokeMember("withTailCallAbi", "counter-by-value").getMember("name").asString());
        }
    }

    /** The code of a direct tail call is §5's: counter check on [rbp-rsd-8], bypass, unwind, target; no ABI switch. */
    @Test
    void theCodeThatRunsIsTheSpecSequenceForTheContextsAbi() throws IOException {
        assumeTrue(JitDisassembler.isAvailable(), "Capstone (libcapstone4) is not installed");
        try (Context context = nativeContext("counter-by-value")) {
            String code = load(context, "src/test/resources/tailcall/tailcall_3.s").getMember("classifier_0").getMember("nativeCode").asString();
            Pattern direct = Pattern.compile("(?s).*  10: call 12\n"
                            + " +\\p{XDigit}+: 8b 85 fc ff ff ff +mov eax, dword ptr \\[rbp - 4\\]\n"
                            + " +\\p{XDigit}+: 83 f8 20 +cmp eax, 0x20\n"
                            + " +\\p{XDigit}+: 77 \\p{XDigit}{2} +ja 0x\\p{XDigit}+\n"
                            + " +\\p{XDigit}+: 83 c0 01 +add eax, 1\n"
                            + " +\\p{XDigit}+: 89 85 fc ff ff ff +mov dword ptr \\[rbp - 4\\], eax\n"
                            + "( +\\p{XDigit}+: 90 +nop\n)*" // pads the patch site into one aligned 8-byte word
                            + " +; tailcall_bypass of jmp_table\\[0\\], state B \\(live\\)\n"
                            + " +\\p{XDigit}+: 0f 1f 44 00 00 +nop dword ptr \\[rax \\+ rax\\]\n"
                            + " +\\p{XDigit}+: 5b +pop rbx\n"
                            + " +\\p{XDigit}+: 58 +pop rax\n"
                            + " +\\p{XDigit}+: 48 81 c4 00 00 00 00 +add rsp, 0\n"
                            + "( +\\p{XDigit}+: 90 +nop\n)*"
                            + " +; tailcall_target of jmp_table\\[0\\], state B \\(live\\)\n"
                            + " +\\p{XDigit}+: e9 .*");
            assertTrue(direct.matcher(code).matches(), code);
        }
    }
}
