package dev.weft.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.hyperledger.fabric.protos.peer.ChaincodeCall;

/**
 * A chaincode a transaction touches, and the private data collections it uses there: one entry of
 * the chaincode interest Fabric's discovery service plans endorsement for (a {@code ChaincodeCall}).
 * A transaction that calls another chaincode, or writes a collection whose endorsement policy
 * differs from its chaincode's, names them so that the endorsers chosen satisfy every policy
 * involved. Immutable.
 *
 * <pre>{@code
 * contract.newTransaction("TransferWithToken")
 *         .discoveryInterest(InvokedChaincode.of("basic").withCollections("_implicit_org_Org1MSP"),
 *                            InvokedChaincode.of("token"))
 *         .submit();
 * }</pre>
 *
 * @param name the chaincode's name
 * @param collections the collections it reads or writes, none for public state only
 * @param noPrivateReads whether the transaction only writes those collections (then a peer need
 *     not be a member of a collection to endorse)
 */
public record InvokedChaincode(String name, List<String> collections, boolean noPrivateReads) {
    public InvokedChaincode {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("the chaincode name must not be empty");
        }
        Objects.requireNonNull(collections, "collections");
        for (String collection : collections) {
            if (collection == null || collection.isEmpty()) {
                throw new IllegalArgumentException("chaincode " + name + ": a collection name must not be null or empty");
            }
        }
        collections = List.copyOf(collections);
    }

    /** A chaincode's public state only. */
    public static InvokedChaincode of(String name) {
        return new InvokedChaincode(name, List.of(), false);
    }

    /** This chaincode with these collections besides any already named. */
    public InvokedChaincode withCollections(String... names) {
        List<String> all = new ArrayList<>(collections);
        all.addAll(Arrays.asList(names));
        return new InvokedChaincode(name, all, noPrivateReads);
    }

    /** This chaincode, its collections written but never read. */
    public InvokedChaincode withoutPrivateReads() {
        return new InvokedChaincode(name, collections, true);
    }

    /** As the {@code ChaincodeCall} of a discovery query. */
    public ChaincodeCall toProto() {
        return ChaincodeCall.newBuilder().setName(name).addAllCollectionNames(collections)
                .setNoPrivateReads(noPrivateReads).build();
    }

    /**
     * The interest of a transaction on {@code chaincode}: the chaincodes given, with
     * {@code chaincode} itself first (added, public state only, when not among them).
     *
     * @throws IllegalArgumentException if a chaincode is named twice
     */
    public static List<InvokedChaincode> interest(String chaincode, List<InvokedChaincode> given) {
        if (given.stream().map(InvokedChaincode::name).distinct().count() != given.size()) {
            throw new IllegalArgumentException("a chaincode is named twice in " + given
                    + ": name each once, with all its collections");
        }
        List<InvokedChaincode> result = new ArrayList<>();
        given.stream().filter(c -> c.name().equals(chaincode)).findFirst()
                .ifPresentOrElse(result::add, () -> result.add(of(chaincode)));
        given.stream().filter(c -> !c.name().equals(chaincode)).forEach(result::add);
        return List.copyOf(result);
    }

    @Override
    public String toString() {
        return name + (collections.isEmpty() ? "" : collections.toString()) + (noPrivateReads ? " (no private reads)" : "");
    }
}
