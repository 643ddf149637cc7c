package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trufflebpf.load.ObjectLoader;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;

/**
 * A lookup in a map of maps is typed as the kernel types it: maybe NULL ({@code map_value_or_null}) until
 * checked, then a map of the inner template's type and sizes, not memory. The programs of
 * {@code examples/c/loader/map_in_map_misuse.c}; the kernel's words are those Linux 6.18 logged for them.
 */
class MapInMapVerifierTest {
    private static BpfObject object() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("examples"))) {
            dir = dir.getParent();
        }
        return ObjectLoader.load(dir.resolve("examples/c/loader/map_in_map_misuse.o"));
    }

    private static Program program(BpfObject object, String name) {
        return object.programs().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theOuterMapCarriesItsInnerTemplateAndInitialSlotFromTheObject() throws IOException {
        MapDefinition outer = object().maps().stream().filter(m -> m.name().equals("outer")).findFirst().orElseThrow();
        assertEquals(MapType.ARRAY_OF_MAPS, outer.type());
        assertEquals(4, outer.valueSize());
        assertEquals(MapDefinition.of("outer.inner", MapType.ARRAY, 4, 8, 4).toString(), outer.inner().toString());
        assertEquals(Map.of(0, "inner"), outer.initialMaps());
        assertEquals(null, outer.problem());
        String summary = org.trufflebpf.elf.ProgramListing.summary(object());
        assertTrue(summary.contains("array_of_maps key    4  value      4  max_entries        2  flags 0x0  inner array key 4 value 8 max_entries 4 flags 0x0"
                        + "  initial {0=inner}"), summary);
    }

    @Test
    void aCheckedInnerMapIsUsableWithTheMapHelpers() throws IOException {
        assertTrue(Verifier.verify(program(object(), "correct")).isVerified());
    }

    @Test
    void misusesOfTheLookupResultAreRefusedInTheKernelsWords() throws IOException {
        BpfObject object = object();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("unchecked_inner", "R1 type=map_value_or_null expected=map_ptr");
        expected.put("update_outer", "cannot pass map_type 12 into func bpf_map_update_elem#2");
        expected.put("past_inner_value", "invalid access to map value, value_size=8 off=8 size=8");
        // The kernel allows reads of its struct bpf_map's fields here; our map objects are no memory at all.
        expected.put("read_inner_map", "holds a map reference, which only mov, calls and comparisons may use");
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(program(object, entry.getKey())), entry.getKey());
            assertTrue(error.getMessage().contains(entry.getValue()), entry.getKey() + ": " + error.getMessage());
            assertEquals(1, error.getMessage().lines().count(), error.getMessage());
        }
    }
}
