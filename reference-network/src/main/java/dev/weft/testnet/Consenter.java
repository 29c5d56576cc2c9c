package dev.weft.testnet;

import dev.weft.testnet.internal.orderer.SoloChain;

/**
 * A way of ordering, as Fabric's {@code consensus.Consenter}: it creates the {@link Chain} of each
 * channel the orderer serves. The reference network uses {@link #solo()} unless told otherwise.
 */
public interface Consenter {
    /** The {@code ConsensusType.type} this consenter implements, written into the channel config. */
    String type();

    /** Creates the chain of one channel; called once per channel when the orderer starts. */
    Chain handleChain(ConsenterSupport support);

    /** Solo ordering: one orderer, messages ordered as they arrive, on one thread per channel. */
    static Consenter solo() {
        return new Consenter() {
            @Override
            public String type() {
                return "solo";
            }

            @Override
            public Chain handleChain(ConsenterSupport support) {
                return new SoloChain(support);
            }

            @Override
            public String toString() {
                return "solo";
            }
        };
    }
}
