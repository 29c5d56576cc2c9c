/**
 * The application API ({@link dev.weft.handlers.Gateway}, {@link dev.weft.handlers.Network},
 * {@link dev.weft.handlers.Contract}, {@link dev.weft.handlers.Transaction}) and the transaction
 * pipeline it runs ({@link dev.weft.handlers.Handler}, {@link dev.weft.handlers.TxContext},
 * {@link dev.weft.handlers.PipelineStep}).
 */
package dev.weft.handlers;
