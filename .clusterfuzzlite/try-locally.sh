#!/bin/bash
# Builds the Jazzer targets with build.sh as ClusterFuzzLite would (into a temporary $OUT, without Docker) and
# fuzzes each launcher for a few seconds from its seed corpus, through a stand-in for the base image's
# jazzer_driver: the JVM gets the launcher's --cp as its class path and --jvm_args split at ':', and Jazzer's own
# main class takes the rest. It checks what Docker cannot here: that build.sh runs under bash -eu, that the class
# path it writes names every jar, and that each target starts, loads its seeds and fuzzes.
# Usage: .clusterfuzzlite/try-locally.sh [SECONDS per target, default 10]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bin/java25-env"
SECONDS_EACH=${1:-10}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
mkdir -p "$DIR/out" "$DIR/work"
(cd "$ROOT" && OUT="$DIR/out" WORK="$DIR/work" BUILD_JAVA_HOME="$JAVA_HOME" bash -eu .clusterfuzzlite/build.sh) > "$DIR/build.log" 2>&1 \
  || { tail -20 "$DIR/build.log"; echo "build.sh failed"; exit 1; }
cat > "$DIR/out/jazzer_driver" <<'DRIVER'
#!/bin/bash
cp=; jvm=(); args=()
for a in "$@"; do
  case $a in
    --agent_path=*) ;;
    --cp=*) cp=${a#--cp=} ;;
    --jvm_args=*) IFS=: read -ra jvm <<< "${a#--jvm_args=}" ;;
    *) args+=("$a") ;;
  esac
done
exec "$JAVA_HOME/bin/java" "${jvm[@]}" -Djava.class.path="$cp" com.code_intelligence.jazzer.Jazzer "${args[@]}"
DRIVER
chmod +x "$DIR/out/jazzer_driver"
failed=0
for launcher in "$DIR"/out/*FuzzTest; do
  target=$(basename "$launcher")
  corpus="$DIR/corpus-$target"
  mkdir -p "$corpus" && (cd "$corpus" && unzip -q "$DIR/out/${target}_seed_corpus.zip")
  if "$launcher" "$corpus" -max_total_time="$SECONDS_EACH" > "$DIR/$target.log" 2>&1; then
    echo "$target: $(grep -E '^Done [0-9]+ runs' "$DIR/$target.log"), $(grep -oE 'cov: [0-9]+' "$DIR/$target.log" | tail -1) edges"
  else
    echo "$target: failed"; tail -20 "$DIR/$target.log"; failed=1
  fi
done
exit $failed
