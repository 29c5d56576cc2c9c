/** The built-in pipeline steps. Not API: import nothing from here. */
@InternalApi
package dev.weft.handlers.internal;

import dev.weft.core.InternalApi;
