/**
 * Events from peers' Deliver streams: the commit status of submitted transactions
 * ({@link dev.weft.events.CommitStatusSources}).
 */
package dev.weft.events;
