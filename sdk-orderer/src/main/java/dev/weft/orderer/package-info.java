/**
 * Broadcasting signed transactions to Fabric orderers over {@code AtomicBroadcast/Broadcast}, with
 * stream reuse and failover: {@link dev.weft.orderer.OrdererClients}.
 */
package dev.weft.orderer;
