# a failed bpf_skb_get_tunnel_key zeroes the buffer: its tunnel_id reads 0 after (it held 0xffffffff)
# kernel r0: 0x0
.program main tc
    mov %r6, %r1
    stw [%r10-96], -1
    mov %r1, %r6
    mov %r2, %r10
    add %r2, -96
    mov %r3, 4
    mov %r4, 0
    call skb_get_tunnel_key
    ldxw %r0, [%r10-96]
    exit
