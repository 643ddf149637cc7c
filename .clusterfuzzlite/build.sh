#!/bin/bash -eu
# Builds the five Jazzer targets of tests/src/test/java/org/trufflebpf/tests/jazzer for ClusterFuzzLite / OSS-Fuzz:
# the classes and dependency jars go to $OUT, with one launcher script per target, as OSS-Fuzz's JVM projects do.
# Not run by our CI; .clusterfuzzlite/try-locally.sh runs it here (see README, "Coverage-guided fuzzing with Jazzer").
# The image's JDK 25 (Dockerfile); BUILD_JAVA_HOME names another.
export JAVA_HOME="${BUILD_JAVA_HOME:-/usr/lib/jvm/jdk-25}"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow"

# In one reactor run, so that the other modules resolve to their target/classes (nothing is installed).
mvn -B -ntp test-compile dependency:build-classpath -pl tests -am -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/deps.txt"

mkdir -p "$OUT/trufflebpf"
for module in language jit-x64 kernel launcher; do
  cp -r "$module/target/classes" "$OUT/trufflebpf/$module-classes"
done
cp -r tests/target/test-classes "$OUT/trufflebpf/tests-test-classes"
mkdir -p "$OUT/trufflebpf/lib"
tr ':' '\n' < "$WORK/deps.txt" | grep '\.jar$' | grep -v '/org/trufflebpf/' | xargs -I{} cp {} "$OUT/trufflebpf/lib/"
cp -r "$JAVA_HOME" "$OUT/jdk-25"

# Every jar by name: jazzer_driver starts the JVM with this as java.class.path, where no "lib/*" is expanded.
CLASSPATH='$this_dir/trufflebpf/tests-test-classes:$this_dir/trufflebpf/language-classes:$this_dir/trufflebpf/jit-x64-classes:$this_dir/trufflebpf/kernel-classes:$this_dir/trufflebpf/launcher-classes'
for jar in "$OUT"/trufflebpf/lib/*.jar; do
  CLASSPATH="$CLASSPATH:\$this_dir/trufflebpf/lib/$(basename "$jar")"
done
for target in ElfLoaderFuzzTest BtfParserFuzzTest AssemblerFuzzTest VerifierBytecodeFuzzTest DifferentialFuzzTest; do
  # Seeds: the committed Inputs folder of the target, zipped as OSS-Fuzz expects.
  (cd tests/src/test/resources/org/trufflebpf/tests/jazzer/${target}Inputs/* && zip -q "$OUT/${target}_seed_corpus.zip" *)
  cat > "$OUT/$target" <<SCRIPT
#!/bin/bash
# LLVMFuzzerTestOneInput for fuzzer detection.
this_dir=\$(dirname "\$0")
export JAVA_HOME="\$this_dir/jdk-25"
export LD_LIBRARY_PATH="\$JAVA_HOME/lib/server:\$this_dir"
"\$this_dir/jazzer_driver" --agent_path="\$this_dir/jazzer_agent_deploy.jar" --cp="$CLASSPATH" \
  --target_class=org.trufflebpf.tests.jazzer.$target --instrumentation_includes='org.trufflebpf.**' \
  --jvm_args="--enable-native-access=ALL-UNNAMED:--sun-misc-unsafe-memory-access=allow:-Dpolyglot.engine.WarnInterpreterOnly=false" \
  "\$@"
SCRIPT
  chmod +x "$OUT/$target"
done
