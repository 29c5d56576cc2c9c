package dev.weft.testnet.internal.peer.validation;

import static dev.weft.testnet.internal.peer.CommitFixture.BASIC;
import static dev.weft.testnet.internal.peer.CommitFixture.GUARDED;
import static dev.weft.testnet.internal.peer.CommitFixture.OPEN;
import static dev.weft.testnet.internal.peer.CommitFixture.PEER1;
import static dev.weft.testnet.internal.peer.CommitFixture.PEER2;
import static dev.weft.testnet.internal.peer.CommitFixture.USER1;
import static dev.weft.testnet.internal.peer.CommitFixture.USER2;
import static dev.weft.testnet.internal.peer.CommitFixture.rwset;
import static dev.weft.testnet.internal.peer.CommitFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.TransactionId;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import dev.weft.testnet.internal.ledger.InMemoryBlockStore;
import dev.weft.testnet.internal.peer.CommitFixture;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-transaction checks on hand-built envelopes, with no peer around them: chaincodes are a
 * map of policies and the ledger holds only the blocks a test appends.
 */
class TransactionValidatorTest {
    private static final Map<String, ChaincodePolicy> POLICIES = Map.of(
            BASIC, ChaincodePolicy.channelDefault(),
            OPEN, ChaincodePolicy.signature("OR('Org1MSP.peer','Org2MSP.peer')"),
            GUARDED, ChaincodePolicy.signature("AND('Org1MSP.peer','Org2MSP.peer')"));

    private static ForkJoinPool pool;

    private final ChannelConfig config = CommitFixture.config();
    private ChannelLedger ledger;
    private TransactionValidator validator;

    @BeforeAll
    static void startPool() {
        pool = new ForkJoinPool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    @BeforeEach
    void genesisOnly() {
        ledger = new ChannelLedger(new InMemoryBlockStore());
        ledger.append(CommitFixture.genesis());
        validator = new TransactionValidator(CommitFixture.CHANNEL, ledger,
                name -> Optional.ofNullable(POLICIES.get(name)), new VerifiedSignatures(), Clock.systemUTC(), pool);
    }

    @Test
    void validate_endorsedByBothOrganisations_validWithTheEndorsedWrites() throws Exception {
        TxReadWriteSet writes = rwset(write(BASIC, "k", "v"));
        Envelope envelope = new CommitFixture.Tx().rwset(writes).build();

        ValidatedTransaction result = validator.validate(envelope.toByteString(), config);

        assertEquals(TxValidationCode.VALID, result.code());
        assertEquals(CommitFixture.txId(envelope), result.transactionId());
        assertEquals(writes, result.rwset());
        assertNull(result.newConfig());
    }

    @Test
    void validate_envelopeSignedByAnotherMember_badCreatorSignature() {
        Envelope envelope = new CommitFixture.Tx().envelopeSigner(USER2.signer()).writes(write(BASIC, "k", "v")).build();

        ValidatedTransaction result = validator.validate(envelope.toByteString(), config);

        assertEquals(TxValidationCode.BAD_CREATOR_SIGNATURE, result.code());
        assertNull(result.rwset(), "an invalid transaction carries nothing to commit");
    }

    @Test
    void validate_creatorFromACaNoChannelMspKnows_badCreatorSignature() {
        Envelope envelope = new CommitFixture.Tx().creator(CommitFixture.foreign("Org1MSP"))
                .writes(write(BASIC, "k", "v")).build();

        assertEquals(TxValidationCode.BAD_CREATOR_SIGNATURE, validator.validate(envelope.toByteString(), config).code());
    }

    @Test
    void validate_txIdNotDerivedFromNonceAndCreator_badProposalTxid() {
        String otherTxId = TransactionId.compute(TransactionId.newNonce(), USER1.identity().serialized());
        Envelope envelope = new CommitFixture.Tx().txId(otherTxId).writes(write(BASIC, "k", "v")).build();

        ValidatedTransaction result = validator.validate(envelope.toByteString(), config);

        assertEquals(TxValidationCode.BAD_PROPOSAL_TXID, result.code());
        assertEquals(otherTxId, result.transactionId());
    }

    @Test
    void validate_txIdAlreadyInTheLedger_duplicateTxid() {
        ByteString nonce = TransactionId.newNonce();
        Envelope committed = new CommitFixture.Tx().nonce(nonce).writes(write(BASIC, "k", "v1")).build();
        ledger.append(CommitFixture.cut(ledger, committed));
        // Same id, and also under-endorsed: the ledger check comes first, as in Fabric.
        Envelope again = new CommitFixture.Tx().nonce(nonce).endorsers(PEER1).writes(write(BASIC, "k", "v2")).build();

        assertEquals(TxValidationCode.DUPLICATE_TXID, validator.validate(again.toByteString(), config).code());
    }

    @Test
    void validate_sameEnvelopeTwiceInABlock_secondDuplicateTxid() {
        Envelope envelope = new CommitFixture.Tx().writes(write(BASIC, "k", "v")).build();
        Block block = CommitFixture.cut(ledger, envelope, envelope);

        assertEquals(List.of(TxValidationCode.VALID, TxValidationCode.DUPLICATE_TXID),
                codes(validator.validate(block, config)));
    }

    @Test
    void validate_invalidCopyOfATxIdBeforeAValidOne_validOneKeepsTheId() {
        ByteString nonce = TransactionId.newNonce();
        Envelope underEndorsed = new CommitFixture.Tx().nonce(nonce).endorsers(PEER1).writes(write(BASIC, "k", "v")).build();
        Envelope valid = new CommitFixture.Tx().nonce(nonce).writes(write(BASIC, "k", "v")).build();
        Envelope validAgain = new CommitFixture.Tx().nonce(nonce).writes(write(BASIC, "k", "w")).build();

        List<ValidatedTransaction> results = validator.validate(CommitFixture.cut(ledger, underEndorsed, valid, validAgain),
                config);

        assertEquals(List.of(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, TxValidationCode.VALID,
                TxValidationCode.DUPLICATE_TXID), codes(results));
        assertNull(results.get(2).rwset());
    }

    @Test
    void validate_endorsedByOneOrganisationUnderMajority_endorsementPolicyFailure() {
        Envelope envelope = new CommitFixture.Tx().endorsers(PEER1).writes(write(BASIC, "k", "v")).build();

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE,
                validator.validate(envelope.toByteString(), config).code());
    }

    @Test
    void validate_secondEndorsementSignatureTampered_endorsementPolicyFailure() throws Exception {
        Envelope envelope = withEndorsements(new CommitFixture.Tx().writes(write(BASIC, "k", "v")).build(),
                endorsements -> {
                    Endorsement second = endorsements.get(1);
                    byte[] signature = second.getSignature().toByteArray();
                    signature[signature.length - 1] ^= 1;
                    endorsements.set(1, second.toBuilder().setSignature(ByteString.copyFrom(signature)).build());
                });

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE,
                validator.validate(envelope.toByteString(), config).code());
    }

    @Test
    void validate_sameEndorserTwice_countsOnceAndFailsThePolicy() throws Exception {
        Envelope envelope = withEndorsements(new CommitFixture.Tx().endorsers(PEER1).writes(write(BASIC, "k", "v")).build(),
                endorsements -> endorsements.add(endorsements.get(0)));

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE,
                validator.validate(envelope.toByteString(), config).code());
    }

    @Test
    void validate_writeToANamespaceWhosePolicyTheEndorsersMiss_endorsementPolicyFailure() {
        Envelope envelope = new CommitFixture.Tx().chaincode(OPEN).endorsers(PEER2)
                .writes(write(OPEN, "k", "v"), write(GUARDED, "k", "v")).build();

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE,
                validator.validate(envelope.toByteString(), config).code());
    }

    @Test
    void validate_writeToANamespaceThatIsNoChaincode_illegalWriteset() {
        Envelope envelope = new CommitFixture.Tx().chaincode(OPEN).writes(write(OPEN, "k", "v"), write("nosuchcc", "k", "v"))
                .build();

        assertEquals(TxValidationCode.ILLEGAL_WRITESET, validator.validate(envelope.toByteString(), config).code());
    }

    @Test
    void validate_chaincodeNotDefined_invalidChaincode() {
        Envelope envelope = new CommitFixture.Tx().chaincode("nosuchcc").writes(write("nosuchcc", "k", "v")).build();

        assertEquals(TxValidationCode.INVALID_CHAINCODE, validator.validate(envelope.toByteString(), config).code());
    }

    @Test
    void validate_otherChannel_targetChainNotFound() {
        Envelope envelope = new CommitFixture.Tx().channel("otherchannel").writes(write(BASIC, "k", "v")).build();

        assertEquals(TxValidationCode.TARGET_CHAIN_NOT_FOUND, validator.validate(envelope.toByteString(), config).code());
    }

    @Test
    void validate_unreadableBytes_invalidOtherReasonWithoutTxId() {
        ValidatedTransaction result = validator.validate(ByteString.copyFrom(new byte[] {0x0A, (byte) 0xFF}), config);

        assertEquals(TxValidationCode.INVALID_OTHER_REASON, result.code());
        assertNull(result.transactionId());
    }

    @Test
    void validate_blockOfManyTransactions_sameResultsInBlockOrderAsOneByOne() {
        List<Envelope> envelopes = List.of(
                new CommitFixture.Tx().writes(write(BASIC, "a", "1")).build(),
                new CommitFixture.Tx().envelopeSigner(USER2.signer()).writes(write(BASIC, "b", "2")).build(),
                new CommitFixture.Tx().endorsers(PEER2).writes(write(BASIC, "c", "3")).build(),
                new CommitFixture.Tx().chaincode(OPEN).endorsers(PEER2).writes(write(OPEN, "d", "4")).build(),
                new CommitFixture.Tx().channel("otherchannel").writes(write(BASIC, "e", "5")).build(),
                new CommitFixture.Tx().chaincode(GUARDED).writes(write(GUARDED, "f", "6")).build());
        Block block = CommitFixture.cut(ledger, envelopes.toArray(new Envelope[0]));

        List<ValidatedTransaction> results = validator.validate(block, config);

        List<TxValidationCode> oneByOne = new ArrayList<>();
        for (Envelope e : envelopes) {
            oneByOne.add(validator.validate(e.toByteString(), config).code());
        }
        assertEquals(List.of(TxValidationCode.VALID, TxValidationCode.BAD_CREATOR_SIGNATURE,
                TxValidationCode.ENDORSEMENT_POLICY_FAILURE, TxValidationCode.VALID,
                TxValidationCode.TARGET_CHAIN_NOT_FOUND, TxValidationCode.VALID), codes(results));
        assertEquals(oneByOne, codes(results));
        assertEquals(rwset(write(GUARDED, "f", "6")), results.get(5).rwset());
    }

    @Test
    void validate_results_areImmutable() {
        Block block = CommitFixture.cut(ledger, new CommitFixture.Tx().writes(write(BASIC, "k", "v")).build());

        List<ValidatedTransaction> results = validator.validate(block, config);

        assertThrows(UnsupportedOperationException.class, () -> results.set(0, results.get(0)));
        assertThrows(IllegalArgumentException.class, () -> new ValidatedTransaction(TxValidationCode.MVCC_READ_CONFLICT,
                "tx", rwset(), null), "an invalid result with writes cannot be made");
        assertTrue(results.get(0).isValid());
    }

    private static List<TxValidationCode> codes(List<ValidatedTransaction> results) {
        return results.stream().map(ValidatedTransaction::code).toList();
    }

    private interface EndorsementChange {
        void change(List<Endorsement> endorsements);
    }

    /** The envelope with its endorsement list changed, re-signed by its creator. */
    private static Envelope withEndorsements(Envelope envelope, EndorsementChange change)
            throws InvalidProtocolBufferException {
        var payload = org.hyperledger.fabric.protos.common.Payload.parseFrom(envelope.getPayload());
        Transaction tx = Transaction.parseFrom(payload.getData());
        ChaincodeActionPayload action = ChaincodeActionPayload.parseFrom(tx.getActions(0).getPayload());
        List<Endorsement> endorsements = new ArrayList<>(action.getAction().getEndorsementsList());
        change.change(endorsements);
        ChaincodeActionPayload changed = action.toBuilder().setAction(action.getAction().toBuilder()
                .clearEndorsements().addAllEndorsements(endorsements)).build();
        Transaction changedTx = tx.toBuilder().setActions(0, tx.getActions(0).toBuilder()
                .setPayload(changed.toByteString())).build();
        return CommitFixture.signed(payload.toBuilder().setData(changedTx.toByteString()).build(), USER1.signer());
    }
}
