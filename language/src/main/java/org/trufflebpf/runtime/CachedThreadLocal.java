package org.trufflebpf.runtime;

import java.util.function.Supplier;

/**
 * A thread-local value with the last thread's entry kept in a plain field in front of it. Runs look up their
 * thread's records several times each; a {@link ThreadLocal} lookup walks a map that Truffle fills with many
 * entries, and cost more than a short program's own code, while one thread mostly runs after itself.
 *
 * <p>The field needs no synchronization: an entry never changes (its fields are final, so any thread that sees
 * one sees it whole), and an entry whose owner is not the current thread is ignored. The entry of the last
 * thread to miss stays referenced until another thread misses, so one dead thread's value may outlive it.
 */
public final class CachedThreadLocal<T> {
    private record Entry<T>(Thread owner, T value) {
    }

    private final ThreadLocal<Entry<T>> local;
    private Entry<T> last;

    public CachedThreadLocal(Supplier<? extends T> initial) {
        this.local = ThreadLocal.withInitial(() -> new Entry<>(Thread.currentThread(), initial.get()));
    }

    public T get() {
        Entry<T> entry = last;
        if (entry == null || entry.owner() != Thread.currentThread()) {
            entry = local.get();
            last = entry;
        }
        return entry.value();
    }
}
