package io.nova.fanout.protocol;

/**
 * A constant with a fixed spelling on the wire. The spelling is declared next to each constant rather
 * than derived from its Java name, so renaming a constant can never change the protocol.
 */
public interface WireValue {

    /** The exact string this value has in JSON. */
    String wireName();
}
