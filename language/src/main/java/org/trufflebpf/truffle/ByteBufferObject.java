package org.trufflebpf.truffle;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.InvalidBufferOffsetException;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnsupportedMessageException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/**
 * A copy of a map key or value that is not 1, 2, 4 or 8 bytes long, as a read-only interop buffer (and an array
 * of unsigned byte values, for languages without buffer support).
 *
 * <p>The array view is {@link #unsignedBytes}, the list type every other read-only sequence uses: each message
 * not exported here goes to it.
 */
@ExportLibrary(value = InteropLibrary.class, delegateTo = "unsignedBytes")
final class ByteBufferObject implements TruffleObject {
    private final byte[] bytes;
    final InteropArray unsignedBytes;

    ByteBufferObject(byte[] bytes) {
        this.bytes = bytes;
        this.unsignedBytes = new InteropArray(bytes.length, i -> bytes[i] & 0xff);
    }

    byte[] bytes() {
        return bytes;
    }

    @ExportMessage
    boolean hasBufferElements() {
        return true;
    }

    @ExportMessage
    long getBufferSize() {
        return bytes.length;
    }

    @ExportMessage
    boolean isBufferWritable() {
        return false;
    }

    private void check(long offset, long length) throws InvalidBufferOffsetException {
        if (offset < 0 || offset + length > bytes.length) {
            throw InvalidBufferOffsetException.create(offset, length);
        }
    }

    /** The {@code length} bytes at {@code offset}, checked, for a relative read in {@code order}. */
    @TruffleBoundary
    private ByteBuffer at(ByteOrder order, long offset, int length) throws InvalidBufferOffsetException {
        check(offset, length);
        return ByteBuffer.wrap(bytes, (int) offset, length).order(order);
    }

    @ExportMessage
    byte readBufferByte(long offset) throws InvalidBufferOffsetException {
        check(offset, 1);
        return bytes[(int) offset];
    }

    @ExportMessage
    @TruffleBoundary
    void readBuffer(long offset, byte[] destination, int destinationOffset, int length) throws InvalidBufferOffsetException {
        check(offset, length);
        System.arraycopy(bytes, (int) offset, destination, destinationOffset, length);
    }

    @ExportMessage
    short readBufferShort(ByteOrder order, long offset) throws InvalidBufferOffsetException {
        return at(order, offset, Short.BYTES).getShort();
    }

    @ExportMessage
    int readBufferInt(ByteOrder order, long offset) throws InvalidBufferOffsetException {
        return at(order, offset, Integer.BYTES).getInt();
    }

    @ExportMessage
    long readBufferLong(ByteOrder order, long offset) throws InvalidBufferOffsetException {
        return at(order, offset, Long.BYTES).getLong();
    }

    @ExportMessage
    float readBufferFloat(ByteOrder order, long offset) throws InvalidBufferOffsetException {
        return at(order, offset, Float.BYTES).getFloat();
    }

    @ExportMessage
    double readBufferDouble(ByteOrder order, long offset) throws InvalidBufferOffsetException {
        return at(order, offset, Double.BYTES).getDouble();
    }

    // InteropLibrary requires every write message wherever hasBufferElements is exported, with its exact
    // parameter types (one method cannot export several), so a read-only buffer refuses each one on its own.

    @ExportMessage
    void writeBufferByte(long offset, byte value) throws UnsupportedMessageException {
        throw UnsupportedMessageException.create();
    }

    @ExportMessage
    void writeBufferShort(ByteOrder order, long offset, short value) throws UnsupportedMessageException {
        throw UnsupportedMessageException.create();
    }

    @ExportMessage
    void writeBufferInt(ByteOrder order, long offset, int value) throws UnsupportedMessageException {
        throw UnsupportedMessageException.create();
    }

    @ExportMessage
    void writeBufferLong(ByteOrder order, long offset, long value) throws UnsupportedMessageException {
        throw UnsupportedMessageException.create();
    }

    @ExportMessage
    void writeBufferFloat(ByteOrder order, long offset, float value) throws UnsupportedMessageException {
        throw UnsupportedMessageException.create();
    }

    @ExportMessage
    void writeBufferDouble(ByteOrder order, long offset, double value) throws UnsupportedMessageException {
        throw UnsupportedMessageException.create();
    }
}
