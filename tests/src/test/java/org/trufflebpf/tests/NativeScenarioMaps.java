package org.trufflebpf.tests;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.trufflebpf.jit.x64.NativeMaps;
import org.trufflebpf.jit.x64.NativeProgArray;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;

/**
 * Just enough map runtime for the native engine's scenario runs: array maps as native memory, prog arrays as
 * {@link NativeProgArray}s. (The shared runtime in the language module will replace it.)
 */
final class NativeScenarioMaps implements NativeMaps, AutoCloseable {
    private final List<MapDefinition> definitions;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] values;
    private final NativeProgArray[] progArrays;

    NativeScenarioMaps(List<MapDefinition> definitions) {
        this(definitions, null);
    }

    /** Maps with their own prog arrays but the array maps' memory of {@code valuesOf} (when not null). */
    NativeScenarioMaps(List<MapDefinition> definitions, NativeScenarioMaps valuesOf) {
        this.definitions = definitions;
        values = new MemorySegment[definitions.size()];
        progArrays = new NativeProgArray[definitions.size()];
        for (int i = 0; i < definitions.size(); i++) {
            MapDefinition map = definitions.get(i);
            if (map.type() == MapType.PROG_ARRAY) {
                progArrays[i] = new NativeProgArray(map.maxEntries());
            } else if (valuesOf != null) {
                values[i] = valuesOf.values[i];
            } else {
                values[i] = arena.allocate((long) map.valueSize() * map.maxEntries(), 8);
                values[i].fill((byte) 0);
                if (map.initialValue() != null) {
                    MemorySegment.copy(map.initialValue(), 0, values[i], ValueLayout.JAVA_BYTE, 0, map.initialValue().length);
                }
            }
        }
    }

    int index(String name) {
        for (int i = 0; i < definitions.size(); i++) {
            if (definitions.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no map " + name);
    }

    MemorySegment value(int index) {
        return values[index];
    }

    /** The memory a checked run may touch besides its stacks. */
    List<MemorySegment> accessible() {
        List<MemorySegment> result = new ArrayList<>();
        for (MemorySegment value : values) {
            if (value != null) {
                result.add(value);
            }
        }
        return result;
    }

    @Override
    public long mapPointer(int mapIndex) {
        check(mapIndex);
        return progArrays[mapIndex] != null ? progArrays[mapIndex].address() : values[mapIndex].address();
    }

    @Override
    public long valuePointer(int mapIndex, int offset) {
        check(mapIndex);
        if (values[mapIndex] == null) {
            throw new IllegalArgumentException("map " + mapIndex + " has no value memory");
        }
        return values[mapIndex].address() + offset;
    }

    @Override
    public boolean isProgArray(int mapIndex) {
        check(mapIndex);
        return progArrays[mapIndex] != null;
    }

    /** The prog array behind a map, or null. */
    NativeProgArray progArray(int mapIndex) {
        return progArrays[mapIndex];
    }

    private void check(int mapIndex) {
        if (mapIndex < 0 || mapIndex >= definitions.size()) {
            throw new IllegalArgumentException("no map " + mapIndex);
        }
    }

    @Override
    public void close() {
        for (NativeProgArray array : progArrays) {
            if (array != null) {
                array.close();
            }
        }
        arena.close();
    }
}
