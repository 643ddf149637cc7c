package org.trufflebpf.tests.jazzer;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.trufflebpf.elf.BtfTypes;
import org.trufflebpf.model.BpfError;

/**
 * Any bytes given as a {@code .BTF} section are parsed or refused in one line naming the file, and every type of a
 * parsed section can be asked what the loader asks (its name, size, members, references) with the same two
 * outcomes. Seeds: {@code .BTF} sections of small clang objects, in {@code BtfParserFuzzTestInputs}.
 */
public class BtfParserFuzzTest {
    private static final String FILE = "fuzzed.o";

    @FuzzTest(maxDuration = "20s")
    void anyBtfSectionParsesOrIsRefusedInOneLine(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** The entry point of the Jazzer CLI and of OSS-Fuzz / ClusterFuzzLite. */
    public static void fuzzerTestOneInput(byte[] data) {
        BtfTypes types;
        try {
            types = BtfTypes.parse(data, FILE);
        } catch (BpfError refused) {
            CleanRefusals.require(refused, FILE);
            return;
        }
        for (int id = 1; id <= types.count(); id++) {
            try {
                ask(types, id);
            } catch (BpfError refused) {
                CleanRefusals.require(refused, FILE);
            }
        }
    }

    /** The questions the loader asks of a type of this kind. */
    private static void ask(BtfTypes types, int id) {
        types.name(id);
        types.skipModifiers(id);
        switch (types.kind(id)) {
            case STRUCT, UNION -> types.members(id);
            case ENUM, ENUM64 -> types.enumerators(id);
            case INT -> types.intEncoding(id);
            case ARRAY -> types.array(id);
            case DATASEC -> {
                types.datasecEntries(id);
                types.findDatasec(types.name(id));
            }
            case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, VAR, DECL_TAG, TYPE_TAG -> types.referencedType(id);
            default -> {
            }
        }
        types.sizeOf(id);
    }
}
