package dev.weft.selection;

import dev.weft.core.EndorseException;
import dev.weft.core.EndorserSelector;
import dev.weft.core.Peer;
import dev.weft.core.TransactionStage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** What every selector does first: the usable candidates, in order of preference. */
final class Candidates {
    private Candidates() {
    }

    /**
     * The candidates not excluded, restricted to the named peers or organisations if any, ordered:
     * no recent failure first, then the client's organisation, then by organisation and name.
     */
    static List<Peer> usable(EndorserSelector.Request request) {
        List<Peer> usable = new ArrayList<>();
        for (Peer peer : request.candidates()) {
            if (request.excluded().contains(peer)) {
                continue;
            }
            if (!request.peers().isEmpty() && !request.peers().contains(peer.name())) {
                continue;
            }
            if (!request.organizations().isEmpty() && !request.organizations().contains(peer.mspId())) {
                continue;
            }
            usable.add(peer);
        }
        // One health reading per peer: a failure that expires mid-sort must not make the order inconsistent.
        Map<Peer, Boolean> failed = new HashMap<>();
        usable.forEach(p -> failed.put(p, request.health().recentlyFailed(p)));
        usable.sort(Comparator.<Peer, Boolean>comparing(failed::get)
                .thenComparing(p -> !p.mspId().equals(request.clientMspId()))
                .thenComparing(Peer::mspId)
                .thenComparing(Peer::name));
        return usable;
    }

    /**
     * The selection every strategy shares for explicit choices and evaluates, or null when the
     * strategy must choose itself (a submit without named peers or organisations).
     */
    static List<Peer> explicitOrEvaluate(EndorserSelector.Request request) {
        List<Peer> usable = usable(request);
        if (!request.peers().isEmpty()) {
            Set<String> found = usable.stream().map(Peer::name).collect(Collectors.toSet());
            List<String> missing = request.peers().stream().filter(n -> !found.contains(n)).sorted().toList();
            if (!missing.isEmpty() && !request.evaluate()) {
                throw unavailable(request, "the requested peers " + missing + " are not available");
            }
            return nonEmpty(request, usable);
        }
        if (request.evaluate()) {
            return nonEmpty(request, usable);
        }
        if (!request.organizations().isEmpty()) {
            Map<String, Peer> onePerOrg = onePerOrganization(usable);
            List<String> missing = request.organizations().stream().filter(o -> !onePerOrg.containsKey(o)).sorted()
                    .toList();
            if (!missing.isEmpty()) {
                throw unavailable(request, "no available peer of the requested organisations " + missing);
            }
            return List.copyOf(onePerOrg.values());
        }
        return null;
    }

    /** The first (most preferred) usable peer of each organisation, in preference order. */
    static Map<String, Peer> onePerOrganization(List<Peer> usable) {
        Map<String, Peer> onePerOrg = new LinkedHashMap<>();
        for (Peer peer : usable) {
            onePerOrg.putIfAbsent(peer.mspId(), peer);
        }
        return onePerOrg;
    }

    static List<Peer> nonEmpty(EndorserSelector.Request request, List<Peer> usable) {
        if (usable.isEmpty()) {
            throw unavailable(request, "no peer is available");
        }
        return usable;
    }

    static EndorseException unavailable(EndorserSelector.Request request, String what) {
        String candidates = request.candidates().stream().map(Peer::toString).collect(Collectors.joining(", ", "[", "]"));
        String excluded = request.excluded().isEmpty() ? ""
                : "; already failed: " + request.excluded().stream().map(Peer::name).sorted().toList();
        return new EndorseException("cannot select endorsers for chaincode " + request.chaincode() + " on channel "
                + request.channelId() + ": " + what + " (candidates: " + candidates + excluded + ")", "",
                TransactionStage.SELECT, List.of(), null, !request.excluded().isEmpty());
    }
}
