package dev.weft.core.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.weft.core.InternalApi;
import dev.weft.core.Signer;
import dev.weft.core.TransactionId;
import dev.weft.core.X509Identity;
import java.time.Instant;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;

/** Fabric's {@code protoutil.CreateSignedEnvelope}: a payload of some type for a channel, signed by its creator. */
@InternalApi
public final class Envelopes {
    private Envelopes() {
    }

    /**
     * An envelope whose payload has a channel header (the type, the channel, {@code now}; no
     * transaction id, epoch 0), a signature header (the creator and a fresh nonce) and the data,
     * with the creator's signature over the payload.
     */
    public static Envelope signed(HeaderType type, String channelId, X509Identity creator, Signer signer,
            ByteString data, Instant now) {
        ChannelHeader channelHeader = ChannelHeader.newBuilder().setType(type.getNumber()).setChannelId(channelId)
                .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .build();
        SignatureHeader signatureHeader = SignatureHeader.newBuilder().setCreator(creator.serialized())
                .setNonce(TransactionId.newNonce()).build();
        ByteString payload = Payload.newBuilder()
                .setHeader(Header.newBuilder().setChannelHeader(channelHeader.toByteString())
                        .setSignatureHeader(signatureHeader.toByteString()))
                .setData(data).build().toByteString();
        return Envelope.newBuilder().setPayload(payload)
                .setSignature(ByteString.copyFrom(signer.sign(payload.toByteArray()))).build();
    }
}
