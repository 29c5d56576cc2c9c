package dev.weft.handlers;

import dev.weft.core.ChaincodePolicy;

/** See {@link Contract}. */
final class ContractImpl implements Contract {
    private final NetworkImpl network;
    private final String chaincodeName;
    private final ChaincodePolicy policy;

    ContractImpl(NetworkImpl network, String chaincodeName, ChaincodePolicy policy) {
        this.network = network;
        this.chaincodeName = Checks.nonEmpty(chaincodeName, "chaincodeName");
        this.policy = policy;
    }

    @Override
    public String channelId() {
        return network.channelId();
    }

    @Override
    public String chaincodeName() {
        return chaincodeName;
    }

    @Override
    public byte[] submit(String function, String... arguments) {
        return newTransaction(function).arguments(arguments).submit().result();
    }

    @Override
    public byte[] evaluate(String function, String... arguments) {
        return newTransaction(function).arguments(arguments).evaluate();
    }

    @Override
    public Transaction newTransaction(String function) {
        return new TransactionImpl(network, network.newTransaction(chaincodeName, policy, function));
    }
}
