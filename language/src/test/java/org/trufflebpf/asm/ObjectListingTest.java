package org.trufflebpf.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.load.ObjectLoader;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;

/** The listing of an object is assembly that gives the same object back: programs, maps and global data. */
class ObjectListingTest {

    @Test
    void progArraySlotsAreListedInSlotOrderWhateverOrderTheyWereGivenIn() {
        StringBuilder text = new StringBuilder(".map jmp_table prog_array key=4 value=4 entries=8\n");
        for (int slot = 7; slot >= 0; slot--) {
            text.append(".slot jmp_table ").append(slot).append(" p\n");
        }
        text.append(".program p socket\nmov %r0, 0\nexit\n");
        String listing = ObjectListing.list(Assembler.assemble(text.toString(), "slots.s"));
        StringBuilder expected = new StringBuilder();
        for (int slot = 0; slot < 8; slot++) {
            expected.append(".slot jmp_table ").append(slot).append(" p\n");
        }
        assertEquals(expected.toString(), listing.lines().filter(l -> l.startsWith(".slot")).map(l -> l + "\n").reduce("", String::concat));
    }

    @TestFactory
    Stream<DynamicTest> exampleObjectsSurviveListingAndReassembly() throws IOException {
        Path examples = Path.of("../examples");
        try (Stream<Path> files = Files.walk(examples)) {
            return files.filter(p -> p.toString().endsWith(".o") || p.toString().endsWith(".s")).sorted().toList().stream()
                            .map(path -> DynamicTest.dynamicTest(examples.relativize(path).toString(), () -> roundTrip(path)));
        }
    }

    private static void roundTrip(Path path) throws IOException {
        BpfObject original = ObjectLoader.load(path);
        String listing = ObjectListing.list(original);
        BpfObject again = Assembler.assemble(listing, path.getFileName() + ".s");
        assertFalse(original.programs().isEmpty());
        assertEquals(original.programs().size(), again.programs().size(), listing);
        for (int i = 0; i < original.programs().size(); i++) {
            Program before = original.programs().get(i);
            Program after = again.programs().get(i);
            assertEquals(before.name(), after.name());
            assertEquals(before.type(), after.type());
            assertEquals(before.code(), after.code(), () -> "program " + before.name() + "\n" + listing);
        }
        assertEquals(original.maps().size(), again.maps().size());
        for (int i = 0; i < original.maps().size(); i++) {
            MapDefinition before = original.maps().get(i);
            MapDefinition after = again.maps().get(i);
            assertEquals(before.name(), after.name());
            assertEquals(before.type(), after.type());
            assertEquals(before.keySize(), after.keySize());
            assertEquals(before.valueSize(), after.valueSize());
            assertEquals(before.maxEntries(), after.maxEntries());
            assertEquals(before.flags(), after.flags());
            assertEquals(before.readOnly(), after.readOnly());
            assertEquals(before.initialPrograms(), after.initialPrograms());
            if (before.initialValue() != null) {
                assertArrayEquals(before.initialValue(), after.initialValue());
            }
        }
    }
}
