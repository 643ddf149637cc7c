package org.trufflebpf.elf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.RefusedProgram;

/**
 * Mutates the example objects many times (seeded) and checks that every outcome is either a successful load
 * or a one-line {@link BpfError} of kind LOAD naming the file: no other exception may escape the loader.
 * Mutations aim at the structures the loader trusts least: the ELF header, section headers, symbols,
 * relocations and the BTF header, as well as random bytes and truncations anywhere.
 */
class ElfMutationTest {
    /** Override with -Delf.mutation.seed / -Delf.mutation.rounds to search further. */
    static final long SEED = Long.getLong("elf.mutation.seed", 0x5eed_e1f0L);
    static final int ROUNDS = Integer.getInteger("elf.mutation.rounds", 40_000);
    static final int[] INTERESTING = {0, 1, -1, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 8, 16, 24, 64, 247, 0x1000};

    @Test
    void mutatedObjectsLoadOrFailWithABpfError() {
        List<String> names = ExampleObjects.all();
        List<byte[]> originals = new ArrayList<>();
        for (String name : names) {
            originals.add(ExampleObjects.bytes(name));
        }
        Random random = new Random(SEED);
        int loaded = 0;
        int rejected = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int which = random.nextInt(originals.size());
            byte[] original = originals.get(which);
            long mutationSeed = random.nextLong();
            StringBuilder description = new StringBuilder();
            byte[] mutated = mutate(original, new Random(mutationSeed), description);
            String fileName = "mutant.o";
            try {
                // A program refused on its own must say why in one line naming the file, as a whole-object refusal does.
                for (RefusedProgram refused : ElfLoader.load(mutated, fileName).refused()) {
                    String message = refused.reason().getMessage();
                    assertTrue(message.startsWith(fileName + ": "), "message does not name the file: " + message);
                    assertFalse(message.contains("\n"), "message is not one line: " + message);
                }
                loaded++;
            } catch (BpfError e) {
                rejected++;
                String message = e.getMessage();
                assertTrue(message.startsWith(fileName + ": "), "message does not name the file: " + message);
                assertFalse(message.contains("\n"), "message is not one line: " + message);
            } catch (Throwable t) {
                fail("round " + round + " (" + names.get(which) + ", mutation seed " + mutationSeed + ", " + description + ") threw " + t, t);
            }
        }
        System.out.println("ElfMutationTest: " + ROUNDS + " mutants, " + loaded + " loaded, " + rejected + " rejected");
        assertTrue(loaded > 0 && rejected > 0, "mutations should give both outcomes: loaded " + loaded + ", rejected " + rejected);
    }

    /** Applies one to three mutations and describes them. */
    static byte[] mutate(byte[] original, Random random, StringBuilder description) {
        byte[] bytes = original.clone();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            bytes = mutateOnce(bytes, random, description);
        }
        return bytes;
    }

    private static byte[] mutateOnce(byte[] bytes, Random random, StringBuilder description) {
        if (bytes.length < 8) {
            description.append("[tiny] ");
            return bytes;
        }
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int kind = random.nextInt(8);
        switch (kind) {
            case 0 -> {
                int at = random.nextInt(bytes.length);
                int bit = random.nextInt(8);
                bytes[at] ^= (byte) (1 << bit);
                description.append("flip bit ").append(bit).append(" at ").append(at).append("; ");
            }
            case 1 -> {
                int at = random.nextInt(Math.min(64, bytes.length));
                bytes[at] = (byte) random.nextInt(256);
                description.append("header byte ").append(at).append(" = ").append(bytes[at] & 0xff).append("; ");
            }
            case 2 -> {
                int length = random.nextInt(bytes.length);
                description.append("truncate to ").append(length).append("; ");
                return Arrays.copyOf(bytes, length);
            }
            case 3 -> {
                // A field of a section header, symbol or relocation: pick an aligned word in a table.
                int at = tableWord(bytes, le, random);
                int value = INTERESTING[random.nextInt(INTERESTING.length)];
                if (at >= 0 && at + 4 <= bytes.length) {
                    le.putInt(at, value);
                    description.append("table word at ").append(at).append(" = ").append(value).append("; ");
                }
            }
            case 4 -> {
                // Swap two aligned 8-byte fields of the same table.
                int a = tableWord(bytes, le, random) & ~7;
                int b = tableWord(bytes, le, random) & ~7;
                if (a >= 0 && b >= 0 && a + 8 <= bytes.length && b + 8 <= bytes.length) {
                    long va = le.getLong(a);
                    le.putLong(a, le.getLong(b));
                    le.putLong(b, va);
                    description.append("swap words at ").append(a).append(" and ").append(b).append("; ");
                }
            }
            case 5 -> {
                int at = random.nextInt(bytes.length - 3) & ~3;
                int value = INTERESTING[random.nextInt(INTERESTING.length)];
                le.putInt(at, value);
                description.append("word at ").append(at).append(" = ").append(value).append("; ");
            }
            case 6 -> {
                int at = random.nextInt(bytes.length);
                int length = Math.min(bytes.length - at, 1 + random.nextInt(16));
                for (int i = 0; i < length; i++) {
                    bytes[at + i] = (byte) random.nextInt(256);
                }
                description.append("random bytes at ").append(at).append(" length ").append(length).append("; ");
            }
            default -> {
                // Section contents: change one byte inside a random section's data.
                int at = sectionByte(bytes, le, random);
                if (at >= 0) {
                    bytes[at] = (byte) random.nextInt(256);
                    description.append("section byte at ").append(at).append(" = ").append(bytes[at] & 0xff).append("; ");
                }
            }
        }
        return bytes;
    }

    /** Offset of an aligned word in the section header table or in a symbol or relocation table, or -1. */
    private static int tableWord(byte[] bytes, ByteBuffer le, Random random) {
        if (bytes.length < 64) {
            return -1;
        }
        long shoff = le.getLong(40);
        int shnum = le.getShort(60) & 0xffff;
        if (shoff <= 0 || shnum == 0 || shoff + 64L * shnum > bytes.length) {
            return -1;
        }
        int section = random.nextInt(shnum);
        int header = (int) (shoff + 64L * section);
        if (random.nextBoolean()) {
            return header + 4 * random.nextInt(16);
        }
        int type = le.getInt(header + 4);
        long offset = le.getLong(header + 24);
        long size = le.getLong(header + 32);
        if ((type == 2 || type == 9) && size >= 8 && offset >= 0 && offset <= bytes.length && size <= bytes.length - offset) {
            return (int) (offset + (random.nextLong(size / 4) * 4));
        }
        return header + 4 * random.nextInt(16);
    }

    private static int sectionByte(byte[] bytes, ByteBuffer le, Random random) {
        if (bytes.length < 64) {
            return -1;
        }
        long shoff = le.getLong(40);
        int shnum = le.getShort(60) & 0xffff;
        if (shoff <= 0 || shnum == 0 || shoff + 64L * shnum > bytes.length) {
            return -1;
        }
        int header = (int) (shoff + 64L * random.nextInt(shnum));
        long offset = le.getLong(header + 24);
        long size = le.getLong(header + 32);
        if (le.getInt(header + 4) == 8 || size <= 0 || offset < 0 || offset > bytes.length || size > bytes.length - offset) {
            return -1;
        }
        return (int) (offset + random.nextLong(size));
    }
}
