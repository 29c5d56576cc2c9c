package dev.weft.core.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.BlockView;
import dev.weft.core.InternalApi;
import dev.weft.core.ProtocolException;
import dev.weft.core.TransactionStatus;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.LastConfig;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.MetadataSignature;
import org.hyperledger.fabric.protos.common.OrdererBlockMetadata;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;

/**
 * Block-level rules of Fabric: header hashing, data hashing, metadata slots, validation codes
 * and orderer signatures.
 *
 * <ul>
 *   <li>Header bytes = DER {@code SEQUENCE {INTEGER number, OCTET STRING previous_hash, OCTET STRING
 *       data_hash}}; block hash = SHA-256 of them; block N+1's {@code previous_hash} is block N's hash.
 *   <li>{@code data_hash} = SHA-256 of the plain concatenation of the {@code data} entries.
 *   <li>Metadata slot {@code TRANSACTIONS_FILTER} (2) holds one raw validation-code byte per
 *       transaction, written by the committing peer (empty in blocks from an orderer).
 *   <li>Slot {@code SIGNATURES} (0) holds {@code Metadata{value = OrdererBlockMetadata, signatures}};
 *       each signature covers {@code value ‖ signature_header ‖ header bytes}.
 * </ul>
 *
 * <p>Not API: the rules that nodes (and the SDK's own checks) apply; applications read blocks through
 * {@link BlockView}. Stateless and thread-safe.
 */
@InternalApi
public final class Blocks {
    private Blocks() {
    }

    /** The ASN.1 DER encoding of a block header that Fabric hashes and signs. */
    public static byte[] headerBytes(BlockHeader header) {
        ASN1EncodableVector v = new ASN1EncodableVector(3);
        v.add(new ASN1Integer(new BigInteger(Long.toUnsignedString(header.getNumber()))));
        v.add(new DEROctetString(header.getPreviousHash().toByteArray()));
        v.add(new DEROctetString(header.getDataHash().toByteArray()));
        try {
            return new DERSequence(v).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding to memory cannot fail", e);
        }
    }

    /** SHA-256 of {@link #headerBytes}: the value the next block carries as {@code previous_hash}. */
    public static byte[] headerHash(BlockHeader header) {
        return Hashing.sha256(headerBytes(header));
    }

    /** SHA-256 over the concatenated data entries, as {@code BlockHeader.data_hash} must hold. */
    public static byte[] dataHash(BlockData data) {
        MessageDigest digest = Hashing.sha256();
        for (ByteString entry : data.getDataList()) {
            for (var buffer : entry.asReadOnlyByteBufferList()) {
                digest.update(buffer);
            }
        }
        return digest.digest();
    }

    /** Whether {@code next} follows {@code previous}: consecutive numbers and a matching hash. */
    public static boolean follows(BlockHeader previous, BlockHeader next) {
        return next.getNumber() == previous.getNumber() + 1
                && next.getPreviousHash().equals(ByteString.copyFrom(headerHash(previous)));
    }

    /** The metadata entry at an index, or empty bytes when the block has fewer entries. */
    public static ByteString metadata(Block block, BlockMetadataIndex index) {
        int i = index.getNumber();
        return block.getMetadata().getMetadataCount() > i ? block.getMetadata().getMetadata(i) : ByteString.EMPTY;
    }

    /**
     * The raw TRANSACTIONS_FILTER: byte {@code i} is the {@code TxValidationCode} of transaction
     * {@code i}. Empty for blocks that did not come from a committing peer.
     */
    public static byte[] validationCodes(Block block) {
        return metadata(block, BlockMetadataIndex.TRANSACTIONS_FILTER).toByteArray();
    }

    /**
     * The index of the last config block, from the orderer metadata in the SIGNATURES slot (Fabric
     * 2.x), falling back to the deprecated LAST_CONFIG slot.
     *
     * @throws ProtocolException if neither slot can be decoded
     */
    @SuppressWarnings("deprecation") // LAST_CONFIG is deprecated but still written by Fabric 2.x orderers
    public static long lastConfigIndex(Block block) {
        try {
            ByteString signatures = metadata(block, BlockMetadataIndex.SIGNATURES);
            if (!signatures.isEmpty()) {
                Metadata metadata = Metadata.parseFrom(signatures);
                if (!metadata.getValue().isEmpty()) {
                    return OrdererBlockMetadata.parseFrom(metadata.getValue()).getLastConfig().getIndex();
                }
            }
            ByteString lastConfig = metadata(block, BlockMetadataIndex.LAST_CONFIG);
            if (lastConfig.isEmpty()) {
                return 0;
            }
            return LastConfig.parseFrom(Metadata.parseFrom(lastConfig).getValue()).getIndex();
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("block " + block.getHeader().getNumber() + " has malformed orderer metadata", e);
        }
    }

    /**
     * The orderer signatures of a block, each with the exact bytes it signs. Empty for a genesis
     * block made by configtxgen, which is unsigned.
     *
     * @throws ProtocolException if the SIGNATURES slot cannot be decoded
     */
    public static List<BlockSignature> signatures(Block block) {
        ByteString slot = metadata(block, BlockMetadataIndex.SIGNATURES);
        if (slot.isEmpty()) {
            return List.of();
        }
        Metadata metadata;
        try {
            metadata = Metadata.parseFrom(slot);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("block " + block.getHeader().getNumber() + " has a malformed SIGNATURES entry", e);
        }
        ByteString header = ByteString.copyFrom(headerBytes(block.getHeader()));
        List<BlockSignature> result = new ArrayList<>(metadata.getSignaturesCount());
        for (MetadataSignature signature : metadata.getSignaturesList()) {
            ByteString idHeader = signature.getSignatureHeader().isEmpty()
                    ? signature.getIdentifierHeader() : signature.getSignatureHeader();
            result.add(new BlockSignature(signature, metadata.getValue().concat(idHeader).concat(header)));
        }
        return List.copyOf(result);
    }

    /** One orderer signature over a block: the signature metadata and the bytes it covers. */
    public record BlockSignature(MetadataSignature signature, ByteString signedBytes) {
    }

    /**
     * The status of every transaction in a block from a committing peer, in block order.
     *
     * @throws ProtocolException if the block has no TRANSACTIONS_FILTER (an orderer's copy) or an
     *     envelope cannot be parsed
     */
    public static List<TransactionStatus> transactionStatuses(Block block) {
        BlockView view = BlockView.of(block);
        byte[] codes = validationCodes(block);
        if (codes.length != view.transactionCount()) {
            throw new ProtocolException("block " + view.number() + " has " + codes.length
                    + " validation codes for " + view.transactionCount() + " transactions; is it an orderer's copy?");
        }
        List<TransactionStatus> result = new ArrayList<>(codes.length);
        for (int i = 0; i < codes.length; i++) {
            result.add(new TransactionStatus(view.transaction(i).transactionId(), view.number(), i, codes[i] & 0xFF));
        }
        return List.copyOf(result);
    }

    /** The status of every transaction in a filtered block, in block order. */
    public static List<TransactionStatus> transactionStatuses(FilteredBlock block) {
        List<TransactionStatus> result = new ArrayList<>(block.getFilteredTransactionsCount());
        int i = 0;
        for (FilteredTransaction tx : block.getFilteredTransactionsList()) {
            result.add(new TransactionStatus(tx.getTxid(), block.getNumber(), i++, tx.getTxValidationCodeValue()));
        }
        return List.copyOf(result);
    }
}
