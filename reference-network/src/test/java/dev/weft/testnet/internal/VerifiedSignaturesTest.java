package dev.weft.testnet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.ChannelConfig;
import dev.weft.core.MspIdentity;
import dev.weft.core.Signer;
import dev.weft.testnet.ReferenceNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared signature checks answer exactly as a fresh check would, whatever was checked before. */
class VerifiedSignaturesTest {
    private static ReferenceNetwork network;
    private static MspIdentity user;
    private static MspIdentity admin;
    private static Signer userSigner;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().start();
        ChannelConfig config = network.channelConfig(network.channel());
        user = config.msps().validate(network.user("Org1MSP").identity().serialized());
        admin = config.msps().validate(network.admin("Org1MSP").identity().serialized());
        userSigner = network.user("Org1MSP").signer();
    }

    @AfterAll
    static void stop() {
        network.close();
    }

    @Test
    void verify_sameCheckTwice_sameAnswerBothTimes() {
        VerifiedSignatures checks = new VerifiedSignatures();
        ByteString message = ByteString.copyFromUtf8("a transaction");
        ByteString signature = ByteString.copyFrom(userSigner.sign(message.toByteArray()));

        assertTrue(checks.verify(user, message, signature));
        assertTrue(checks.verify(user, message, signature));
    }

    @Test
    void verify_afterAValidCheck_anyChangedPartIsCheckedAfresh() {
        VerifiedSignatures checks = new VerifiedSignatures();
        ByteString message = ByteString.copyFromUtf8("a transaction");
        byte[] signed = userSigner.sign(message.toByteArray());
        ByteString signature = ByteString.copyFrom(signed);
        assertTrue(checks.verify(user, message, signature));

        byte[] tampered = signed.clone();
        tampered[tampered.length - 1] ^= 1;
        assertFalse(checks.verify(user, message, ByteString.copyFrom(tampered)), "tampered signature");
        assertFalse(checks.verify(user, ByteString.copyFromUtf8("another transaction"), signature), "other message");
        assertFalse(checks.verify(admin, message, signature), "another identity");
        // Moving bytes between message and signature must not reuse the valid answer.
        assertFalse(checks.verify(user, message.concat(signature.substring(0, 1)), signature.substring(1)),
                "shifted boundary");
    }

    @Test
    void verify_sameCheckByThreeNodes_rememberedOnce() {
        VerifiedSignatures checks = new VerifiedSignatures();
        ByteString message = ByteString.copyFromUtf8("checked by the orderer and both peers");
        ByteString signature = ByteString.copyFrom(userSigner.sign(message.toByteArray()));

        for (int node = 0; node < 3; node++) {
            assertTrue(checks.verify(user, message, signature));
        }
        assertEquals(1, checks.size());

        checks.verify(admin, message, signature);
        assertEquals(2, checks.size());
    }
}
