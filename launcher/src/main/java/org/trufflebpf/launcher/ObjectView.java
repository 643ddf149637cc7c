package org.trufflebpf.launcher;

import java.io.IOException;
import java.nio.file.Path;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;

/**
 * A program file as the language reads it for the commands that print it rather than run it ({@code verify},
 * {@code disasm}, {@code inspect}): a context with {@code bpf.Prepare=false}, whose module answers through its
 * internal members ({@code listing}, {@code summary}, {@code verify}, ...). Errors in the file are guest
 * exceptions with the language's one-line message.
 */
final class ObjectView implements AutoCloseable {
    static final String ANY_FORMAT = "application/x-bpf";
    static final String ELF = "application/x-elf";

    private final Context context;
    private final Value module;

    private ObjectView(Context context, Value module) {
        this.context = context;
        this.module = module;
    }

    /**
     * Reads {@code file} under {@code name} (the name errors show); {@link #ANY_FORMAT} lets its bytes and name
     * decide the format, {@link #ELF} accepts an ELF object only. The context is built from the command's
     * {@code arguments} (with their polyglot options); {@code --context}, when given, is the program context every
     * program is verified with.
     */
    static ObjectView open(Path file, String name, String mimeType, Arguments arguments) throws IOException, UsageException, BadInputException {
        byte[] bytes = InputFiles.read(file, InputFiles.MAX_PROGRAM_BYTES, "a program");
        Context.Builder builder = arguments.contextBuilder().option("bpf.Prepare", "false");
        if (arguments.option("--context") != null) {
            builder.option("bpf.Context", arguments.option("--context"));
        }
        Context context = BpfCommand.buildContext(builder);
        try {
            return new ObjectView(context, context.eval(Source.newBuilder("bpf", ByteSequence.create(bytes), name).mimeType(mimeType).build()));
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** Calls one of the module's internal members; a String result for the printing ones. */
    Value invoke(String member, Object... arguments) {
        return module.invokeMember(member, arguments);
    }

    String text(String member, Object... arguments) {
        return invoke(member, arguments).asString();
    }

    @Override
    public void close() {
        context.close();
    }
}
