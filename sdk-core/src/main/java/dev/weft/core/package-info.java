/**
 * Weft's core: everything needed to speak Fabric's wire protocol, without any network policy.
 *
 * <ul>
 *   <li><b>Identities and signing</b>: {@link dev.weft.core.X509Identity}, {@link dev.weft.core.Signer},
 *       {@link dev.weft.core.Signers}, {@link dev.weft.core.Credentials} (PEM), {@link dev.weft.core.Signatures}.
 *   <li><b>Messages</b>: {@link dev.weft.core.TransactionId} (nonce and transaction id),
 *       {@link dev.weft.core.ChaincodeProposal}, {@link dev.weft.core.TransactionEnvelope},
 *       {@link dev.weft.core.SeekRequest}; readers {@link dev.weft.core.BlockView},
 *       {@link dev.weft.core.TransactionView}.
 *   <li><b>Membership and policy</b>: {@link dev.weft.core.Msp}, {@link dev.weft.core.ChannelMsps},
 *       {@link dev.weft.core.MspIdentity}, {@link dev.weft.core.ChannelConfig},
 *       {@link dev.weft.core.EndorsementPolicy}, {@link dev.weft.core.ChannelPolicy}.
 *   <li><b>Connections</b>: {@link dev.weft.core.ConnectionProfile}, {@link dev.weft.core.EndpointConfig},
 *       {@link dev.weft.core.GrpcChannels}.
 *   <li><b>Errors</b>: {@link dev.weft.core.WeftException} and its subclasses.
 * </ul>
 *
 * <p>Every Fabric message is the generated class of {@code org.hyperledger.fabric:fabric-protos};
 * Weft adds the rules Fabric applies to them. Value types here are immutable and thread-safe;
 * builders are not. Objects that hold connections ({@code ManagedChannel}) belong to whoever
 * created them.
 */
package dev.weft.core;
