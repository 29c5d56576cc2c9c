package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Locale;
import java.util.Objects;
import org.hyperledger.fabric.protos.common.MSPPrincipal;
import org.hyperledger.fabric.protos.common.MSPRole;
import org.hyperledger.fabric.protos.common.OrganizationUnit;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;

/**
 * Who may sign under a signature policy: an {@code MSPPrincipal} of classification ROLE (a role in
 * an MSP: member, admin, client, peer or orderer), ORGANIZATION_UNIT (an OU in an MSP) or
 * IDENTITY (one exact identity). The text syntax of policies can express ROLE principals only.
 */
public sealed interface Principal permits Principal.Role, Principal.Unit, Principal.Identity {

    /** The MSP the principal belongs to. */
    String mspId();

    /** The Fabric message for this principal. */
    MSPPrincipal toProto();

    /** A role in an MSP, written {@code 'Org1MSP.peer'} in policy text. */
    static Role role(String mspId, MSPRole.MSPRoleType role) {
        return new Role(mspId, role);
    }

    /**
     * Decodes an {@code MSPPrincipal}.
     *
     * @throws ProtocolException if the principal bytes cannot be decoded or the classification
     *     (ANONYMITY, COMBINED) is not supported
     */
    static Principal fromProto(MSPPrincipal principal) {
        try {
            return switch (principal.getPrincipalClassification()) {
                case ROLE -> {
                    MSPRole role = MSPRole.parseFrom(principal.getPrincipal());
                    if (role.getRole() == MSPRole.MSPRoleType.UNRECOGNIZED) {
                        throw new ProtocolException("MSP principal has unknown role " + role.getRoleValue());
                    }
                    yield new Role(role.getMspIdentifier(), role.getRole());
                }
                case ORGANIZATION_UNIT -> {
                    OrganizationUnit ou = OrganizationUnit.parseFrom(principal.getPrincipal());
                    yield new Unit(ou.getMspIdentifier(), ou.getOrganizationalUnitIdentifier());
                }
                case IDENTITY -> {
                    SerializedIdentity id = SerializedIdentity.parseFrom(principal.getPrincipal());
                    yield new Identity(id.getMspid(), principal.getPrincipal());
                }
                default -> throw new ProtocolException("MSP principal classification "
                        + principal.getPrincipalClassification() + " is not supported");
            };
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("malformed " + principal.getPrincipalClassification() + " MSP principal", e);
        }
    }

    /** A role in an MSP. */
    record Role(String mspId, MSPRole.MSPRoleType role) implements Principal {
        public Role {
            Objects.requireNonNull(mspId, "mspId");
            Objects.requireNonNull(role, "role");
            if (role == MSPRole.MSPRoleType.UNRECOGNIZED) {
                throw new IllegalArgumentException("role must be a known MSP role");
            }
        }

        @Override
        public MSPPrincipal toProto() {
            return MSPPrincipal.newBuilder()
                    .setPrincipalClassification(MSPPrincipal.Classification.ROLE)
                    .setPrincipal(MSPRole.newBuilder().setMspIdentifier(mspId).setRole(role).build().toByteString())
                    .build();
        }

        @Override
        public String toString() {
            return "'" + mspId + "." + role.name().toLowerCase(Locale.ROOT) + "'";
        }
    }

    /** An organizational unit in an MSP. */
    record Unit(String mspId, String organizationalUnit) implements Principal {
        public Unit {
            Objects.requireNonNull(mspId, "mspId");
            Objects.requireNonNull(organizationalUnit, "organizationalUnit");
        }

        @Override
        public MSPPrincipal toProto() {
            return MSPPrincipal.newBuilder()
                    .setPrincipalClassification(MSPPrincipal.Classification.ORGANIZATION_UNIT)
                    .setPrincipal(OrganizationUnit.newBuilder()
                            .setMspIdentifier(mspId)
                            .setOrganizationalUnitIdentifier(organizationalUnit)
                            .build().toByteString())
                    .build();
        }

        @Override
        public String toString() {
            return "OU('" + mspId + "', '" + organizationalUnit + "')";
        }
    }

    /** Exactly one identity, by its serialized bytes. */
    record Identity(String mspId, ByteString serialized) implements Principal {
        public Identity {
            Objects.requireNonNull(mspId, "mspId");
            Objects.requireNonNull(serialized, "serialized");
        }

        @Override
        public MSPPrincipal toProto() {
            return MSPPrincipal.newBuilder()
                    .setPrincipalClassification(MSPPrincipal.Classification.IDENTITY)
                    .setPrincipal(serialized)
                    .build();
        }

        @Override
        public String toString() {
            return "IDENTITY('" + mspId + "')";
        }
    }
}
