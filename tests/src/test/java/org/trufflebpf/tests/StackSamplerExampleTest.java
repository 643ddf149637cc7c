package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.runtime.maps.StackTraceMap;

/**
 * {@code examples/c/stack_sampler.c}, a profiler in BCC's style (a kprobe run on the raw context): each sample
 * stores its kernel and user stacks with bpf_get_stackid and counts the pair per pid. On both engines the
 * kernel stack is the BPF call chain (record's get_stackid at insn 19, called from sample at insn 5, or from
 * slow_path at 7 which sample calls at 3); the user stack is -EFAULT. The ids are the stacks' jhash2 in 64
 * buckets, checked against the kernel's own in StackTraceMapTest.
 */
class StackSamplerExampleTest {
    private static final String[] ENGINES = {"interpreter", "native"};
    private static final int PID = 4242;

    private static byte[] registers(long first) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, first).array();
    }

    private static long id(long... ips) {
        return StackTraceMap.jhash2(ips) & 63;
    }

    @Test
    void samplesCountEachKernelStackPerPidWithTheCallChainAsTheStackAndNoUserStackOnBothEngines() {
        long fast = id(19, 5);
        long slow = id(19, 7, 3);
        Map<String, Object> all = new LinkedHashMap<>();
        for (String engine : ENGINES) {
            List<Long> results = new ArrayList<>();
            Map<String, Long> counts = new LinkedHashMap<>();
            Map<Long, String> stacks = new LinkedHashMap<>();
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.Context", "raw").build()) {
                Value module = context.eval(Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), "examples/c/stack_sampler.o")).buildLiteral());
                Value sample = module.getMember("sample");
                for (long first : new long[] {0, 1, 1, 0, 1}) {
                    results.add(sample.execute((Object) registers(first)).asLong());
                }
                Value iterator = module.getMember("counts").getHashEntriesIterator();
                while (iterator.hasIteratorNextElement()) {
                    Value entry = iterator.getIteratorNextElement();
                    Value key = entry.getArrayElement(0);
                    counts.put(key.readBufferInt(ByteOrder.LITTLE_ENDIAN, 0) + "/" + key.readBufferInt(ByteOrder.LITTLE_ENDIAN, 4) + "/"
                                    + key.readBufferInt(ByteOrder.LITTLE_ENDIAN, 8), entry.getArrayElement(1).asLong());
                }
                Value stackMap = module.getMember("stacks");
                for (long id : new long[] {fast, slow}) {
                    Value ips = stackMap.getHashValue((int) id);
                    stacks.put(id, ips.readBufferLong(ByteOrder.LITTLE_ENDIAN, 0) + " " + ips.readBufferLong(ByteOrder.LITTLE_ENDIAN, 8) + " "
                                    + ips.readBufferLong(ByteOrder.LITTLE_ENDIAN, 16));
                }
                assertEquals(2L, stackMap.getHashSize(), engine + ": the two stacks only");
            }
            all.put(engine, List.of(results, counts, stacks));
        }
        assertEquals(all.get("interpreter"), all.get("native"), all.toString());
        assertEquals(List.of(List.of(fast, slow, slow, fast, slow), Map.of(PID + "/" + fast + "/-14", 2L, PID + "/" + slow + "/-14", 3L),
                        Map.of(fast, "19 5 0", slow, "19 7 3")), all.get("interpreter"));
    }
}
