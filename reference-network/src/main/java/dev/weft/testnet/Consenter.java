package dev.weft.testnet;

import dev.weft.testnet.internal.orderer.SoloChain;

/**
 * A way of ordering, as Fabric's {@code consensus.Consenter}: it creates the {@link Chain} of each
 * channel the orderer serves. The reference network uses {@link #solo()} unless told otherwise.
 */
public interface Consenter {
    /** The {@code ConsensusType.type} this consenter implements, written into the channel config. */
    String type();

    /**
     * Creates the chain of one channel; called once per channel when the orderer starts.
     *
     * @param lastConsenterMetadata the consenter metadata the last block of the channel's ledger
     *     carries (in its {@code SIGNATURES} slot's {@code OrdererBlockMetadata}), so that a chain
     *     resumes where it stopped; empty for a new chain
     */
    Chain handleChain(ConsenterSupport support, byte[] lastConsenterMetadata);

    /** Solo ordering: one orderer, messages ordered as they arrive, on one thread per channel. */
    static Consenter solo() {
        return new Consenter() {
            @Override
            public String type() {
                return "solo";
            }

            @Override
            public Chain handleChain(ConsenterSupport support, byte[] lastConsenterMetadata) {
                return new SoloChain(support);
            }

            @Override
            public String toString() {
                return "solo";
            }
        };
    }
}
