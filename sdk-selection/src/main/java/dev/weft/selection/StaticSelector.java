package dev.weft.selection;

import dev.weft.core.EndorserSelector;
import dev.weft.core.Peer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Every usable candidate endorses. */
final class StaticSelector implements EndorserSelector {
    static final StaticSelector INSTANCE = new StaticSelector();

    @Override
    public CompletableFuture<List<Peer>> select(Request request) {
        try {
            List<Peer> explicit = Candidates.explicitOrEvaluate(request);
            return CompletableFuture.completedFuture(explicit != null ? explicit
                    : Candidates.nonEmpty(request, Candidates.usable(request)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String toString() {
        return "static";
    }
}
