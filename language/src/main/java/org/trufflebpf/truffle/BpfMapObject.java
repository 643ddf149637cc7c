package org.trufflebpf.truffle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.runtime.maps.ArrayMap;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.CgroupArray;
import org.trufflebpf.runtime.maps.CorruptedRingBufferException;
import org.trufflebpf.runtime.maps.Errno;
import org.trufflebpf.runtime.maps.LoadedProgram;
import org.trufflebpf.runtime.maps.MapOfMaps;
import org.trufflebpf.runtime.maps.ProgArray;
import org.trufflebpf.runtime.maps.PerfEventArray;
import org.trufflebpf.runtime.maps.RingBuffer;
import org.trufflebpf.verifier.ProgramTypeRules;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.interop.ArityException;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.InvalidArrayIndexException;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.interop.UnknownKeyException;
import com.oracle.truffle.api.interop.UnsupportedMessageException;
import com.oracle.truffle.api.interop.UnsupportedTypeException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/**
 * A map seen from other languages. Arrays (including per-CPU arrays and prog arrays) are interop arrays
 * indexed by their u32 key; hash maps are interop hashes. Keys and values of 1, 2, 4 or 8 bytes are numbers,
 * others byte buffers; a per-CPU value is every CPU's value, each padded to 8 bytes. Prog array slots hold
 * programs (or null). A ring buffer has an invocable member {@code consume()} returning the submitted records.
 * An array of maps is an array, a hash of maps a hash, whose values are map objects of the same context (null or
 * removal empties an entry); both also have {@code update(key, map[, flags])}, {@code delete(key)} and
 * {@code lookup(key)}, with the kernel's errnos. Devmaps, cpumaps and xskmaps are hashes of their entries.
 */
@ExportLibrary(InteropLibrary.class)
public final class BpfMapObject implements TruffleObject {
    private final BpfMap map;

    BpfMapObject(BpfMap map) {
        this.map = map;
    }

    private boolean isArray() {
        return map instanceof ArrayMap || map instanceof ProgArray || map instanceof CgroupArray
                        || map instanceof MapOfMaps outer && outer.definition().type() == MapType.ARRAY_OF_MAPS;
    }

    BpfMap map() {
        return map;
    }

    /**
     * Puts a map (a {@link BpfMapObject} of this context) or, for null, no map into an entry of a map of maps;
     * a refusal is a guest error with the kernel's errno and why.
     */
    @TruffleBoundary
    private void setInner(MapOfMaps outer, byte[] key, Object value, long flags, String where) throws UnsupportedTypeException {
        long result;
        String reason = null;
        if (InteropLibrary.getUncached().isNull(value)) {
            result = outer.clearInner(key);
        } else if (value instanceof BpfMapObject inner) {
            reason = outer.mismatch(inner.map);
            result = outer.setInner(key, inner.map, flags);
            if (result == -Errno.EINVAL && reason == null && (inner.map.owner() == null || inner.map.owner().runtime() != outer.owner().runtime())) {
                reason = "the map belongs to another context";
            }
        } else {
            throw UnsupportedTypeException.create(new Object[] {value}, "an entry of a map of maps holds a map");
        }
        if (result != 0) {
            String why = result == -Errno.EINVAL && reason != null ? " (" + reason + ")" : "";
            throw BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, null, "update of " + map + " at " + where + " failed: " + Errno.name(result) + why), null);
        }
    }

    /** A cgroup array's slot takes a cgroup's path (a string), or null to empty it; a bad path is a guest error saying why. */
    @TruffleBoundary
    private void setCgroup(CgroupArray cgroups, long index, Object value) throws UnsupportedTypeException {
        InteropLibrary interop = InteropLibrary.getUncached();
        if (interop.isNull(value)) {
            cgroups.delete(BpfMap.keyOf((int) index));
            return;
        }
        if (!interop.isString(value)) {
            throw UnsupportedTypeException.create(new Object[] {value}, "a cgroup array slot holds a cgroup path such as /system.slice");
        }
        try {
            cgroups.set(index, interop.asString(value), BpfMap.BPF_ANY);
        } catch (UnsupportedMessageException e) {
            throw UnsupportedTypeException.create(new Object[] {value}, "a cgroup array slot holds a cgroup path such as /system.slice");
        } catch (IllegalArgumentException e) {
            throw BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, null, "update of " + map + " at " + index + " refused: " + e.getMessage()), null);
        }
    }

    @TruffleBoundary
    private static Object innerObject(MapOfMaps outer, byte[] key) {
        BpfMap inner = outer.inner(key);
        return inner == null ? NullValue.INSTANCE : new BpfMapObject(inner);
    }

    @TruffleBoundary
    private static RuntimeException failure(String what, long errno) {
        return BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, null, what + " failed: " + Errno.name(errno)),
                        null);
    }

    // Arrays.

    @ExportMessage
    boolean hasArrayElements() {
        return isArray();
    }

    @ExportMessage
    long getArraySize() throws UnsupportedMessageException {
        if (!isArray()) {
            throw UnsupportedMessageException.create();
        }
        return map.maxEntries();
    }

    @ExportMessage
    boolean isArrayElementReadable(long index) {
        return isArray() && index >= 0 && index < map.maxEntries();
    }

    @ExportMessage
    boolean isArrayElementModifiable(long index) {
        return isArrayElementReadable(index);
    }

    @ExportMessage
    boolean isArrayElementInsertable(@SuppressWarnings("unused") long index) {
        return false;
    }

    @ExportMessage
    @TruffleBoundary
    boolean isArrayElementRemovable(long index) {
        // Also for empty slots: removing one fails with ENOENT, as the kernel answers.
        return (map instanceof ProgArray || map instanceof MapOfMaps || map instanceof CgroupArray) && index >= 0 && index < map.maxEntries();
    }

    @ExportMessage
    @TruffleBoundary
    Object readArrayElement(long index) throws InvalidArrayIndexException, UnsupportedMessageException {
        if (!isArray()) {
            throw UnsupportedMessageException.create();
        }
        if (!isArrayElementReadable(index)) {
            throw InvalidArrayIndexException.create(index);
        }
        if (map instanceof ProgArray array) {
            LoadedProgram program = array.get(index);
            return program instanceof TruffleObject object ? object : NullValue.INSTANCE;
        }
        if (map instanceof MapOfMaps outer) {
            return innerObject(outer, BpfMap.keyOf((int) index));
        }
        if (map instanceof CgroupArray cgroups) {
            String path = cgroups.cgroup(index);
            return path == null ? NullValue.INSTANCE : path;
        }
        return InteropBytes.fromBytes(map.get(BpfMap.keyOf((int) index)));
    }

    @ExportMessage
    @TruffleBoundary
    void writeArrayElement(long index, Object value) throws InvalidArrayIndexException, UnsupportedMessageException, UnsupportedTypeException {
        if (!isArray()) {
            throw UnsupportedMessageException.create();
        }
        if (!isArrayElementReadable(index)) {
            throw InvalidArrayIndexException.create(index);
        }
        if (map instanceof ProgArray array) {
            if (value instanceof BpfProgram program) {
                if (program.context() != BpfContext.get(null)) {
                    // Its code, maps and runs belong to another context: tail calls may never leave their own.
                    throw UnsupportedTypeException.create(new Object[] {value}, "a prog array slot holds a program of its own context");
                }
                ProgramType type = program.type();
                String problem = ProgramTypeRules.tailCallTargetProblem(array.name(), array.adoptType(type), program.name(), type);
                if (problem == null) {
                    problem = program.tailCallTargetProblem();
                }
                if (problem != null) {
                    // A guest error, so that the host reads why (an UnsupportedTypeException reaches it without the reason).
                    throw BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, null, "update of " + map
                                    + " at " + index + " refused: " + problem), null);
                }
                array.set(index, program);
            } else if (InteropLibrary.getUncached().isNull(value)) {
                array.set(index, null);
            } else {
                throw UnsupportedTypeException.create(new Object[] {value}, "a prog array slot holds a bpf program");
            }
            return;
        }
        if (map instanceof MapOfMaps outer) {
            setInner(outer, BpfMap.keyOf((int) index), value, BpfMap.BPF_ANY, Long.toString(index));
            return;
        }
        if (map instanceof CgroupArray cgroups) {
            setCgroup(cgroups, index, value);
            return;
        }
        long result = map.put(BpfMap.keyOf((int) index), InteropBytes.toBytes(value, map.hostValueSize()), BpfMap.BPF_ANY);
        if (result != 0) {
            throw failure("update of " + map + " at " + index, result);
        }
    }

    @ExportMessage
    @TruffleBoundary
    void removeArrayElement(long index) throws UnsupportedMessageException, InvalidArrayIndexException {
        if (!(map instanceof ProgArray) && !(map instanceof MapOfMaps) && !(map instanceof CgroupArray)) {
            throw UnsupportedMessageException.create();
        }
        long result = map instanceof ProgArray array ? array.clear(index)
                        : map instanceof CgroupArray ? map.delete(BpfMap.keyOf((int) index)) : ((MapOfMaps) map).clearInner(BpfMap.keyOf((int) index));
        if (result == -Errno.E2BIG) {
            throw InvalidArrayIndexException.create(index);
        }
        if (result != 0) {
            throw failure("delete of slot " + index + " of " + map, result);
        }
    }

    // Hashes.

    @ExportMessage
    boolean hasHashEntries() {
        return !isArray() && !(map instanceof RingBuffer) && !(map instanceof PerfEventArray);
    }

    @ExportMessage
    @TruffleBoundary
    long getHashSize() throws UnsupportedMessageException {
        if (!hasHashEntries()) {
            throw UnsupportedMessageException.create();
        }
        return map.keys().size();
    }

    @TruffleBoundary
    private byte[] keyBytes(Object key) {
        try {
            return InteropBytes.toBytes(key, map.keySize());
        } catch (UnsupportedTypeException e) {
            return null;
        }
    }

    @ExportMessage
    @TruffleBoundary
    boolean isHashEntryReadable(Object key) {
        byte[] bytes = hasHashEntries() ? keyBytes(key) : null;
        return bytes != null && map.get(bytes) != null;
    }

    @ExportMessage
    @TruffleBoundary
    boolean isHashEntryModifiable(Object key) {
        return isHashEntryReadable(key);
    }

    @ExportMessage
    @TruffleBoundary
    boolean isHashEntryInsertable(Object key) {
        return hasHashEntries() && keyBytes(key) != null && !isHashEntryReadable(key);
    }

    @ExportMessage
    @TruffleBoundary
    boolean isHashEntryRemovable(Object key) {
        return isHashEntryReadable(key);
    }

    @ExportMessage
    @TruffleBoundary
    Object readHashValue(Object key) throws UnknownKeyException, UnsupportedMessageException {
        if (map instanceof MapOfMaps outer) {
            Object inner = innerObject(outer, keyOfEntry(key));
            if (inner == NullValue.INSTANCE) {
                throw UnknownKeyException.create(key);
            }
            return inner;
        }
        byte[] value = map.get(keyOfEntry(key));
        if (value == null) {
            throw UnknownKeyException.create(key);
        }
        return InteropBytes.fromBytes(value);
    }

    @ExportMessage
    @TruffleBoundary
    void writeHashEntry(Object key, Object value) throws UnsupportedMessageException, UnsupportedTypeException {
        if (!hasHashEntries()) {
            throw UnsupportedMessageException.create();
        }
        if (map instanceof MapOfMaps outer) {
            setInner(outer, InteropBytes.toBytes(key, map.keySize()), value, BpfMap.BPF_ANY, String.valueOf(key));
            return;
        }
        long result = map.put(InteropBytes.toBytes(key, map.keySize()), InteropBytes.toBytes(value, map.hostValueSize()), BpfMap.BPF_ANY);
        if (result != 0) {
            throw failure("update of " + map, result);
        }
    }

    @ExportMessage
    @TruffleBoundary
    void removeHashEntry(Object key) throws UnsupportedMessageException, UnknownKeyException {
        byte[] bytes = keyOfEntry(key);
        if ((map instanceof MapOfMaps outer ? outer.clearInner(bytes) : map.delete(bytes)) != 0) {
            throw UnknownKeyException.create(key);
        }
    }

    /** The bytes of a key an entry may have: a map without hash entries refuses, a key that cannot be one is unknown. */
    private byte[] keyOfEntry(Object key) throws UnsupportedMessageException, UnknownKeyException {
        if (!hasHashEntries()) {
            throw UnsupportedMessageException.create();
        }
        byte[] bytes = keyBytes(key);
        if (bytes == null) {
            throw UnknownKeyException.create(key);
        }
        return bytes;
    }

    @ExportMessage
    @TruffleBoundary
    Object getHashEntriesIterator() throws UnsupportedMessageException {
        if (!hasHashEntries()) {
            throw UnsupportedMessageException.create();
        }
        List<Object> entries = new ArrayList<>();
        for (byte[] key : map.keys()) {
            if (map instanceof MapOfMaps outer) {
                Object inner = innerObject(outer, key);
                if (inner != NullValue.INSTANCE) {
                    entries.add(new InteropArray(InteropBytes.fromBytes(key), inner));
                }
                continue;
            }
            byte[] value = map.get(key);
            if (value != null) {
                entries.add(new InteropArray(InteropBytes.fromBytes(key), InteropBytes.fromBytes(value)));
            }
        }
        return new InteropIterator(entries);
    }

    // Members: the ring buffer's and the perf event array's consumer.

    @ExportMessage
    boolean hasMembers() {
        return map instanceof RingBuffer || map instanceof PerfEventArray || map instanceof MapOfMaps;
    }

    @ExportMessage
    Object getMembers(@SuppressWarnings("unused") boolean includeInternal) {
        if (map instanceof MapOfMaps) {
            return new InteropArray("update", "delete", "lookup");
        }
        return map instanceof RingBuffer ? new InteropArray("consume") : map instanceof PerfEventArray ? new InteropArray("consume", "lost") : new InteropArray();
    }

    @ExportMessage
    boolean isMemberInvocable(String member) {
        if (map instanceof MapOfMaps) {
            return member.equals("update") || member.equals("delete") || member.equals("lookup");
        }
        return (map instanceof RingBuffer || map instanceof PerfEventArray) && member.equals("consume");
    }

    @ExportMessage
    boolean isMemberReadable(String member) {
        return map instanceof PerfEventArray && member.equals("lost");
    }

    /** {@code lost}: how many records a perf event array's full rings refused. */
    @ExportMessage
    @TruffleBoundary
    Object readMember(String member) throws UnknownIdentifierException {
        if (!(map instanceof PerfEventArray events) || !member.equals("lost")) {
            throw UnknownIdentifierException.create(member);
        }
        return events.lost();
    }

    /**
     * {@code consume()}: a ring buffer's submitted records, as buffers; a perf event array's records, each
     * {@code {cpu, data}}, CPU by CPU.
     */
    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] arguments) throws UnknownIdentifierException, UnsupportedTypeException, ArityException {
        if (map instanceof MapOfMaps outer) {
            return invokeOnMapOfMaps(outer, member, arguments);
        }
        if (map instanceof PerfEventArray events && member.equals("consume")) {
            List<Object> records = new ArrayList<>();
            for (PerfEventArray.Record record : events.consume()) {
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("cpu", record.cpu());
                fields.put("data", new ByteBufferObject(record.data()));
                records.add(new InteropRecord(fields));
            }
            return new InteropArray(records.toArray());
        }
        if (!(map instanceof RingBuffer ring) || !member.equals("consume")) {
            throw UnknownIdentifierException.create(member);
        }
        List<Object> records = new ArrayList<>();
        try {
            ring.consume(record -> records.add(new ByteBufferObject(record)));
        } catch (CorruptedRingBufferException e) {
            // A guest error, so embedders and the launcher print its one line rather than a host stack trace.
            throw BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, null, e.getMessage()), null);
        }
        return new InteropArray(records.toArray());
    }

    /**
     * A map of maps' members, as the kernel's syscall commands on it: {@code update(key, map[, flags])} with
     * BPF_ANY (0), BPF_NOEXIST (1) or BPF_EXIST (2); {@code delete(key)}; {@code lookup(key)}, the inner map or null.
     */
    private Object invokeOnMapOfMaps(MapOfMaps outer, String member, Object[] arguments) throws UnknownIdentifierException, UnsupportedTypeException, ArityException {
        InteropLibrary interop = InteropLibrary.getUncached();
        switch (member) {
            case "update" -> {
                if (arguments.length < 2 || arguments.length > 3) {
                    throw ArityException.create(2, 3, arguments.length);
                }
                long flags = 0;
                if (arguments.length == 3) {
                    try {
                        flags = interop.asLong(arguments[2]);
                    } catch (UnsupportedMessageException e) {
                        throw UnsupportedTypeException.create(arguments, "flags are a number");
                    }
                }
                if (interop.isNull(arguments[1])) {
                    throw UnsupportedTypeException.create(arguments, "update puts a map; delete empties an entry");
                }
                setInner(outer, InteropBytes.toBytes(arguments[0], outer.keySize()), arguments[1], flags, String.valueOf(arguments[0]));
                return NullValue.INSTANCE;
            }
            case "delete" -> {
                if (arguments.length != 1) {
                    throw ArityException.create(1, 1, arguments.length);
                }
                long result = outer.clearInner(InteropBytes.toBytes(arguments[0], outer.keySize()));
                if (result != 0) {
                    throw failure("delete of " + map + " at " + arguments[0], result);
                }
                return NullValue.INSTANCE;
            }
            case "lookup" -> {
                if (arguments.length != 1) {
                    throw ArityException.create(1, 1, arguments.length);
                }
                return innerObject(outer, InteropBytes.toBytes(arguments[0], outer.keySize()));
            }
            default -> throw UnknownIdentifierException.create(member);
        }
    }

    @ExportMessage
    @TruffleBoundary
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return map.toString();
    }
}
