package org.trufflebpf.truffle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import org.trufflebpf.runtime.NativeMemory;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.InvalidArrayIndexException;
import com.oracle.truffle.api.interop.InvalidBufferOffsetException;
import com.oracle.truffle.api.interop.UnsupportedMessageException;
import com.oracle.truffle.api.interop.UnsupportedTypeException;

/**
 * Converts between guest values and the bytes of map keys, map values and program input: 1, 2, 4 and 8-byte
 * items are numbers (little-endian), everything else byte buffers or arrays of byte values.
 */
final class InteropBytes {
    private InteropBytes() {
    }

    /** The bytes of a buffer or of an array of numbers; null if the value is neither. */
    @TruffleBoundary
    static byte[] bytesOf(Object value) throws UnsupportedMessageException {
        InteropLibrary interop = InteropLibrary.getUncached(value);
        if (value instanceof ByteBufferObject buffer) {
            return buffer.bytes().clone();
        }
        // A Java byte[] from the host: copy it whole rather than element by element through interop.
        TruffleLanguage.Env env = BpfContext.get(null).env();
        Object host = env.isHostObject(value) ? env.asHostObject(value) : null;
        if (host instanceof byte[] hostBytes) {
            return hostBytes.clone();
        }
        // A host MemorySegment that is not run in place: its bytes now (FFM refuses a closed or foreign-thread one).
        if (host instanceof MemorySegment segment) {
            try {
                return segment.toArray(ValueLayout.JAVA_BYTE);
            } catch (IllegalStateException | WrongThreadException | IndexOutOfBoundsException e) {
                throw UnsupportedMessageException.create();
            }
        }
        if (interop.hasBufferElements(value)) {
            long size = interop.getBufferSize(value);
            byte[] bytes = new byte[(int) size];
            try {
                interop.readBuffer(value, 0, bytes, 0, bytes.length);
            } catch (InvalidBufferOffsetException e) {
                throw UnsupportedMessageException.create(e);
            }
            return bytes;
        }
        if (interop.hasArrayElements(value)) {
            long size = interop.getArraySize(value);
            byte[] bytes = new byte[(int) size];
            for (int i = 0; i < size; i++) {
                try {
                    Object element = interop.readArrayElement(value, i);
                    bytes[i] = (byte) InteropLibrary.getUncached(element).asLong(element);
                } catch (InvalidArrayIndexException e) {
                    throw UnsupportedMessageException.create(e);
                }
            }
            return bytes;
        }
        if (interop.isString(value)) {
            return interop.asString(value).getBytes(StandardCharsets.ISO_8859_1);
        }
        return null;
    }

    /** A key or value of exactly {@code size} bytes from a number or bytes. */
    @TruffleBoundary
    static byte[] toBytes(Object value, int size) throws UnsupportedTypeException {
        InteropLibrary interop = InteropLibrary.getUncached(value);
        try {
            if (interop.fitsInLong(value) && (size == 1 || size == 2 || size == 4 || size == 8)) {
                long number = interop.asLong(value);
                byte[] bytes = new byte[size];
                for (int i = 0; i < size; i++) {
                    bytes[i] = (byte) (number >>> (8 * i));
                }
                return bytes;
            }
            byte[] bytes = bytesOf(value);
            if (bytes != null && bytes.length == size) {
                return bytes;
            }
        } catch (UnsupportedMessageException e) {
            // fall through to the type error
        }
        throw UnsupportedTypeException.create(new Object[] {value}, "expected a number or " + size + " bytes");
    }

    /** The guest view of key or value bytes: a number for 1, 2, 4 and 8 bytes, else a buffer. */
    @TruffleBoundary
    static Object fromBytes(byte[] bytes) {
        return switch (bytes.length) {
            case 1, 2, 4, 8 -> NativeMemory.readLittleEndian(bytes);
            default -> new ByteBufferObject(bytes);
        };
    }
}
