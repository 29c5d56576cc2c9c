package dev.weft.testnet;

import dev.weft.testnet.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fabric's {@code asset-transfer-basic} sample chaincode, with the same functions, arguments,
 * errors and JSON: assets are stored with their keys in alphabetical order
 * ({@code {"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":5}}), and
 * CreateAsset returns the asset in field order {@code ID, Color, Size, Owner, AppraisedValue}, as
 * the sample does. Client code written against it runs unchanged against a real network with the
 * sample deployed.
 *
 * <ul>
 *   <li>{@code InitLedger()}: creates asset1..asset6
 *   <li>{@code CreateAsset(id, color, size, owner, appraisedValue)}
 *   <li>{@code ReadAsset(id)}, {@code AssetExists(id)} ("true"/"false")
 *   <li>{@code UpdateAsset(id, color, size, owner, appraisedValue)}, {@code DeleteAsset(id)}
 *   <li>{@code TransferAsset(id, newOwner)}: returns the previous owner
 *   <li>{@code GetAllAssets()}: a JSON array of every asset
 * </ul>
 *
 * <p>{@link #withEvents()} is the {@code asset-transfer-events} variant: CreateAsset, UpdateAsset,
 * TransferAsset and DeleteAsset also set a chaincode event named after the function, whose payload
 * is the asset's JSON (after the change; before it for DeleteAsset).
 */
public final class AssetTransferChaincode implements Chaincode {
    private final boolean events;

    /** The basic sample: no chaincode events. */
    public AssetTransferChaincode() {
        this(false);
    }

    private AssetTransferChaincode(boolean events) {
        this.events = events;
    }

    /** The variant that sets a chaincode event for every change to an asset. */
    public static AssetTransferChaincode withEvents() {
        return new AssetTransferChaincode(true);
    }

    @Override
    public String toString() {
        return events ? "asset-transfer-events" : "asset-transfer-basic";
    }

    @Override
    public ChaincodeResponse invoke(ChaincodeStub stub) {
        List<String> p = stub.parameters();
        if (events) {
            emitEvent(stub, p);
        }
        return switch (stub.function()) {
            case "InitLedger" -> initLedger(stub);
            case "CreateAsset" -> {
                arity(p, 5, "CreateAsset");
                yield createAsset(stub, p.get(0), p.get(1), number(p.get(2), "size"), p.get(3),
                        number(p.get(4), "appraisedValue"));
            }
            case "ReadAsset" -> {
                arity(p, 1, "ReadAsset");
                yield ChaincodeResponse.success(readAsset(stub, p.get(0)));
            }
            case "UpdateAsset" -> {
                arity(p, 5, "UpdateAsset");
                yield updateAsset(stub, p.get(0), p.get(1), number(p.get(2), "size"), p.get(3),
                        number(p.get(4), "appraisedValue"));
            }
            case "DeleteAsset" -> {
                arity(p, 1, "DeleteAsset");
                requireExists(stub, p.get(0));
                stub.deleteState(p.get(0));
                yield ChaincodeResponse.success();
            }
            case "AssetExists" -> {
                arity(p, 1, "AssetExists");
                yield ChaincodeResponse.success(Boolean.toString(stub.getState(p.get(0)) != null));
            }
            case "TransferAsset" -> {
                arity(p, 2, "TransferAsset");
                yield transferAsset(stub, p.get(0), p.get(1));
            }
            case "GetAllAssets" -> getAllAssets(stub);
            default -> throw new ChaincodeException("You've asked to invoke a function that does not exist: "
                    + stub.function());
        };
    }

    /** Sets the event of a changing function, with the asset as it will be (as it was, for a delete). */
    private static void emitEvent(ChaincodeStub stub, List<String> p) {
        String function = stub.function();
        Map<String, Object> asset = switch (function) {
            case "CreateAsset", "UpdateAsset" -> p.size() == 5
                    ? asset(p.get(0), p.get(1), number(p.get(2), "size"), p.get(3), number(p.get(4), "appraisedValue"))
                    : null;
            case "TransferAsset" -> {
                if (p.size() != 2 || stub.getState(p.get(0)) == null) {
                    yield null;
                }
                Map<String, Object> current = Json.parseObject(new String(stub.getState(p.get(0)), StandardCharsets.UTF_8));
                current.put("Owner", p.get(1));
                yield current;
            }
            case "DeleteAsset" -> p.size() == 1 && stub.getState(p.get(0)) != null
                    ? Json.parseObject(new String(stub.getState(p.get(0)), StandardCharsets.UTF_8)) : null;
            default -> null;
        };
        if (asset != null) {
            // A failing invocation is not committed, so its event is never delivered.
            stub.setEvent(function, utf8(Json.sorted(asset)));
        }
    }

    private static ChaincodeResponse initLedger(ChaincodeStub stub) {
        Object[][] assets = {
            {"asset1", "blue", 5, "Tomoko", 300},
            {"asset2", "red", 5, "Brad", 400},
            {"asset3", "green", 10, "Jin Soo", 500},
            {"asset4", "yellow", 10, "Max", 600},
            {"asset5", "black", 15, "Adriana", 700},
            {"asset6", "white", 15, "Michel", 800},
        };
        for (Object[] a : assets) {
            Map<String, Object> asset = asset((String) a[0], (String) a[1], (long) (int) a[2], (String) a[3],
                    (long) (int) a[4]);
            asset.put("docType", "asset");
            stub.putState((String) a[0], utf8(Json.sorted(asset)));
        }
        return ChaincodeResponse.success();
    }

    private static ChaincodeResponse createAsset(ChaincodeStub stub, String id, String color, long size, String owner,
            long appraisedValue) {
        if (stub.getState(id) != null) {
            throw new ChaincodeException("The asset " + id + " already exists");
        }
        Map<String, Object> asset = asset(id, color, size, owner, appraisedValue);
        stub.putState(id, utf8(Json.sorted(asset)));
        return ChaincodeResponse.success(Json.inOrder(asset));
    }

    private static byte[] readAsset(ChaincodeStub stub, String id) {
        byte[] value = stub.getState(id);
        if (value == null) {
            throw new ChaincodeException("The asset " + id + " does not exist");
        }
        return value;
    }

    private static ChaincodeResponse updateAsset(ChaincodeStub stub, String id, String color, long size, String owner,
            long appraisedValue) {
        requireExists(stub, id);
        stub.putState(id, utf8(Json.sorted(asset(id, color, size, owner, appraisedValue))));
        return ChaincodeResponse.success();
    }

    private static ChaincodeResponse transferAsset(ChaincodeStub stub, String id, String newOwner) {
        Map<String, Object> asset = Json.parseObject(new String(readAsset(stub, id), StandardCharsets.UTF_8));
        Object oldOwner = asset.get("Owner");
        asset.put("Owner", newOwner);
        stub.putState(id, utf8(Json.sorted(asset)));
        return ChaincodeResponse.success(String.valueOf(oldOwner));
    }

    private static ChaincodeResponse getAllAssets(ChaincodeStub stub) {
        List<String> results = new ArrayList<>();
        try (ChaincodeStub.StateIterator it = stub.getStateByRange("", "")) {
            while (it.hasNext()) {
                String value = new String(it.next().value(), StandardCharsets.UTF_8);
                results.add(value.startsWith("{") ? value : Json.quote(value));
            }
        }
        return ChaincodeResponse.success("[" + String.join(",", results) + "]");
    }

    private static void requireExists(ChaincodeStub stub, String id) {
        if (stub.getState(id) == null) {
            throw new ChaincodeException("The asset " + id + " does not exist");
        }
    }

    private static Map<String, Object> asset(String id, String color, long size, String owner, long appraisedValue) {
        Map<String, Object> asset = new LinkedHashMap<>();
        asset.put("ID", id);
        asset.put("Color", color);
        asset.put("Size", size);
        asset.put("Owner", owner);
        asset.put("AppraisedValue", appraisedValue);
        return asset;
    }

    private static void arity(List<String> parameters, int expected, String function) {
        if (parameters.size() != expected) {
            throw new ChaincodeException("Expected " + expected + " parameters, but " + parameters.size()
                    + " have been supplied to " + function);
        }
    }

    private static long number(String text, String name) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new ChaincodeException(name + " must be a number, got '" + text + "'");
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
