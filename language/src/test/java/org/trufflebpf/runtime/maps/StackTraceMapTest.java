package org.trufflebpf.runtime.maps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;

/** The stack trace map's buckets, free stacks and host operations, as kernel/bpf/stackmap.c keeps them. */
class StackTraceMapTest {
    private static byte[] key(int id) {
        return new byte[] {(byte) id, (byte) (id >>> 8), (byte) (id >>> 16), (byte) (id >>> 24)};
    }

    private static StackTraceMap map(int entries) {
        return new StackTraceMap(MapDefinition.of("stacks", MapType.STACK_TRACE, 4, 16, entries));
    }

    /** One single-ip stack per bucket of a map with {@code buckets} buckets, found by trying ips 1, 2, .... */
    private static List<long[]> onePerBucket(int buckets) {
        long[][] found = new long[buckets][];
        int filled = 0;
        for (long ip = 1; filled < buckets; ip++) {
            int bucket = StackTraceMap.jhash2(new long[] {ip}) & (buckets - 1);
            if (found[bucket] == null) {
                found[bucket] = new long[] {ip};
                filled++;
            }
        }
        return List.of(found);
    }

    @Test
    void maxEntriesRoundedUpToAPowerOfTwoGivesTheBucketsButOnlyMaxEntriesStacksAreStoredThenENOMEMUntilOneIsDeleted() {
        StackTraceMap stacks = map(3);
        List<long[]> distinct = onePerBucket(4);
        List<Long> ids = new ArrayList<>();
        for (long[] ips : distinct) {
            ids.add(stacks.store(ips, 0));
        }
        assertEquals(-Errno.ENOMEM, ids.get(3), ids.toString());
        assertEquals(List.of(0L, 1L, 2L), ids.subList(0, 3), "each stack's id is its bucket");
        assertEquals(0, stacks.delete(key(1)));
        assertEquals(3, stacks.store(distinct.get(3), 0), "a deleted stack is free again");
    }

    @Test
    void aBucketHoldingAnotherStackAnswersEEXISTEvenWithFastCompareAndReuseReplacesItWhenAStackIsFree() {
        StackTraceMap stacks = map(2);
        long[] first = {1, 2};
        int bucket = StackTraceMap.jhash2(first) & 1;
        long other = 3;
        while ((StackTraceMap.jhash2(new long[] {other}) & 1) != bucket) {
            other++;
        }
        long[] second = {other};
        assertEquals(bucket, stacks.store(first, 0));
        assertEquals(bucket, stacks.store(first, 0), "the same stack again");
        assertEquals(-Errno.EEXIST, stacks.store(second, 0));
        assertEquals(-Errno.EEXIST, stacks.store(second, StackTraceMap.BPF_F_FAST_STACK_CMP), "fast compare only skips the ips when the hash matches");
        assertEquals(bucket, stacks.store(second, StackTraceMap.BPF_F_REUSE_STACKID), "reuse takes a free stack and frees the old one");
        byte[] value = stacks.get(key(bucket));
        assertEquals(other, value[0]);
        assertArrayEquals(new byte[15], Arrays.copyOfRange(value, 1, 16), "zeros after the stack's one ip");
    }

    @Test
    void reuseNeedsAFreeStackBeforeItFreesTheOldOneSoAFullMapAnswersENOMEM() {
        StackTraceMap stacks = map(1);
        assertEquals(0, stacks.store(new long[] {1, 2}, 0));
        assertEquals(-Errno.ENOMEM, stacks.store(new long[] {3}, StackTraceMap.BPF_F_REUSE_STACKID));
        assertEquals(1, stacks.get(key(0))[0], "the old stack stays");
    }

    @Test
    void theHostReadsAndDeletesByIdWithTheKernelsErrnosAndCannotWrite() {
        StackTraceMap stacks = map(2);
        assertNull(stacks.get(key(0)), "an empty bucket: ENOENT");
        assertNull(stacks.get(key(2)), "past the buckets: ENOENT");
        assertEquals(-Errno.ENOENT, stacks.delete(key(1)));
        assertEquals(-Errno.E2BIG, stacks.delete(key(2)), "past the buckets");
        assertEquals(-Errno.EINVAL, stacks.put(key(0), new byte[16], BpfMap.BPF_ANY));
        assertEquals(List.of(), stacks.keys());
    }
}
