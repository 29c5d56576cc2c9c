package dev.weft.handlers.internal;

import static dev.weft.handlers.internal.StepFixtures.failure;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.ManualScheduler;
import dev.weft.core.MspIdentity;
import dev.weft.core.PolicyNotSatisfiedException;
import dev.weft.core.TransactionStage;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import dev.weft.handlers.internal.StepFixtures.CountingReader;
import dev.weft.handlers.internal.StepFixtures.FakeOrderers;
import dev.weft.handlers.internal.StepFixtures.Terminal;
import dev.weft.handlers.internal.StepFixtures.UnusedCommits;
import dev.weft.testnet.ReferenceNetwork;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CheckPolicy against the channel config of a reference network, with the network's real peer
 * identities as verified endorsers.
 */
class CheckPolicyTest {
    private final ManualScheduler time = new ManualScheduler();
    private static ReferenceNetwork network;
    private static MspIdentity org1Peer;
    private static MspIdentity org2Peer;

    private CountingReader reader;
    private CheckPolicy step;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().start();
        Block genesis = network.genesisBlock("mychannel");
        ChannelConfig config = ChannelConfig.fromBlock(genesis);
        org1Peer = config.msps().validate(network.peer("Org1MSP").identity().serialized());
        org2Peer = config.msps().validate(network.peer("Org2MSP").identity().serialized());
    }

    @AfterAll
    static void stop() {
        if (network != null) {
            network.close();
        }
    }

    @BeforeEach
    void setUp() {
        reader = new CountingReader(network.genesisBlock("mychannel").toByteString());
        ReferenceNetwork.User user = network.user("Org1MSP");
        step = new CheckPolicy(StepFixtures.services(user.identity(), user.signer(), List.of(), FakeOrderers.unused(),
                new UnusedCommits(), new ChannelConfigs("mychannel", reader, time), time));
    }

    private static TxContext endorsedBy(ChaincodePolicy policy, MspIdentity... endorsers) {
        return StepFixtures.submitWithProposal().toBuilder().policy(policy).verifiedEndorsers(List.of(endorsers)).build();
    }

    @Test
    void handle_orPolicySatisfiedByOneOrg_proceedsUnchanged() throws Exception {
        TxContext context = endorsedBy(ChaincodePolicy.signature("OR('Org1MSP.peer','Org2MSP.peer')"), org2Peer);
        Terminal next = Terminal.returning("broadcast");

        TxResult result = StepFixtures.run(context, step, next).get(20, SECONDS);

        assertSame(context, next.only());
        assertEquals("broadcast", result.resultAsString());
    }

    @Test
    void handle_andPolicyWithOneOrg_failsMentioningPolicyText() throws Exception {
        ChaincodePolicy and = ChaincodePolicy.signature("AND('Org1MSP.peer','Org2MSP.peer')");
        TxContext context = endorsedBy(and, org1Peer);
        Terminal next = Terminal.returning("must not run");

        PolicyNotSatisfiedException error = assertInstanceOf(PolicyNotSatisfiedException.class,
                failure(StepFixtures.run(context, step, next)));

        assertTrue(error.getMessage().contains(and.toString()), error.getMessage());
        assertTrue(and.toString().contains("AND(") && and.toString().contains("Org2MSP.peer"), and.toString());
        assertTrue(error.getMessage().contains("Org1MSP"), "names who endorsed: " + error.getMessage());
        assertEquals(context.transactionId(), error.transactionId());
        assertEquals(TransactionStage.VALIDATE, error.stage());
        assertTrue(error.retryable());
        assertTrue(next.received.isEmpty(), "nothing may be submitted");
    }

    @Test
    void handle_andPolicyWithBothOrgs_proceeds() throws Exception {
        Terminal next = Terminal.returning("broadcast");

        StepFixtures.run(endorsedBy(ChaincodePolicy.signature("AND('Org1MSP.peer','Org2MSP.peer')"), org1Peer, org2Peer),
                step, next).get(20, SECONDS);

        assertEquals(1, next.received.size());
    }

    @Test
    void handle_noPolicyGivenAndOneOrg_failsOnChannelDefaultMajority() throws Exception {
        TxContext context = endorsedBy(null, org1Peer);
        Terminal next = Terminal.returning("must not run");

        PolicyNotSatisfiedException error = assertInstanceOf(PolicyNotSatisfiedException.class,
                failure(StepFixtures.run(context, step, next)));

        assertTrue(error.getMessage().contains(ChaincodePolicy.DEFAULT_REFERENCE), error.getMessage());
        assertTrue(next.received.isEmpty());
        assertEquals(1, reader.calls.get());
    }

    @Test
    void handle_noPolicyGivenAndBothOrgs_proceedsOnChannelDefaultMajority() throws Exception {
        Terminal next = Terminal.returning("broadcast");

        StepFixtures.run(endorsedBy(null, org1Peer, org2Peer), step, next).get(20, SECONDS);

        assertEquals(1, next.received.size());
    }

    @Test
    void handle_referenceToPolicyNotInConfig_failsSayingWhy() throws Exception {
        ChaincodePolicy missing = ChaincodePolicy.channelReference("/Channel/Application/NoSuchPolicy");
        Terminal next = Terminal.returning("must not run");

        PolicyNotSatisfiedException error = assertInstanceOf(PolicyNotSatisfiedException.class,
                failure(StepFixtures.run(endorsedBy(missing, org1Peer, org2Peer), step, next)));

        assertTrue(error.getMessage().contains("/Channel/Application/NoSuchPolicy"), error.getMessage());
        assertTrue(next.received.isEmpty());
    }
}
