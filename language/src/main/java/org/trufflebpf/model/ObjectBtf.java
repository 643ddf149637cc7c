package org.trufflebpf.model;

import java.util.List;

/**
 * An ELF object's BTF as the kernel takes it ({@code BPF_BTF_LOAD}), with the key and value types each map
 * declares, so that the kernel engine can create maps with their types as libbpf does. Our engines do not read
 * it: they take sizes from {@link MapDefinition}.
 *
 * @param data     the {@code .BTF} section with its data sections' sizes and variable offsets filled in from the
 *                 ELF file (clang leaves them 0 in an object; the kernel refuses a data section of size 0)
 * @param mapTypes by map index: the BTF type ids of the map's key and value, {@link MapTypes#NONE} where the
 *                 object declares none (legacy maps, sizes given with {@code __uint}, prog arrays' values)
 */
public record ObjectBtf(byte[] data, List<MapTypes> mapTypes) {
    public ObjectBtf {
        mapTypes = List.copyOf(mapTypes);
    }

    /**
     * The BTF type ids of one map's key and value; 0 means none. A global-data map has no key type and its data
     * section as value type, as libbpf creates it.
     */
    public record MapTypes(int key, int value) {
        public static final MapTypes NONE = new MapTypes(0, 0);

        public boolean any() {
            return key != 0 || value != 0;
        }
    }

    /** The types of map {@code index}; NONE beyond the maps this BTF knows. */
    public MapTypes typesOf(int index) {
        return index >= 0 && index < mapTypes.size() ? mapTypes.get(index) : MapTypes.NONE;
    }
}
