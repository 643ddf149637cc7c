package org.trufflebpf.truffle;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.graalvm.options.OptionType;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.runtime.TailCallAbi;

/**
 * The value types of the language's options that take one of a few names: the name is parsed once, when the
 * context is built, into the value the language reads; any other name is refused with a message that lists
 * the names allowed ({@code bpf.TailCallAbi takes counter-by-value or shared, not 'x'}).
 */
final class OptionTypes {
    private OptionTypes() {
    }

    static final OptionType<TailCallAbi> TAIL_CALL_ABI = oneOf("TailCallAbi", names(TailCallAbi.values(), TailCallAbi::optionName), TailCallAbi::byName);

    static final OptionType<EngineKind> ENGINE = oneOf("Engine", names(EngineKind.values(), EngineKind::optionName), EngineKind::byName);

    /** Empty follows each program's section; a type name overrides it. */
    static final OptionType<Optional<ProgramType>> CONTEXT = oneOf("Context", names(ProgramType.values(), ProgramType::shortName), OptionTypes::contextOverride);

    static final OptionType<Boolean> ENABLED = oneOf("KernelEngine", List.of("enabled", "disabled"),
                    value -> value.equals("enabled") ? Boolean.TRUE : value.equals("disabled") ? Boolean.FALSE : null);

    /**
     * Hex bytes (spaces and colons between them allowed, an optional 0x), e.g. the raw bytes of a context input;
     * empty for none.
     */
    static final OptionType<byte[]> HEX_BYTES = new OptionType<>("hex bytes", value -> {
        String digits = value.replaceAll("[\\s:]", "");
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
        }
        try {
            return HexFormat.of().parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bpf.ContextIn takes hex bytes, e.g. '00000000 07000000': " + e.getMessage());
        }
    });

    /** {@code parse} gives the value of a name, or null for anything else, which is refused listing {@code names}. */
    private static <T> OptionType<T> oneOf(String option, List<String> names, Function<String, T> parse) {
        String allowed = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        return new OptionType<>(option, value -> {
            T parsed = parse.apply(value);
            if (parsed == null) {
                throw new IllegalArgumentException("bpf." + option + " takes " + allowed + ", not '" + value + "'");
            }
            return parsed;
        });
    }

    private static <E> List<String> names(E[] values, Function<E, String> name) {
        return Arrays.stream(values).map(name).toList();
    }

    private static Optional<ProgramType> contextOverride(String value) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        ProgramType type = ProgramType.byName(value);
        return type == null ? null : Optional.of(type);
    }
}
