#!/usr/bin/env python3
"""Writes the example captures (no tcpdump/text2pcap here): the same 24 Ethernet packets as a classic
little-endian microsecond pcap, a big-endian nanosecond pcap, and a little-endian pcapng with enhanced and
simple packet blocks. Run from this folder: python3 make_captures.py"""
import struct

A = bytes.fromhex("020000000001")
B = bytes.fromhex("020000000002")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(protocol, payload, tos=0):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), 1, 0, 64, protocol, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return A + B + b"\x08\x00" + header + payload


def tcp(dport, payload=b""):
    return ipv4(6, struct.pack("!HHIIBBHHH", 40000, dport, 1, 0, 0x50, 0x18, 8192, 0, 0) + payload)


def udp(dport, payload=b""):
    return ipv4(17, struct.pack("!HHHH", 40000, dport, 8 + len(payload), 0) + payload)


def icmp_echo(seq):
    return ipv4(1, struct.pack("!BBHHH", 8, 0, 0, 7, seq) + b"ping" * 4)


arp = B + A + b"\x08\x06" + bytes.fromhex("0001080006040001") + A + bytes([10, 0, 0, 1]) + bytes(6) + bytes([10, 0, 0, 2])
ipv6 = A + B + b"\x86\xdd" + bytes.fromhex("6000000000081140") + bytes(15) + b"\x01" + bytes(15) + b"\x02" + struct.pack("!HHHH", 1, 2, 8, 0)
packets = [
    arp, tcp(22, b"SSH-2.0-x\r\n"), tcp(80, b"GET / HTTP/1.0\r\n\r\n"), udp(53, b"\x12\x34" + bytes(10)), icmp_echo(1),
    tcp(23, b"login"), udp(9, b"discard me"), ipv6, tcp(443, bytes(100)), udp(6000, b"x11"),
    icmp_echo(2), tcp(6000), ipv4(47, bytes(8)), A + B + b"\x08\x00" + b"\x45\x00", tcp(22, b"ls\n"),
    udp(123, bytes(48)), tcp(80, b"x" * 300), udp(9), icmp_echo(3), arp, tcp(23), udp(53, bytes(30)),
    tcp(8080, b"hello"), ipv6,
]
times = [(1700000000 + i, 1000 * i + 7) for i in range(len(packets))]  # (seconds, microseconds)

with open("mixed.pcap", "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for (s, us), p in zip(times, packets):
        f.write(struct.pack("<IIII", s, us, len(p), len(p)) + p)

with open("mixed-be-nanos.pcap", "wb") as f:
    f.write(struct.pack(">IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
    for (s, us), p in zip(times, packets):
        f.write(struct.pack(">IIII", s, us * 1000, len(p), len(p)) + p)


def block(kind, body):
    body += bytes(-len(body) % 4)
    return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


with open("mixed.pcapng", "wb") as f:
    f.write(block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1)))
    # if_tsresol 9: nanosecond timestamps; then the end-of-options marker.
    f.write(block(1, struct.pack("<HHI", 1, 0, 65535) + struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)))
    for i, ((s, us), p) in enumerate(zip(times, packets)):
        if i == 5:
            f.write(block(3, struct.pack("<I", len(p)) + p))  # a simple packet block (no timestamp)
        else:
            ns = s * 1_000_000_000 + us * 1000
            f.write(block(6, struct.pack("<IIIII", 0, ns >> 32, ns & 0xffffffff, len(p), len(p)) + p))
