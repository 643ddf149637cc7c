package org.trufflebpf.truffle.nodes;

import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.LoadedProgram;
import org.trufflebpf.runtime.maps.MapSet;

import com.oracle.truffle.api.CallTarget;

/** A program the interpreter can tail call into: its entry function and the maps it was loaded with. */
public interface TailCallTarget extends LoadedProgram {
    /** The entry function built for the calling run's tail-call ABI. */
    CallTarget entryTarget(TailCallAbi abi);

    MapSet maps();
}
