/**
 * Tells the input formats apart (ELF object, assembly, conformance file, raw bytecode) and loads each into the
 * program model.
 */
package org.trufflebpf.load;
