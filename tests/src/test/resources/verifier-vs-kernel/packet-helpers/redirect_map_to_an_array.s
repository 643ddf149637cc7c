# Packet helpers and perf event arrays (issue 17): redirect map to an array.
# ours: rejected: cannot pass map_type 2 into func bpf_redirect_map#51 (map 'ports')
# kernel: rejected: cannot pass map_type 2 into func bpf_redirect_map#51
.map ports array key=4 value=4 entries=4
.program main xdp
    lddw %r1, map:ports
    mov %r2, 0
    mov %r3, 0
    call redirect_map
    exit
