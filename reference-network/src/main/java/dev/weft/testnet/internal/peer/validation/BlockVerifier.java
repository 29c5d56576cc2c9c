package dev.weft.testnet.internal.peer.validation;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.InternalApi;
import dev.weft.core.internal.Blocks;
import dev.weft.testnet.internal.SignedData;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import java.time.Clock;
import java.time.Instant;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.SignatureHeader;

/**
 * The block-level checks a Fabric peer makes before it validates any transaction (its deliver
 * client's {@code VerifyBlock}): the block's number is the ledger's height, its header carries the
 * hash of the ledger's last block, its data hash matches its data, and one of its signatures
 * satisfies the channel's {@code /Channel/Orderer/BlockValidation} policy.
 *
 * <p>Stateless and thread-safe.
 */
@InternalApi
public final class BlockVerifier {
    /** The policy an orderer's block signature must satisfy. */
    public static final String BLOCK_VALIDATION = "/Channel/Orderer/BlockValidation";

    private final Clock clock;
    private final VerifiedSignatures signatures;

    /**
     * @param clock the time at which signers' certificates must be valid
     * @param signatures the network's shared signature checks
     */
    public BlockVerifier(Clock clock, VerifiedSignatures signatures) {
        this.clock = clock;
        this.signatures = signatures;
    }

    /**
     * Checks that {@code block} may be appended to {@code ledger}, whose current config is {@code config}.
     *
     * @throws BlockVerificationException naming the first check the block fails
     */
    public void verify(Block block, ChannelLedger ledger, ChannelConfig config) {
        long height = ledger.height();
        long number = block.getHeader().getNumber();
        if (number != height) {
            throw new BlockVerificationException("expected block " + height + " but received block " + number);
        }
        Block previous = ledger.block(height - 1);
        if (!Blocks.follows(previous.getHeader(), block.getHeader())) {
            throw new BlockVerificationException("block " + number + " does not carry the hash of block " + (number - 1));
        }
        if (!block.getHeader().getDataHash().equals(ByteString.copyFrom(Blocks.dataHash(block.getData())))) {
            throw new BlockVerificationException("block " + number + " has a data hash that does not match its data");
        }
        if (!signedAsBlockValidationRequires(block, config, clock.instant(), signatures)) {
            throw new BlockVerificationException("block " + number + " is not signed as " + BLOCK_VALIDATION
                    + " requires");
        }
    }

    /**
     * Whether a block carries orderer signatures that satisfy the channel's
     * {@code /Channel/Orderer/BlockValidation} policy: what peers check before committing, and
     * what a consenter checks of a block another orderer made.
     */
    public static boolean signedAsBlockValidationRequires(Block block, ChannelConfig config, Instant now,
            VerifiedSignatures signatures) {
        for (Blocks.BlockSignature signature : Blocks.signatures(block)) {
            try {
                SignatureHeader header = SignatureHeader.parseFrom(signature.signature().getSignatureHeader());
                SignedData signed = new SignedData(header.getCreator(), signature.signedBytes(),
                        signature.signature().getSignature());
                if (signed.check(config, BLOCK_VALIDATION, now, signatures).isEmpty()) {
                    return true;
                }
            } catch (InvalidProtocolBufferException e) {
                // not a usable signature; try the next one
            }
        }
        return false;
    }
}
