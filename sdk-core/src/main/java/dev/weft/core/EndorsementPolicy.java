package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.hyperledger.fabric.protos.common.MSPPrincipal;
import org.hyperledger.fabric.protos.common.MSPRole;
import org.hyperledger.fabric.protos.common.SignaturePolicy;
import org.hyperledger.fabric.protos.common.SignaturePolicyEnvelope;

/**
 * A Fabric signature policy ({@code common.SignaturePolicyEnvelope}): a tree of
 * "n out of these rules" gates over principals. Chaincode endorsement policies and the
 * per-organisation channel policies (Readers, Writers, Admins, Endorsement) are all of this form.
 *
 * <h2>Text syntax</h2>
 * The syntax of Fabric's {@code policydsl}, as used by {@code peer lifecycle} and configtx.yaml:
 * <pre>
 *   AND('Org1MSP.peer', 'Org2MSP.peer')          both
 *   OR('Org1MSP.member', 'Org2MSP.member')       either
 *   OutOf(2, 'A.peer', 'B.peer', 'C.peer')       any two
 *   AND('A.admin', OR('B.peer', 'C.peer'))       gates nest
 * </pre>
 * Gates are {@code AND/And/and}, {@code OR/Or/or}, {@code OutOf/OUTOF/outof}; a principal is a
 * quoted {@code '<MSP id>.<role>'} with role {@code member}, {@code admin}, {@code client},
 * {@code peer} or {@code orderer}. As in Fabric, every principal occurrence becomes a new entry of
 * the identities list, in order of appearance, and {@code AND(a, b)} is {@code OutOf(2, a, b)}.
 *
 * <h2>Evaluation</h2>
 * {@link #isSatisfiedBy} answers as Fabric's {@code cauthdsl} does: identities are de-duplicated,
 * each identity can satisfy at most one principal, and gates are evaluated left to right with the
 * same greedy assignment, so that Weft and a committing peer agree on every set of signers.
 *
 * <p>Immutable and thread-safe.
 */
public final class EndorsementPolicy {
    /** A node of the rule tree. */
    public sealed interface Rule permits SignedBy, OutOf {
    }

    /** A leaf: a signature satisfying the principal at {@code index} of {@link #principals()}. */
    public record SignedBy(int index) implements Rule {
    }

    /** A gate: at least {@code n} of {@code rules} must be satisfied. */
    public record OutOf(int n, List<Rule> rules) implements Rule {
        public OutOf {
            rules = List.copyOf(rules);
        }
    }

    private final Rule rule;
    private final List<Principal> principals;

    private EndorsementPolicy(Rule rule, List<Principal> principals) {
        this.rule = rule;
        this.principals = List.copyOf(principals);
        check(rule);
    }

    private void check(Rule r) {
        if (r instanceof SignedBy s) {
            if (s.index() < 0 || s.index() >= principals.size()) {
                throw new ProtocolException("signature policy refers to identity " + s.index()
                        + " but has " + principals.size() + " identities");
            }
        } else if (r instanceof OutOf o) {
            if (o.n() < 0) {
                throw new ProtocolException("signature policy gate has negative n " + o.n());
            }
            o.rules().forEach(this::check);
        }
    }

    /**
     * Parses policy text.
     *
     * @throws PolicyParseException naming the position of the first error
     */
    public static EndorsementPolicy parse(String text) {
        Objects.requireNonNull(text, "text");
        return new Parser(text).parse();
    }

    /**
     * Decodes a {@code SignaturePolicyEnvelope}.
     *
     * @throws ProtocolException if a rule refers to a missing identity or a principal cannot be decoded
     */
    public static EndorsementPolicy fromEnvelope(SignaturePolicyEnvelope envelope) {
        List<Principal> principals = new ArrayList<>(envelope.getIdentitiesCount());
        for (MSPPrincipal p : envelope.getIdentitiesList()) {
            principals.add(Principal.fromProto(p));
        }
        if (!envelope.hasRule()) {
            throw new ProtocolException("signature policy envelope has no rule");
        }
        return new EndorsementPolicy(fromProto(envelope.getRule()), principals);
    }

    /** Decodes a serialized {@code SignaturePolicyEnvelope}. */
    public static EndorsementPolicy fromEnvelope(ByteString serializedEnvelope) {
        try {
            return fromEnvelope(SignaturePolicyEnvelope.parseFrom(serializedEnvelope));
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("bytes are not a SignaturePolicyEnvelope", e);
        }
    }

    /** A policy from a rule tree and its principals. */
    public static EndorsementPolicy of(Rule rule, List<Principal> principals) {
        return new EndorsementPolicy(Objects.requireNonNull(rule, "rule"), principals);
    }

    private static Rule fromProto(SignaturePolicy p) {
        return switch (p.getTypeCase()) {
            case SIGNED_BY -> new SignedBy(p.getSignedBy());
            case N_OUT_OF -> new OutOf(p.getNOutOf().getN(),
                    p.getNOutOf().getRulesList().stream().map(EndorsementPolicy::fromProto).toList());
            default -> throw new ProtocolException("signature policy rule is empty");
        };
    }

    public Rule rule() {
        return rule;
    }

    /** The identities list of the envelope; {@link SignedBy#index()} refers into it. */
    public List<Principal> principals() {
        return principals;
    }

    /** The MSP ids this policy mentions, in order of first appearance. */
    public Set<String> mspIds() {
        return principals.stream().map(Principal::mspId).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The envelope Fabric stores (version 0). */
    public SignaturePolicyEnvelope toEnvelope() {
        SignaturePolicyEnvelope.Builder b = SignaturePolicyEnvelope.newBuilder().setVersion(0).setRule(toProto(rule));
        principals.forEach(p -> b.addIdentities(p.toProto()));
        return b.build();
    }

    private static SignaturePolicy toProto(Rule r) {
        if (r instanceof SignedBy s) {
            return SignaturePolicy.newBuilder().setSignedBy(s.index()).build();
        }
        OutOf o = (OutOf) r;
        SignaturePolicy.NOutOf.Builder gate = SignaturePolicy.NOutOf.newBuilder().setN(o.n());
        o.rules().forEach(child -> gate.addRules(toProto(child)));
        return SignaturePolicy.newBuilder().setNOutOf(gate).build();
    }

    /**
     * Whether the identities satisfy the policy, by Fabric's rules (see the class comment).
     * Duplicates (equal serialized bytes) count once.
     */
    public boolean isSatisfiedBy(Collection<? extends PolicyIdentity> identities) {
        Map<ByteString, PolicyIdentity> unique = new LinkedHashMap<>();
        for (PolicyIdentity identity : identities) {
            unique.putIfAbsent(identity.serialized(), identity);
        }
        List<PolicyIdentity> signers = List.copyOf(unique.values());
        return evaluate(rule, signers, new boolean[signers.size()]);
    }

    private boolean evaluate(Rule r, List<PolicyIdentity> signers, boolean[] used) {
        if (r instanceof SignedBy s) {
            Principal principal = principals.get(s.index());
            for (int i = 0; i < signers.size(); i++) {
                if (!used[i] && signers.get(i).satisfies(principal)) {
                    used[i] = true;
                    return true;
                }
            }
            return false;
        }
        OutOf o = (OutOf) r;
        int satisfied = 0;
        boolean[] scratch = new boolean[used.length];
        for (Rule child : o.rules()) {
            System.arraycopy(used, 0, scratch, 0, used.length);
            if (evaluate(child, signers, scratch)) {
                satisfied++;
                System.arraycopy(scratch, 0, used, 0, used.length);
            }
        }
        return satisfied >= o.n();
    }

    /**
     * The policy in text form. Only ROLE principals can be written so that {@link #parse} reads
     * them back; other principals are shown for humans.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        write(rule, sb);
        return sb.toString();
    }

    private void write(Rule r, StringBuilder sb) {
        if (r instanceof SignedBy s) {
            sb.append(principals.get(s.index()));
            return;
        }
        OutOf o = (OutOf) r;
        if (o.n() == 1 && !o.rules().isEmpty()) {
            sb.append("OR(");
        } else if (o.n() == o.rules().size() && o.n() > 1) {
            sb.append("AND(");
        } else {
            sb.append("OutOf(").append(o.n());
            if (!o.rules().isEmpty()) {
                sb.append(", ");
            }
        }
        for (int i = 0; i < o.rules().size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            write(o.rules().get(i), sb);
        }
        sb.append(')');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EndorsementPolicy other && rule.equals(other.rule) && principals.equals(other.principals);
    }

    @Override
    public int hashCode() {
        return rule.hashCode() * 31 + principals.hashCode();
    }

    /** Recursive-descent parser for Fabric's policy text; positions are reported zero-based. */
    private static final class Parser {
        private final String text;
        private final List<Principal> principals = new ArrayList<>();
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        EndorsementPolicy parse() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("empty policy; expected AND(...), OR(...) or OutOf(n, ...)");
            }
            if (peek() == '\'' || peek() == '"') {
                throw error("a policy must be a gate: wrap the principal in OR(...)");
            }
            Rule rule = gate();
            skipSpace();
            if (pos < text.length()) {
                throw error("unexpected '" + peek() + "' after the end of the policy");
            }
            return new EndorsementPolicy(rule, principals);
        }

        private Rule expression() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("unexpected end of policy; expected a gate or a quoted principal");
            }
            char c = peek();
            if (c == '\'' || c == '"') {
                return principal();
            }
            return gate();
        }

        private Rule gate() {
            int start = pos;
            while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
                pos++;
            }
            String name = text.substring(start, pos);
            if (name.isEmpty()) {
                pos = start;
                throw error("unexpected '" + peek() + "'; expected AND, OR, OutOf or a quoted principal");
            }
            int kind = switch (name) {
                case "AND", "And", "and" -> 0;
                case "OR", "Or", "or" -> 1;
                case "OutOf", "OUTOF", "outof" -> 2;
                default -> {
                    pos = start;
                    throw error("unknown gate '" + name + "'; expected AND, OR or OutOf");
                }
            };
            skipSpace();
            expect('(');
            int n = -1;
            int countAt = -1;
            if (kind == 2) {
                skipSpace();
                countAt = pos;
                n = integer();
                skipSpace();
                expect(',');
            }
            List<Rule> rules = new ArrayList<>();
            rules.add(expression());
            skipSpace();
            while (pos < text.length() && peek() == ',') {
                pos++;
                rules.add(expression());
                skipSpace();
            }
            if (pos < text.length() && peek() != ')') {
                throw error("expected ',' or ')' but found '" + peek() + "'");
            }
            expect(')');
            if (kind == 2 && n > rules.size() + 1) {
                // Fabric's policydsl allows t up to n+1 (an unsatisfiable policy) but no further.
                pos = countAt;
                throw error("OutOf(" + n + ", ...) has only " + rules.size() + " rules; t may be at most n+1");
            }
            return new OutOf(kind == 0 ? rules.size() : kind == 1 ? 1 : n, rules);
        }

        private int integer() {
            int start = pos;
            while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
                pos++;
            }
            if (start == pos) {
                throw error("OutOf needs a non-negative integer as its first argument");
            }
            try {
                return Integer.parseInt(text.substring(start, pos));
            } catch (NumberFormatException e) {
                pos = start;
                throw error("OutOf count is too large");
            }
        }

        private Rule principal() {
            char quote = text.charAt(pos);
            int start = pos;
            int end = text.indexOf(quote, pos + 1);
            if (end < 0) {
                throw error("unterminated principal: missing closing " + quote);
            }
            String body = text.substring(pos + 1, end);
            int dot = body.lastIndexOf('.');
            if (dot <= 0 || dot == body.length() - 1) {
                throw error("principal " + quote + body + quote + " must be '<MSP id>.<role>'");
            }
            String mspId = body.substring(0, dot);
            for (int i = 0; i < mspId.length(); i++) {
                char c = mspId.charAt(i);
                if (!(Character.isLetterOrDigit(c) && c < 128) && c != '.' && c != '-') {
                    pos = start + 1 + i;
                    throw error("MSP id '" + mspId + "' may contain only letters, digits, '.' and '-'");
                }
            }
            MSPRole.MSPRoleType role = switch (body.substring(dot + 1)) {
                case "member" -> MSPRole.MSPRoleType.MEMBER;
                case "admin" -> MSPRole.MSPRoleType.ADMIN;
                case "client" -> MSPRole.MSPRoleType.CLIENT;
                case "peer" -> MSPRole.MSPRoleType.PEER;
                case "orderer" -> MSPRole.MSPRoleType.ORDERER;
                default -> {
                    pos = start + 1 + dot + 1;
                    throw error("unknown role '" + body.substring(dot + 1)
                            + "'; expected member, admin, client, peer or orderer");
                }
            };
            pos = end + 1;
            principals.add(new Principal.Role(mspId, role));
            return new SignedBy(principals.size() - 1);
        }

        private void expect(char c) {
            if (pos >= text.length()) {
                throw error("unexpected end of policy; expected '" + c + "'");
            }
            if (peek() != c) {
                throw error("expected '" + c + "' but found '" + peek() + "'");
            }
            pos++;
        }

        private char peek() {
            return text.charAt(pos);
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private PolicyParseException error(String problem) {
            return new PolicyParseException(text, pos, problem);
        }
    }
}
