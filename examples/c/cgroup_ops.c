// Asks a cgroup array the two questions production tc programs ask it (is this packet's socket, or the current
// task, inside the cgroup in slot N?) and keeps the helper's answer (1, 0, or a negated errno) in answers[0];
// packets in the cgroup pass, the others are dropped. The packet starts with a command: u32 slot, u32 helper
// (0: bpf_skb_under_cgroup, 1: bpf_current_task_under_cgroup).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
    __uint(max_entries, 4);
} cgroups SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __s64);
} answers SEC(".maps");

struct command {
    __u32 slot;
    __u32 helper;
};

SEC("tc")
int cgroup_ops(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct command *command = data;
    __u32 zero = 0;
    __s64 answer;

    if ((void *)(command + 1) > data_end)
        return TC_ACT_SHOT;
    if (command->helper == 1)
        answer = bpf_current_task_under_cgroup(&cgroups, command->slot);
    else
        answer = bpf_skb_under_cgroup(skb, &cgroups, command->slot);
    bpf_map_update_elem(&answers, &zero, &answer, BPF_ANY);
    return answer == 1 ? TC_ACT_OK : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
