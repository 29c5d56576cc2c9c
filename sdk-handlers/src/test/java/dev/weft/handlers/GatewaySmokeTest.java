package dev.weft.handlers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testnet.ReferenceNetwork;
import java.nio.file.Path;
import java.util.Map;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewaySmokeTest {
    @TempDir
    Path dir;

    @Test
    void submitThenEvaluate_viaConnectionProfile_commitsValid() {
        try (ReferenceNetwork network = ReferenceNetwork.builder().start()) {
            Map<String, Path> profiles = network.writeTo(dir);
            ReferenceNetwork.User user = network.user("Org1MSP");
            try (Gateway gateway = Gateway.builder().identity(user.identity()).signer(user.signer())
                    .connectionProfile(profiles.get("Org1MSP")).build()) {
                Contract contract = gateway.network("mychannel").contract("basic");
                TxResult result = contract.newTransaction("CreateAsset").arguments("a1", "blue", "5", "Tom", "100").submit();
                assertEquals(TxValidationCode.VALID, result.validationCode());
                assertTrue(result.blockNumber() > 0);
                String asset = new String(contract.evaluate("ReadAsset", "a1"), UTF_8);
                assertTrue(asset.contains("Tom"), asset);
            }
        }
    }
}
