package org.trufflebpf.fuzz;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * Which instruction forms a campaign's programs used, out of every valid one. The language defines the forms (an
 * opcode byte with the field that picks a variant: signed division, sign-extending move, byte-swap width, atomic
 * operation, call kind, {@code lddw} source) and lists them in a module's {@code facts()}: each program's
 * {@code forms} and all {@code validForms}; this class only counts them.
 */
public final class InstructionCoverage {
    private final Set<String> valid;
    private final Set<String> covered = new TreeSet<>();

    /** A tally over these valid forms (each starts with its class's name and a space). */
    public InstructionCoverage(Collection<String> valid) {
        this.valid = Collections.unmodifiableSet(new TreeSet<>(valid));
    }

    /** An empty tally over the same valid forms. */
    public InstructionCoverage fresh() {
        return new InstructionCoverage(valid);
    }

    /** A tally over the valid forms the language lists, asked of a context that only reads sources. */
    public static InstructionCoverage ofLanguage() {
        try (Context reader = QuietContexts.reader(Map.of())) {
            Value facts = reader.eval(Source.newBuilder("bpf", ".program p raw\n    exit\n", "forms.s").mimeType(DiffCase.ASM_MIME).buildLiteral())
                            .invokeMember("facts");
            return new InstructionCoverage(strings(facts.getMember("validForms")));
        }
    }

    /** The forms of every program of a case's source, read with {@code reader}; none when it does not load. */
    public static Set<String> formsOf(Context reader, DiffCase c) {
        Set<String> forms = new TreeSet<>();
        try {
            Value programs = reader.eval(c.source()).invokeMember("facts").getMember("programs");
            for (long i = 0; i < programs.getArraySize(); i++) {
                forms.addAll(strings(programs.getArrayElement(i).getMember("forms")));
            }
        } catch (PolyglotException e) {
            // A source that does not load covers nothing.
        }
        return forms;
    }

    private static List<String> strings(Value array) {
        List<String> list = new ArrayList<>();
        for (long i = 0; i < array.getArraySize(); i++) {
            list.add(array.getArrayElement(i).asString());
        }
        return list;
    }

    /** Adds forms; true when one of them was not covered before (forms that are not valid ones do not count). */
    public boolean add(Collection<String> forms) {
        boolean added = false;
        for (String form : forms) {
            added |= valid.contains(form) && covered.add(form);
        }
        return added;
    }

    /** Whether one of these forms is not covered yet. */
    public boolean wouldAdd(Collection<String> forms) {
        for (String form : forms) {
            if (valid.contains(form) && !covered.contains(form)) {
                return true;
            }
        }
        return false;
    }

    public int covered() {
        return covered.size();
    }

    public int total() {
        return valid.size();
    }

    /** Per instruction class, by name (alu32, alu64, jmp, ...): forms covered and valid. */
    public Map<String, int[]> byClass() {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (String form : valid) {
            int[] count = counts.computeIfAbsent(form.substring(0, form.indexOf(' ')), k -> new int[2]);
            count[1]++;
            if (covered.contains(form)) {
                count[0]++;
            }
        }
        return counts;
    }

    /** The valid forms no program used yet, sorted. */
    public List<String> uncovered() {
        return valid.stream().filter(f -> !covered.contains(f)).toList();
    }

    /** E.g. {@code 160/169 instruction forms (alu32 37/37, alu64 35/35, ...)}. */
    public String line() {
        StringBuilder sb = new StringBuilder().append(covered()).append('/').append(total()).append(" instruction forms (");
        String separator = "";
        for (Map.Entry<String, int[]> e : byClass().entrySet()) {
            sb.append(separator).append(e.getKey()).append(' ').append(e.getValue()[0]).append('/').append(e.getValue()[1]);
            separator = ", ";
        }
        return sb.append(')').toString();
    }
}
