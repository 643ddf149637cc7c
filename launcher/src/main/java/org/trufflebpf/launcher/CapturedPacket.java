package org.trufflebpf.launcher;

/** One packet of a capture: its bytes as captured, when (nanoseconds since the epoch) and its length on the wire. */
record CapturedPacket(byte[] data, long timestampNanos, int originalLength) {
}
