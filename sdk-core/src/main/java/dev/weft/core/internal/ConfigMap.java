package dev.weft.core.internal;

import dev.weft.core.ChannelConfigException;
import dev.weft.core.InternalApi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigPolicy;
import org.hyperledger.fabric.protos.common.ConfigValue;

/**
 * A config tree flattened as Fabric's configtx does it: every group, value and policy by its
 * fully qualified key, {@code "[Group]  /Channel/Application"}, {@code "[Value]  /Channel/Orderer/BatchSize"},
 * {@code "[Policy] /Channel/Admins"}; and back again. The orderer applies a config update on it,
 * and a peer re-checks one the same way.
 */
@InternalApi
public final class ConfigMap {
    public static final String GROUP = "[Group]  ";
    public static final String VALUE = "[Value]  ";
    public static final String POLICY = "[Policy] ";
    /** Fabric's configtx {@code configAllowedChars} and {@code MaxLength}. */
    private static final Pattern ALLOWED = Pattern.compile("[a-zA-Z0-9.\\-]+");
    private static final int MAX_LENGTH = 249;
    /** Fabric's fix for channels of v1.0 whose elements lack a mod_policy, applied as it applies it. */
    private static final String ORDERER_CAPABILITIES = VALUE + "/Channel/Orderer/Capabilities";

    /**
     * One element of the tree: exactly one of group, value and policy is set.
     *
     * @param path the names of the groups above it, from the root ({@code [Channel, Orderer]})
     * @param key its own name
     */
    public record Element(List<String> path, String key, ConfigGroup group, ConfigValue value, ConfigPolicy policy) {
        public Element {
            path = List.copyOf(path);
        }

        public long version() {
            return group != null ? group.getVersion() : value != null ? value.getVersion() : policy.getVersion();
        }

        public String modPolicy() {
            return group != null ? group.getModPolicy() : value != null ? value.getModPolicy() : policy.getModPolicy();
        }

        /**
         * The absolute path of the policy that guards changes to this element: an absolute
         * mod_policy as it is; a relative one from the group of the element (for a group, the
         * group itself), as Fabric's {@code policyForItem} resolves it.
         */
        public String modPolicyPath() {
            String modPolicy = modPolicy();
            if (modPolicy.startsWith("/")) {
                return modPolicy;
            }
            List<String> groups = new ArrayList<>(path);
            if (group != null) {
                groups.add(key);
            }
            return "/" + String.join("/", groups) + "/" + modPolicy;
        }
    }

    private ConfigMap() {
    }

    /**
     * The elements of a tree rooted at {@code root}, named {@code rootKey} ("Channel"), in
     * depth-first order.
     *
     * @throws ChannelConfigException if a key has characters Fabric does not allow
     */
    public static Map<String, Element> of(ConfigGroup root, String rootKey) {
        Map<String, Element> result = new LinkedHashMap<>();
        if (root != null) {
            add(result, List.of(), rootKey, root);
        }
        return result;
    }

    private static void add(Map<String, Element> result, List<String> path, String key, ConfigGroup group) {
        put(result, new Element(path, key, group, null, null));
        List<String> inside = new ArrayList<>(path);
        inside.add(key);
        group.getGroupsMap().forEach((name, child) -> add(result, inside, name, child));
        group.getValuesMap().forEach((name, value) -> put(result, new Element(inside, name, null, value, null)));
        group.getPoliciesMap().forEach((name, policy) -> put(result, new Element(inside, name, null, null, policy)));
    }

    private static void put(Map<String, Element> result, Element element) {
        String prefix = element.group() != null ? GROUP : element.value() != null ? VALUE : POLICY;
        String problem = invalidId(element.key());
        if (problem != null) {
            throw new ChannelConfigException("illegal characters in key: " + prefix + ": " + problem);
        }
        result.put(key(prefix, element.path(), element.key()), element);
    }

    /** The fully qualified key of an element. */
    public static String key(String prefix, List<String> path, String key) {
        return path.isEmpty() ? prefix + "/" + key : prefix + "/" + String.join("/", path) + "/" + key;
    }

    /** Why a config key is not allowed, in Fabric's words, or null if it is. */
    public static String invalidId(String id) {
        if (id.isEmpty()) {
            return "config ID illegal, cannot be empty";
        }
        if (id.length() > MAX_LENGTH) {
            return "config ID illegal, cannot be longer than " + MAX_LENGTH;
        }
        if (id.equals(".") || id.equals("..")) {
            return "name '" + id + "' for config ID is not allowed";
        }
        if (!ALLOWED.matcher(id).matches()) {
            return "config ID '" + id + "' contains illegal characters";
        }
        return null;
    }

    /**
     * The tree a map describes, from its root group down: each group's members are the ones the
     * group element names, each taken from the map (Fabric's {@code configMapToConfig}).
     *
     * @throws ChannelConfigException if a member a group names is missing from the map
     */
    public static ConfigGroup toGroup(Map<String, Element> map, String rootKey) {
        return toGroup(map, "/" + rootKey, map.containsKey(ORDERER_CAPABILITIES));
    }

    private static ConfigGroup toGroup(Map<String, Element> map, String path, boolean fixModPolicies) {
        Element element = map.get(GROUP + path);
        if (element == null || element.group() == null) {
            throw new ChannelConfigException("missing group at path: " + GROUP + path);
        }
        ConfigGroup group = element.group();
        ConfigGroup.Builder result = ConfigGroup.newBuilder().setVersion(group.getVersion())
                .setModPolicy(fix(group.getModPolicy(), fixModPolicies));
        for (String name : group.getGroupsMap().keySet()) {
            result.putGroups(name, toGroup(map, path + "/" + name, fixModPolicies));
        }
        for (String name : group.getValuesMap().keySet()) {
            Element value = map.get(VALUE + path + "/" + name);
            if (value == null || value.value() == null) {
                throw new ChannelConfigException("missing value at path: " + VALUE + path + "/" + name);
            }
            result.putValues(name, value.value().toBuilder()
                    .setModPolicy(fix(value.value().getModPolicy(), fixModPolicies)).build());
        }
        for (String name : group.getPoliciesMap().keySet()) {
            Element policy = map.get(POLICY + path + "/" + name);
            if (policy == null || policy.policy() == null) {
                throw new ChannelConfigException("missing policy at path: " + POLICY + path + "/" + name);
            }
            result.putPolicies(name, policy.policy().toBuilder()
                    .setModPolicy(fix(policy.policy().getModPolicy(), fixModPolicies)).build());
        }
        return result.build();
    }

    private static String fix(String modPolicy, boolean fixModPolicies) {
        return fixModPolicies && modPolicy.isEmpty() ? "Admins" : modPolicy;
    }
}
