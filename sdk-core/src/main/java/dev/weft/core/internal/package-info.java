/**
 * Implementation details of sdk-core. Nothing here is API: it is public only so that other Weft
 * modules can share it, and it may change in any release. Applications must not import it.
 */
package dev.weft.core.internal;
