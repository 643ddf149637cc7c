// An IPv4 source ACL in the style of XDP firewalls: the source address is looked up in an LPM trie of
// prefixes, whose value says drop or pass; the verdicts are counted in an array. Packets that are not IPv4
// pass uncounted; a source no prefix covers takes the default verdict (pass).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct ipv4_lpm_key {
    __u32 prefixlen;
    __u32 addr; // network byte order, as the trie compares bits from the first byte
};

enum acl_action { ACL_PASS = 0, ACL_DROP = 1 };

struct acl_rule {
    __u32 action;
    __u32 rule_id;
};

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __type(key, struct ipv4_lpm_key);
    __type(value, struct acl_rule);
    __uint(max_entries, 1024);
    __uint(map_flags, BPF_F_NO_PREALLOC);
} acl_v4 SEC(".maps");

// [0] passed, [1] dropped, [2] no rule matched.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 3);
} acl_stats SEC(".maps");

// The id of the rule that matched last, so a run shows which prefix won.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 1);
} last_rule SEC(".maps");

static __always_inline void count(__u32 slot)
{
    __u64 *n = bpf_map_lookup_elem(&acl_stats, &slot);
    if (n)
        __sync_fetch_and_add(n, 1);
}

SEC("xdp")
int xdp_acl(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_ABORTED;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end)
        return XDP_ABORTED;

    struct ipv4_lpm_key key = { .prefixlen = 32, .addr = ip->saddr };
    struct acl_rule *rule = bpf_map_lookup_elem(&acl_v4, &key);
    if (!rule) {
        count(2);
        return XDP_PASS;
    }
    __u32 zero = 0;
    __u32 *last = bpf_map_lookup_elem(&last_rule, &zero);
    if (last)
        *last = rule->rule_id;
    if (rule->action == ACL_DROP) {
        count(1);
        return XDP_DROP;
    }
    count(0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
