/** Choosing the peers that endorse a transaction: {@link dev.weft.selection.EndorserSelectors}. */
package dev.weft.selection;
